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
Confidence intervals and paired comparisons: :mod:`matchmaker.significance`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from matchmaker import config as C
from matchmaker.errors import LabelsError
from matchmaker.exports import restore_cell

Direction = Literal["de_to_cn", "cn_to_de"]
DIRECTIONS: tuple[Direction, ...] = ("de_to_cn", "cn_to_de")
METRICS = ("recall", "precision", "mrr", "ndcg")


PAIR_COLUMNS = ("de_id", "cn_id", "grade")


def load_pairs(path: Path | str) -> pd.DataFrame:
    """Read labelled pairs from a CSV with at least ``de_id, cn_id, grade`` (grade a number, 0-3 by
    convention; higher = better fit). Ids are read as text; other columns are kept."""
    path = Path(path)
    if not path.is_file():
        raise LabelsError(f"The pairs file {path} does not exist. Expected a CSV with de_id, cn_id, grade (0-3), "
                          f"e.g. {C.DEMO_PAIRS} or a file exported from recorded outcomes.")
    pairs = pd.read_csv(path, dtype={"de_id": str, "cn_id": str}, encoding="utf-8-sig")
    for column in ("de_id", "cn_id"):
        if column in pairs:  # files exported for spreadsheets carry neutralised ids ('=x); read them back as given
            pairs[column] = pairs[column].map(restore_cell)
    return check_pairs(pairs, str(path))


def check_pairs(pairs: pd.DataFrame, name: str = "the labelled pairs") -> pd.DataFrame:
    """``pairs`` with a float ``grade``; a :class:`LabelsError` naming every bad row otherwise."""
    missing = [c for c in PAIR_COLUMNS if c not in pairs.columns]
    if missing:
        raise LabelsError(f"{name} lacks the columns {missing}; expected de_id, cn_id, grade. "
                          f"Found: {', '.join(map(str, pairs.columns))}.")
    grades = pd.to_numeric(pairs["grade"], errors="coerce")
    bad = np.flatnonzero(grades.isna().to_numpy())
    if len(bad):
        rows = ", ".join(str(i + 2) for i in bad[:10]) + (" ..." if len(bad) > 10 else "")
        raise LabelsError(f"{name}: the grade must be a number (0-3) in every row; rows {rows} (line numbers, header = 1) "
                          f"hold {pairs['grade'].iloc[bad[0]]!r} and the like. Fill in a grade or drop those rows.")
    return pairs.assign(grade=grades.astype(float))


def oriented_labels(pairs: pd.DataFrame, direction: Direction) -> pd.DataFrame:
    """Labels as ``source_id, target_id, grade`` for one direction."""
    source, target = ("de_id", "cn_id") if direction == "de_to_cn" else ("cn_id", "de_id")
    frame = pairs[[source, target, "grade"]].rename(columns={source: C.SOURCE_ID, target: C.TARGET_ID})
    frame = frame.astype({C.SOURCE_ID: str, C.TARGET_ID: str})
    frame["grade"] = frame["grade"].astype(float)
    return frame.groupby([C.SOURCE_ID, C.TARGET_ID], as_index=False)["grade"].max()


def per_source_metrics(ranked: pd.DataFrame, labels: pd.DataFrame, k: int = 10, relevant_grade: float = 2) -> pd.DataFrame:
    """One row per labelled source with at least one relevant partner: recall, precision, mrr, ndcg.

    ``ranked``: source_id, rank, target_id (rank 1 = best; need not be cut at k).
    ``labels``: source_id, target_id, grade for the same direction."""
    grades = {(s, t): g for s, t, g in labels[[C.SOURCE_ID, C.TARGET_ID, "grade"]].itertuples(index=False)}
    relevant = labels[labels["grade"] >= relevant_grade].groupby(C.SOURCE_ID)[C.TARGET_ID].apply(set).to_dict()
    all_grades = labels.groupby(C.SOURCE_ID)["grade"].apply(lambda g: sorted(g, reverse=True)).to_dict()
    lists = ranked.sort_values([C.SOURCE_ID, C.RANK]).groupby(C.SOURCE_ID)[C.TARGET_ID].apply(list).to_dict()
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    rows = []
    for source, wanted in relevant.items():
        ranking = lists.get(source, [])
        top = ranking[:k]
        hits = [t in wanted for t in top]
        first = next((i for i, t in enumerate(ranking) if t in wanted), None)
        gains = np.array([grades.get((source, t), 0.0) for t in top])
        ideal = np.array(all_grades[source][:k])
        dcg = float((gains * discounts[:len(gains)]).sum())
        idcg = float((ideal * discounts[:len(ideal)]).sum())
        rows.append({C.SOURCE_ID: source, "recall": sum(hits) / len(wanted), "precision": sum(hits) / k,
                     "mrr": 0.0 if first is None else 1.0 / (first + 1), "ndcg": dcg / idcg if idcg > 0 else 0.0})
    return pd.DataFrame(rows, columns=[C.SOURCE_ID, *METRICS])


def source_metrics(ranked: pd.DataFrame, pairs: pd.DataFrame, k: int = 10, relevant_grade: float = 2) -> pd.DataFrame:
    """:func:`per_source_metrics` for both directions of one recommendations table (German and
    Chinese sources together), with a ``direction`` column: the input of the bootstrap and of
    paired comparisons in :mod:`matchmaker.significance`."""
    return direction_metrics(dict.fromkeys(DIRECTIONS, ranked), pairs, k, relevant_grade)


