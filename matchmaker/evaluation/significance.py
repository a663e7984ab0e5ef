"""How sure a figure is: bootstrap confidence intervals over labelled source companies, and paired
comparisons of two rankings (two weight settings) on the same labelled pairs.

Both read per-source tables (:func:`matchmaker.evaluation.metrics.source_metrics`): one row per labelled
source company with at least one relevant partner, columns ``direction, source_id`` and one column
per metric. The unit that is resampled is the source company, within each direction, because the
figures are means over source companies and their errors are independent between companies, not
between pairs of one company.

- :func:`bootstrap_intervals`: percentile interval of each mean, from ``n_resamples`` resamples
  of the sources with replacement (the same resample for every metric of a direction).
- :func:`paired_comparison`: per direction and metric, the mean of ``candidate - baseline`` over
  the same sources, its paired bootstrap interval, and a two-sided sign-flip permutation p-value
  (the null: for every source, the two systems are exchangeable).

Everything is seeded: the same ``seed`` gives identical tables.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from matchmaker import vocab as V
from matchmaker.errors import LabelsError, ParameterError
from matchmaker.evaluation.baselines import full_rankings
from matchmaker.evaluation.metrics import METRICS, source_metrics
from matchmaker.scoring.matcher import Matcher
from matchmaker.scoring.weights import Weights
from matchmaker.vocab import DIRECTIONS

INTERVAL_COLUMNS = ["system", "direction", "metric", "value", "low", "high", "sources"]
COMPARISON_COLUMNS = [
    "direction",
    "metric",
    "baseline",
    "candidate",
    "difference",
    "low",
    "high",
    "p_value",
    "better",
    "worse",
    "sources",
]


def _check(n_resamples: int, confidence: float) -> None:
    if not isinstance(n_resamples, (int, np.integer)) or isinstance(n_resamples, bool) or n_resamples < 1:
        raise ParameterError(f"n_resamples must be a positive int (e.g. 1000). Got {n_resamples!r} instead.")
    if not 0 < confidence < 1:
        raise ParameterError(f"confidence must lie strictly between 0 and 1 (e.g. 0.95). Got {confidence!r} instead.")


def _metric_columns(table: pd.DataFrame) -> list[str]:
    return [m for m in METRICS if m in table.columns]


def bootstrap_intervals(
    per_source: pd.DataFrame, system: str = "system", n_resamples: int = 1000, confidence: float = 0.95, seed: int = 0
) -> pd.DataFrame:
    """Mean of each metric per direction with its percentile bootstrap interval.

    Returns one row per (direction, metric): ``system, direction, metric, value, low, high,
    sources``; ``value`` is the plain mean, ``low <= value <= high`` up to resampling noise (a
    ranking that is perfect for every source gives ``[1, 1]``). A direction without labelled
    sources gives NaN figures and ``sources = 0``."""
    _check(n_resamples, confidence)
    rng = np.random.default_rng(seed)
    metrics = _metric_columns(per_source)
    tail = (1 - confidence) / 2
    rows = []
    for direction in DIRECTIONS:
        values = per_source.loc[per_source["direction"] == direction, metrics].to_numpy(dtype=float)
        n = len(values)
        if n:
            index = rng.integers(0, n, size=(n_resamples, n))
            means = values[index].mean(axis=1)  # resamples x metrics
            low, high = np.quantile(means, [tail, 1 - tail], axis=0)
            point = values.mean(axis=0)
        else:
            point = low = high = np.full(len(metrics), np.nan)
        for j, metric in enumerate(metrics):
            rows.append(
                {
                    "system": system,
                    "direction": direction,
                    "metric": metric,
                    "value": float(point[j]),
                    "low": float(low[j]),
                    "high": float(high[j]),
                    "sources": n,
                }
            )
    return pd.DataFrame(rows, columns=INTERVAL_COLUMNS)


def intervals_for_rankings(
    rankings: Mapping[str, pd.DataFrame],
    pairs: pd.DataFrame,
    k: int = 10,
    relevant_grade: float = 2,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """:func:`bootstrap_intervals` for several systems (``rankings[system]`` = a recommendations
    table, both directions), stacked; every system uses the same seed, hence the same resamples."""
    parts = [
        bootstrap_intervals(source_metrics(ranked, pairs, k, relevant_grade), system, n_resamples, confidence, seed)
        for system, ranked in rankings.items()
    ]
    return pd.concat(parts, ignore_index=True)


def _paired(baseline: pd.DataFrame, candidate: pd.DataFrame) -> pd.DataFrame:
    keys = ["direction", V.SOURCE_ID]
    left, right = baseline.set_index(keys).sort_index(), candidate.set_index(keys).sort_index()
    if not left.index.equals(right.index):
        only = left.index.symmetric_difference(right.index)
        raise LabelsError(
            f"The two per-source tables cover different labelled sources ({len(only)} differ, e.g. "
            f"{list(only[:3])}). Compute both with the same labelled pairs, k and relevant grade."
        )
    metrics = [m for m in _metric_columns(baseline) if m in right.columns]
    return pd.concat({"baseline": left[metrics], "candidate": right[metrics]}, axis=1)


def paired_comparison(
    baseline: pd.DataFrame, candidate: pd.DataFrame, n_resamples: int = 2000, confidence: float = 0.95, seed: int = 0
) -> pd.DataFrame:
    """Does ``candidate`` beat ``baseline`` on the same labelled sources?

    One row per (direction, metric): the two means, ``difference`` = candidate - baseline (> 0:
    the candidate is better), its paired bootstrap interval ``low``/``high``, a two-sided sign-flip
    permutation ``p_value`` in (0, 1] (1.0 when every source scores the same under both), and the
    number of sources where the candidate is better / worse. Raises :class:`LabelsError` when the
    two tables do not cover the same sources."""
    _check(n_resamples, confidence)
    joined = _paired(baseline, candidate)
    rng = np.random.default_rng(seed)
    tail = (1 - confidence) / 2
    rows = []
    for direction in DIRECTIONS:
        if direction not in joined.index.get_level_values("direction"):
            continue
        part = joined.xs(direction, level="direction")
        base = part["baseline"].to_numpy(dtype=float)
        cand = part["candidate"].to_numpy(dtype=float)
        diff = cand - base  # sources x metrics
        n = len(diff)
        resampled = diff[rng.integers(0, n, size=(n_resamples, n))].mean(axis=1)
        low, high = np.quantile(resampled, [tail, 1 - tail], axis=0)
        signs = rng.choice(np.array([-1.0, 1.0]), size=(n_resamples, n))
        permuted = np.abs(signs @ diff / n)  # resamples x metrics
        observed = np.abs(diff.mean(axis=0))
        extreme = (permuted >= observed - 1e-12).sum(axis=0)
        p_value = (1 + extreme) / (1 + n_resamples)
        for j, metric in enumerate(part["baseline"].columns):
            rows.append(
                {
                    "direction": direction,
                    "metric": metric,
                    "baseline": float(base[:, j].mean()),
                    "candidate": float(cand[:, j].mean()),
                    "difference": float(diff[:, j].mean()),
                    "low": float(low[j]),
                    "high": float(high[j]),
                    "p_value": float(p_value[j]),
                    "better": int((diff[:, j] > 1e-12).sum()),
                    "worse": int((diff[:, j] < -1e-12).sum()),
                    "sources": n,
                }
            )
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)


def compare_weights(
    matcher: Matcher,
    pairs: pd.DataFrame,
    baseline: Weights,
    candidate: Weights,
    k: int = 10,
    relevant_grade: float = 2,
    n_resamples: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """:func:`paired_comparison` of two weight settings on one fitted matcher."""
    tables = [
        source_metrics(full_rankings(matcher, weights), pairs, k, relevant_grade) for weights in (baseline, candidate)
    ]
    return paired_comparison(*tables, n_resamples=n_resamples, confidence=confidence, seed=seed)


def format_interval(value: float, low: float, high: float, digits: int = 3) -> str:
    """``0.842 [0.801, 0.879]``: a figure with its interval, for printed tables."""
    return f"{value:.{digits}f} [{low:.{digits}f}, {high:.{digits}f}]"
