"""Ranking metrics on hand-worked examples, against scikit-learn, and at their extremes."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import ndcg_score

from matchmaker.evaluation import evaluate_rankings, oriented_labels, per_source_metrics

PAIRS = pd.DataFrame({"de_id": ["D1", "D1", "D1", "D2"], "cn_id": ["C1", "C2", "C3", "C2"], "grade": [3, 2, 0, 3]})


def ranked(lists: dict[str, list[str]]) -> pd.DataFrame:
    return pd.DataFrame([{"source_id": s, "rank": r + 1, "target_id": t} for s, ts in lists.items() for r, t in enumerate(ts)])


def test_perfect_ranking_scores_one():
    metrics = per_source_metrics(ranked({"D1": ["C1", "C2", "C3", "C4"], "D2": ["C2", "C1"]}), oriented_labels(PAIRS, "de_to_cn"), k=2)
    assert metrics[["recall", "mrr", "ndcg"]].to_numpy().min() == 1.0


def test_no_hits_score_zero():
    metrics = per_source_metrics(ranked({"D1": ["C4", "C3"], "D2": ["C9"]}), oriented_labels(PAIRS, "de_to_cn"), k=2)
    assert metrics[["recall", "precision", "mrr", "ndcg"]].to_numpy().max() == 0.0


def test_hand_worked_example():
    # D1 ranks C3 (grade 0), C2 (grade 2), C1 (grade 3); relevant = grade >= 2 = {C1, C2}
    metrics = per_source_metrics(ranked({"D1": ["C3", "C2", "C1"]}), oriented_labels(PAIRS, "de_to_cn"), k=2).iloc[0]
    assert metrics["recall"] == pytest.approx(0.5)
    assert metrics["precision"] == pytest.approx(0.5)
    assert metrics["mrr"] == pytest.approx(0.5)
    dcg = 0 / np.log2(2) + 2 / np.log2(3)
    idcg = 3 / np.log2(2) + 2 / np.log2(3)
    assert metrics["ndcg"] == pytest.approx(dcg / idcg)


def test_ndcg_matches_scikit_learn():
    rng = np.random.default_rng(3)
    targets = [f"C{i}" for i in range(12)]
    grades = rng.integers(0, 4, len(targets))
    grades[0] = 3
    pairs = pd.DataFrame({"de_id": "D1", "cn_id": targets, "grade": grades})
    scores = rng.random(len(targets))
    order = [targets[i] for i in np.argsort(-scores)]
    ours = per_source_metrics(ranked({"D1": order}), oriented_labels(pairs, "de_to_cn"), k=5).iloc[0]["ndcg"]
    assert ours == pytest.approx(ndcg_score([grades], [scores], k=5))


def test_directions_are_separate():
    rankings = {"system": ranked({"D1": ["C1"], "C2": ["D2", "D1"]})}
    table = evaluate_rankings(rankings, PAIRS, k=1).table.set_index(["direction", "metric"])["value"]
    # Chinese sources with relevant partners: C1 {D1} has no list (0), C2 {D1, D2} ranks D2 first (1)
    assert table[("cn_to_de", "mrr")] == pytest.approx(0.5)
    # German sources: D1 finds C1 of {C1, C2} (0.5); D2 {C2} has no list (0)
    assert table[("de_to_cn", "recall")] == pytest.approx(0.25)
