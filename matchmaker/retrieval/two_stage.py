"""Two-stage ranking: candidates by inner product (:mod:`.vectors`, :mod:`.index`), then the exact
hybrid score, contributions and order on those candidates only.

The result has exactly the columns and order of :func:`matchmaker.scoring.ranking.rank_exhaustive`;
it differs only where the true top k of a source lies outside its ``candidates`` best by inner product
(``recall_against`` measures how often).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from matchmaker import vocab as V
from matchmaker.errors import ParameterError
from matchmaker.retrieval.index import IndexKind, top_candidates
from matchmaker.retrieval.vectors import candidate_vectors
from matchmaker.scoring.fitted import FittedMatcher
from matchmaker.scoring.matcher import Matcher
from matchmaker.scoring.ranking import empty_recommendations, top_k_indices
from matchmaker.scoring.weights import Weights, weighted_sum

DEFAULT_CANDIDATES = (
    200  # per source: recall of the exact top-20 0.999 on real and demo data at 100, 0.995 on synthetic at 200
)
QUERY_BLOCK = 256  # sources searched and re-ranked at a time: a block's candidate features stay near 100 MB


def rank_two_stage(
    fitted: FittedMatcher,
    sources: np.ndarray,
    targets: np.ndarray,
    k: int,
    weights: Weights,
    candidates: int = DEFAULT_CANDIDATES,
    index: IndexKind = "flat",
) -> pd.DataFrame:
    """The recommendations table of ``sources`` over ``targets``: ``min(k, len(targets))`` rows per
    source, exact scores and weighted contributions, ranked among each source's ``candidates`` best
    targets by the approximate inner product."""
    if not isinstance(candidates, (int, np.integer)) or candidates < k:
        raise ParameterError(f"candidates must be a whole number >= k ({k}). Got {candidates!r} instead.")
    names = weights.active
    if not len(sources) or not len(targets):
        return empty_recommendations(names)
    k = min(k, len(targets))
    vectors = candidate_vectors(fitted, sources, targets, weights)
    target_features = fitted.features.take(targets)
    pieces = []
    for start in range(0, len(sources), QUERY_BLOCK):
        rows = sources[start : start + QUERY_BLOCK]
        # candidates in target order, so that ties break by position exactly as in the exhaustive ranking
        found = np.sort(
            top_candidates(vectors.keys, vectors.queries[start : start + QUERY_BLOCK], candidates, index), axis=1
        )
        width = found.shape[1]
        pairs_source = np.repeat(rows, width)
        pairs_target = found.ravel()
        values = fitted.components_of(
            fitted.features.take(pairs_source), target_features.take(pairs_target), names, pairwise=True
        )
        score = weighted_sum(values, weights).reshape(len(rows), width)
        order = top_k_indices(score, k)
        chosen = np.take_along_axis(found, order, axis=1).ravel()
        flat = (np.arange(len(rows))[:, None] * width + order).ravel()
        piece = {
            V.SOURCE_ID: fitted.ids[np.repeat(rows, k)],
            V.RANK: np.tile(np.arange(1, k + 1), len(rows)),
            V.TARGET_ID: fitted.ids[targets[chosen]],
            V.SCORE: score.ravel()[flat],
        }
        for name in names:
            piece[name] = values[name][flat] * np.float32(weights[name])
        pieces.append(pd.DataFrame(piece))
    return pd.concat(pieces, ignore_index=True)[[V.SOURCE_ID, V.RANK, V.TARGET_ID, V.SCORE, *names]]


def recommend_all_two_stage(
    matcher: Matcher,
    k: int = 10,
    weights: Weights | None = None,
    candidates: int = DEFAULT_CANDIDATES,
    index: IndexKind = "flat",
) -> pd.DataFrame:
    """:meth:`Matcher.recommend_all` through the two stages: German -> Chinese rows, then Chinese -> German."""
    fitted, resolved = matcher.fitted_, matcher.weights_for(weights)
    parts = [rank_two_stage(fitted, *fitted.sides(d), k, resolved, candidates, index) for d in V.DIRECTIONS]
    return pd.concat(parts, ignore_index=True)


def recall_against(exact: pd.DataFrame, approximate: pd.DataFrame) -> float:
    """Share of the exact top-k (source, target) pairs that the approximate table also holds."""
    truth = set(zip(exact[V.SOURCE_ID], exact[V.TARGET_ID]))
    found = set(zip(approximate[V.SOURCE_ID], approximate[V.TARGET_ID]))
    return len(truth & found) / max(len(truth), 1)
