"""Full rankings to evaluate: the matcher's, and the baselines it must beat.

Each function returns a ranking table ``source_id, rank, target_id`` over every target of the other
country, for both directions (German sources first), read by :mod:`matchmaker.evaluation.metrics`.
These rank exhaustively (every pair scored): the reference any candidate search is measured against.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from matchmaker import vocab as V
from matchmaker.scoring.fitted import FittedMatcher
from matchmaker.scoring.matcher import Matcher
from matchmaker.scoring.weights import Weights, combine


def full_rankings(matcher: Matcher, weights: Weights | None = None) -> pd.DataFrame:
    """Every target ranked for every source (both directions) by a fitted matcher (``weights``
    override the matcher's)."""
    resolved = matcher.weights_for(weights)
    fitted = matcher.fitted_for(resolved)
    return _rank_by(fitted, lambda s, t: combine(fitted.components(s, t, resolved.active), resolved)[0])


def sector_code_rankings(fitted: FittedMatcher, seed: int = 0) -> pd.DataFrame:
    """The code-based portal's ranking: value-chain affinity of the given NACE codes only (no text,
    nothing inferred), ties broken at random (seeded). Companies without a code score 0."""
    position = fitted.taxonomy.division_position
    codes = fitted.profiles[V.NACE_DIVISION].map(lambda d: position.get(d, -1)).to_numpy()
    one_hot = np.zeros((len(codes), len(position)), dtype=np.float32)
    one_hot[codes >= 0, codes[codes >= 0]] = 1.0
    rng = np.random.default_rng(seed)

    def score(sources: np.ndarray, targets: np.ndarray) -> np.ndarray:
        base = one_hot[sources] @ fitted.affinity @ one_hot[targets].T
        return base + 1e-4 * rng.random(base.shape, dtype=np.float32)

    return _rank_by(fitted, score)


def ranking_frame(source_ids: np.ndarray, target_ids: np.ndarray, score: np.ndarray) -> pd.DataFrame:
    """Every target ranked for every source by ``score`` (sources x targets), best first."""
    order = np.argsort(-score, axis=1, kind="stable")
    return pd.DataFrame(
        {
            V.SOURCE_ID: np.repeat(source_ids, len(target_ids)),
            V.RANK: np.tile(np.arange(1, len(target_ids) + 1), len(source_ids)),
            V.TARGET_ID: target_ids[order].ravel(),
        }
    )


def _rank_by(fitted: FittedMatcher, score_of: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> pd.DataFrame:
    parts = []
    for direction in V.DIRECTIONS:
        sources, targets = fitted.sides(direction)
        if len(sources) and len(targets):
            parts.append(ranking_frame(fitted.ids[sources], fitted.ids[targets], score_of(sources, targets)))
    return pd.concat(parts, ignore_index=True)


def random_rankings(fitted: FittedMatcher, seed: int = 0) -> pd.DataFrame:
    """A seeded uniformly random ranking: the chance baseline."""
    rng = np.random.default_rng(seed)
    parts = []
    for direction in V.DIRECTIONS:
        sources, targets = (fitted.ids[rows] for rows in fitted.sides(direction))
        for source in sources:
            parts.append(
                pd.DataFrame(
                    {V.SOURCE_ID: source, V.RANK: np.arange(1, len(targets) + 1), V.TARGET_ID: rng.permutation(targets)}
                )
            )
    return pd.concat(parts, ignore_index=True)


def system_rankings(matcher: Matcher, seed: int = 0) -> dict[str, pd.DataFrame]:
    """Full rankings of the matcher and of the random and sector-codes-only baselines."""
    return {
        "random": random_rankings(matcher.fitted_, seed),
        "sector codes only": sector_code_rankings(matcher.fitted_, seed),
        "matcher": full_rankings(matcher),
    }
