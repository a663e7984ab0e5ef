"""Choose component weights by measurement: random search over the weight simplex, scored by
cross-validation over the labelled source companies (weights are chosen on the other folds and
scored on the held-out fold, so the reported figure is not the one that was optimised)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from matchmaker import config as C
from matchmaker.evaluation import DIRECTIONS, oriented_labels, per_source_metrics, ranking_frame
from matchmaker.features import COMPONENTS


class ComponentCache:
    """Raw component matrices of a fitted matcher for both directions, computed once, so a
    weight setting is scored with a weighted sum and a sort."""

    def __init__(self, matcher, names: tuple[str, ...] = COMPONENTS) -> None:
        self.names = names
        self.sides = {}
        for direction, (src, tgt) in zip(DIRECTIONS, (("DE", "CN"), ("CN", "DE"))):
            sources = np.flatnonzero(matcher.country_ == src)
            targets = np.flatnonzero(matcher.country_ == tgt)
            values = matcher.component_matrix(sources, targets, names)
            self.sides[direction] = (matcher.ids_[sources], matcher.ids_[targets], np.stack([values[n] for n in names]))

    def rankings(self, weights: dict[str, float], direction: str) -> pd.DataFrame:
        sources, targets, stack = self.sides[direction]
        vector = np.array([weights.get(n, 0.0) for n in self.names], dtype=np.float32)
        return ranking_frame(sources, targets, np.tensordot(vector, stack, axes=1))


def per_source_table(cache: ComponentCache, weights: dict[str, float], pairs: pd.DataFrame, k: int) -> pd.DataFrame:
    """Per-source metrics for both directions (column ``direction`` added)."""
    parts = []
    for direction in DIRECTIONS:
        metrics = per_source_metrics(cache.rankings(weights, direction), oriented_labels(pairs, direction), k)
        metrics["direction"] = direction
        parts.append(metrics)
    return pd.concat(parts, ignore_index=True)


def random_weights(count: int, names: tuple[str, ...], seed: int = 0, fixed: dict[str, float] | None = None) -> list[dict[str, float]]:
    """``count`` weight settings drawn uniformly from the simplex over ``names`` (rounded to 0.05)."""
    rng = np.random.default_rng(seed)
    settings = []
    for draw in rng.dirichlet(np.ones(len(names)), size=count):
        rounded = np.round(draw / 0.05) * 0.05
        if rounded.sum() == 0:
            continue
        settings.append({n: float(v) for n, v in zip(names, rounded / rounded.sum())} | (fixed or {}))
    return settings


def cross_validated_search(cache: ComponentCache, pairs: pd.DataFrame, candidates: list[dict[str, float]], k: int = 10,
                           metric: str = "ndcg", folds: int = 5, seed: int = 0) -> tuple[dict[str, float], pd.DataFrame]:
    """The candidate with the best mean ``metric`` over all labelled sources, and a table of the
    cross-validated figure: for each fold, the best candidate on the other folds, scored on it."""
    tables = [per_source_table(cache, w, pairs, k) for w in candidates]
    sources = tables[0][C.SOURCE_ID].unique()
    rng = np.random.default_rng(seed)
    fold_of = dict(zip(sources, rng.permutation(len(sources)) % folds))
    rows = []
    for fold in range(folds):
        train_means = [t[t[C.SOURCE_ID].map(fold_of) != fold][metric].mean() for t in tables]
        chosen = int(np.argmax(train_means))
        test = tables[chosen][tables[chosen][C.SOURCE_ID].map(fold_of) == fold]
        rows.append({"fold": fold, "chosen": chosen, "train": train_means[chosen], "test": test[metric].mean(), "sources": len(test)})
    best = int(np.argmax([t[metric].mean() for t in tables]))
    return candidates[best], pd.DataFrame(rows)