def direction_metrics(ranked: Mapping[Direction, pd.DataFrame], pairs: pd.DataFrame, k: int = 10,
                      relevant_grade: float = 2) -> pd.DataFrame:
    """:func:`source_metrics` when each direction has its own ranking table (``ranked[direction]``)."""
    parts = [per_source_metrics(ranked[direction], oriented_labels(pairs, direction), k, relevant_grade).assign(direction=direction)
             for direction in DIRECTIONS]
    return pd.concat(parts, ignore_index=True)[["direction", C.SOURCE_ID, *METRICS]]


@dataclass(frozen=True)
class EvaluationResult:
    table: pd.DataFrame  # columns: system, direction, metric, value, sources

    def pivot(self) -> pd.DataFrame:
        return self.table.pivot_table(index=["system", "direction"], columns="metric", values="value").reindex(columns=list(METRICS))


def evaluate_rankings(rankings: dict[str, pd.DataFrame], pairs: pd.DataFrame, k: int = 10,
                      relevant_grade: float = 2) -> EvaluationResult:
    """Metrics per system and direction. ``rankings[system]`` is a recommendations table."""
    rows = []
    for system, ranked in rankings.items():
        per_system = source_metrics(ranked, pairs, k, relevant_grade)
        for direction in DIRECTIONS:
            per_source = per_system[per_system["direction"] == direction]
            for metric in METRICS:
                rows.append({"system": system, "direction": direction, "metric": metric,
                             "value": float(per_source[metric].mean()) if len(per_source) else float("nan"),
                             "sources": len(per_source)})
    return EvaluationResult(pd.DataFrame(rows))


def full_rankings(matcher, weights: object = None) -> pd.DataFrame:
    """Every target ranked for every source (both directions) by a fitted matcher."""
    from matchmaker.scoring import combine

    resolved = matcher.resolved_weights(weights)
    return _rank_by(matcher, lambda s, t: combine(matcher.component_matrix(s, t, resolved.active), resolved)[0])


def sector_code_rankings(matcher, seed: int = 0) -> pd.DataFrame:
    """The code-based portal's ranking: value-chain affinity of the given NACE codes only (no text,
    nothing inferred), ties broken at random (seeded). Companies without a code score 0."""
    position = {code: i for i, code in enumerate(matcher.divisions_)}
    codes = matcher.profiles_[C.NACE_DIVISION].map(lambda d: position.get(d, -1)).to_numpy()
    one_hot = np.zeros((len(codes), len(position)), dtype=np.float32)
    one_hot[codes >= 0, codes[codes >= 0]] = 1.0
    rng = np.random.default_rng(seed)

    def score(sources: np.ndarray, targets: np.ndarray) -> np.ndarray:
        base = one_hot[sources] @ matcher.affinity_ @ one_hot[targets].T
        return base + 1e-4 * rng.random(base.shape, dtype=np.float32)

    return _rank_by(matcher, score)


def ranking_frame(source_ids: np.ndarray, target_ids: np.ndarray, score: np.ndarray) -> pd.DataFrame:
    """Every target ranked for every source by ``score`` (sources x targets), best first."""
    order = np.argsort(-score, axis=1, kind="stable")
    return pd.DataFrame({C.SOURCE_ID: np.repeat(source_ids, len(target_ids)),
                         C.RANK: np.tile(np.arange(1, len(target_ids) + 1), len(source_ids)),
                         C.TARGET_ID: target_ids[order].ravel()})


def _rank_by(matcher, score_of) -> pd.DataFrame:
    parts = []
    for src_country, tgt_country in (("DE", "CN"), ("CN", "DE")):
        sources = np.flatnonzero(matcher.country_ == src_country)
        targets = np.flatnonzero(matcher.country_ == tgt_country)
        if not len(sources) or not len(targets):
            continue
        parts.append(ranking_frame(matcher.ids_[sources], matcher.ids_[targets], score_of(sources, targets)))
    return pd.concat(parts, ignore_index=True)


def random_rankings(matcher, seed: int = 0) -> pd.DataFrame:
    """A seeded uniformly random ranking: the chance baseline."""
    rng = np.random.default_rng(seed)
    parts = []
    for src_country, tgt_country in (("DE", "CN"), ("CN", "DE")):
        sources = matcher.ids_[matcher.country_ == src_country]
        targets = matcher.ids_[matcher.country_ == tgt_country]
        for source in sources:
            parts.append(pd.DataFrame({C.SOURCE_ID: source, C.RANK: np.arange(1, len(targets) + 1),
                                       C.TARGET_ID: rng.permutation(targets)}))
    return pd.concat(parts, ignore_index=True)


def system_rankings(matcher, seed: int = 0) -> dict[str, pd.DataFrame]:
    """Full rankings of the matcher and of the random and sector-codes-only baselines."""
    return {
        "random": random_rankings(matcher, seed),
        "sector codes only": sector_code_rankings(matcher, seed),
        "matcher": full_rankings(matcher),
    }


def evaluate_matcher(matcher, pairs: pd.DataFrame, k: int = 10, relevant_grade: float = 2, seed: int = 0) -> EvaluationResult:
    """The matcher against the random and the sector-codes-only baselines, in one run."""
    return evaluate_rankings(system_rankings(matcher, seed), pairs, k, relevant_grade)
