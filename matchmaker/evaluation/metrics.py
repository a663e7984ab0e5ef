"""Ranking metrics over labelled German-Chinese pairs, per direction, with baselines.

Labelled pairs have columns ``de_id, cn_id, grade`` (0-3, by judgement). A pair counts as
relevant from ``relevant_grade`` up (default 2). Metrics read a ranked list
``source_id, rank, target_id`` (the recommendations table) and are averaged over the sources that
have at least one relevant labelled partner:

- Recall@k: share of the source's relevant partners within its top k.
- Precision@k: relevant partners within the top k, divided by k.
- MRR: 1 / rank of the first relevant partner (0 when none is in the list).
- nDCG@k: graded; gain = grade, discount 1 / log2(rank + 1), as scikit-learn's ``ndcg_score``;
  unlabelled partners gain 0.

Any table with ``de_id, cn_id, grade`` serves as labels: the demo pairs, or outcomes users recorded
on their shortlists (agreement 3, met 2, contacted 1, declined 0); extra columns are ignored.
Labelled pairs are read by :mod:`matchmaker.io.pairs`; baseline rankings live in
:mod:`matchmaker.evaluation.baselines`; confidence intervals and paired comparisons in
:mod:`matchmaker.evaluation.significance`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from matchmaker import vocab as V
from matchmaker.vocab import DIRECTIONS, Direction

METRICS = ("recall", "precision", "mrr", "ndcg")


def oriented_labels(pairs: pd.DataFrame, direction: Direction) -> pd.DataFrame:
    """Labels as ``source_id, target_id, grade`` for one direction."""
    source, target = (V.DE_ID, V.CN_ID) if direction == "de_to_cn" else (V.CN_ID, V.DE_ID)
    frame = pairs[[source, target, V.GRADE]].rename(columns={source: V.SOURCE_ID, target: V.TARGET_ID})
    frame = frame.astype({V.SOURCE_ID: str, V.TARGET_ID: str})
    frame[V.GRADE] = frame[V.GRADE].astype(float)
    return frame.groupby([V.SOURCE_ID, V.TARGET_ID], as_index=False)[V.GRADE].max()


def per_source_metrics(
    ranked: pd.DataFrame, labels: pd.DataFrame, k: int = 10, relevant_grade: float = 2
) -> pd.DataFrame:
    """One row per labelled source with at least one relevant partner: recall, precision, mrr, ndcg.

    ``ranked``: source_id, rank, target_id (rank 1 = best; need not be cut at k).
    ``labels``: source_id, target_id, grade for the same direction."""
    grades = {(s, t): g for s, t, g in labels[[V.SOURCE_ID, V.TARGET_ID, V.GRADE]].itertuples(index=False)}
    relevant = labels[labels[V.GRADE] >= relevant_grade].groupby(V.SOURCE_ID)[V.TARGET_ID].apply(set).to_dict()
    all_grades = labels.groupby(V.SOURCE_ID)[V.GRADE].apply(lambda g: sorted(g, reverse=True)).to_dict()
    lists = ranked.sort_values([V.SOURCE_ID, V.RANK]).groupby(V.SOURCE_ID)[V.TARGET_ID].apply(list).to_dict()
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    rows = []
    for source, wanted in relevant.items():
        ranking = lists.get(source, [])
        top = ranking[:k]
        hits = [t in wanted for t in top]
        first = next((i for i, t in enumerate(ranking) if t in wanted), None)
        gains = np.array([grades.get((source, t), 0.0) for t in top])
        ideal = np.array(all_grades[source][:k])
        dcg = float((gains * discounts[: len(gains)]).sum())
        idcg = float((ideal * discounts[: len(ideal)]).sum())
        rows.append(
            {
                V.SOURCE_ID: source,
                "recall": sum(hits) / len(wanted),
                "precision": sum(hits) / k,
                "mrr": 0.0 if first is None else 1.0 / (first + 1),
                "ndcg": dcg / idcg if idcg > 0 else 0.0,
            }
        )
    return pd.DataFrame(rows, columns=[V.SOURCE_ID, *METRICS])


def source_metrics(ranked: pd.DataFrame, pairs: pd.DataFrame, k: int = 10, relevant_grade: float = 2) -> pd.DataFrame:
    """:func:`per_source_metrics` for both directions of one recommendations table (German and
    Chinese sources together), with a ``direction`` column: the input of the bootstrap and of
    paired comparisons in :mod:`matchmaker.evaluation.significance`."""
    return direction_metrics(dict.fromkeys(DIRECTIONS, ranked), pairs, k, relevant_grade)


def direction_metrics(
    ranked: Mapping[Direction, pd.DataFrame], pairs: pd.DataFrame, k: int = 10, relevant_grade: float = 2
) -> pd.DataFrame:
    """:func:`source_metrics` when each direction has its own ranking table (``ranked[direction]``)."""
    parts = [
        per_source_metrics(ranked[direction], oriented_labels(pairs, direction), k, relevant_grade).assign(
            direction=direction
        )
        for direction in DIRECTIONS
    ]
    return pd.concat(parts, ignore_index=True)[["direction", V.SOURCE_ID, *METRICS]]


@dataclass(frozen=True)
class EvaluationResult:
    table: pd.DataFrame  # columns: system, direction, metric, value, sources

    def pivot(self) -> pd.DataFrame:
        return self.table.pivot_table(index=["system", "direction"], columns="metric", values="value").reindex(
            columns=list(METRICS)
        )


def evaluate_rankings(
    rankings: dict[str, pd.DataFrame], pairs: pd.DataFrame, k: int = 10, relevant_grade: float = 2
) -> EvaluationResult:
    """Metrics per system and direction. ``rankings[system]`` is a recommendations table."""
    rows = []
    for system, ranked in rankings.items():
        per_system = source_metrics(ranked, pairs, k, relevant_grade)
        for direction in DIRECTIONS:
            per_source = per_system[per_system["direction"] == direction]
            for metric in METRICS:
                rows.append(
                    {
                        "system": system,
                        "direction": direction,
                        "metric": metric,
                        "value": float(per_source[metric].mean()) if len(per_source) else float("nan"),
                        "sources": len(per_source),
                    }
                )
    return EvaluationResult(pd.DataFrame(rows))
