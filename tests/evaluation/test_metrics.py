"""Ranking metrics on hand-worked examples, against scikit-learn, and at their extremes."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import ndcg_score

from matchmaker.errors import LabelsError, ParameterError
from matchmaker.evaluation.metrics import (
    METRICS,
    evaluate_rankings,
    oriented_labels,
    per_source_metrics,
    source_metrics,
)
from matchmaker.evaluation.significance import bootstrap_intervals, intervals_for_rankings, paired_comparison
from matchmaker.io.pairs import load_pairs

PAIRS = pd.DataFrame({"de_id": ["D1", "D1", "D1", "D2"], "cn_id": ["C1", "C2", "C3", "C2"], "grade": [3, 2, 0, 3]})


def ranked(lists: dict[str, list[str]]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"source_id": s, "rank": r + 1, "target_id": t} for s, ts in lists.items() for r, t in enumerate(ts)]
    )


def test_perfect_ranking_scores_one():
    metrics = per_source_metrics(
        ranked({"D1": ["C1", "C2", "C3", "C4"], "D2": ["C2", "C1"]}), oriented_labels(PAIRS, "de_to_cn"), k=2
    )
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


# --- precision, recall and MRR against scikit-learn --------------------------------------------


def test_precision_and_recall_match_scikit_learn():
    from sklearn.metrics import precision_score, recall_score

    rng = np.random.default_rng(7)
    targets = [f"C{i}" for i in range(15)]
    grades = rng.integers(0, 4, len(targets))
    grades[:2] = 3
    pairs = pd.DataFrame({"de_id": "D1", "cn_id": targets, "grade": grades})
    order = list(rng.permutation(targets))
    ours = per_source_metrics(ranked({"D1": order}), oriented_labels(pairs, "de_to_cn"), k=5).iloc[0]
    relevant = [int(g >= 2) for g in grades]
    in_top = [int(t in order[:5]) for t in targets]
    assert ours["precision"] == pytest.approx(precision_score(relevant, in_top))
    assert ours["recall"] == pytest.approx(recall_score(relevant, in_top))


def test_mrr_matches_scikit_learn_with_one_relevant_partner_each():
    from sklearn.metrics import label_ranking_average_precision_score

    rng = np.random.default_rng(11)
    targets = [f"C{i}" for i in range(8)]
    truth, scores, lists, rows = [], [], {}, []
    for s in range(6):
        source, wanted = f"D{s}", int(rng.integers(0, len(targets)))
        score = rng.random(len(targets))
        lists[source] = [targets[i] for i in np.argsort(-score)]
        truth.append([int(i == wanted) for i in range(len(targets))])
        scores.append(score)
        rows.append({"de_id": source, "cn_id": targets[wanted], "grade": 3})
    ours = per_source_metrics(ranked(lists), oriented_labels(pd.DataFrame(rows), "de_to_cn"), k=3)["mrr"].mean()
    assert ours == pytest.approx(label_ranking_average_precision_score(truth, scores))


# --- labelled pairs files, outcome exports included ---------------------------------------------


def test_load_pairs_accepts_an_outcome_export_with_extra_columns(tmp_path):
    path = tmp_path / "outcomes.csv"
    pd.DataFrame(
        {
            "de_id": ["D1", "D2"],
            "cn_id": ["C1", "C2"],
            "grade": [3, 0],
            "outcome": ["agreement", "declined"],
            "recorded_at": ["2026-01-02", "2026-01-03"],
        }
    ).to_csv(path, index=False)
    pairs = load_pairs(path)
    assert pairs["grade"].tolist() == [3.0, 0.0] and "outcome" in pairs.columns
    assert source_metrics(ranked({"D1": ["C2", "C1"]}), pairs, k=2).set_index("source_id").loc["D1", "mrr"] == 0.5


def test_load_pairs_names_every_bad_row_and_missing_columns(tmp_path):
    path = tmp_path / "bad.csv"
    pd.DataFrame({"de_id": ["D1", "D2", "D3"], "cn_id": ["C1", "C2", "C3"], "grade": ["3", "good", ""]}).to_csv(
        path, index=False
    )
    with pytest.raises(LabelsError, match=r"rows 3, 4"):
        load_pairs(path)
    pd.DataFrame({"de_id": ["D1"], "grade": [3]}).to_csv(path, index=False)
    with pytest.raises(LabelsError, match="cn_id"):
        load_pairs(path)
    with pytest.raises(LabelsError, match="does not exist"):
        load_pairs(tmp_path / "nowhere.csv")


# --- bootstrap intervals and paired comparisons -------------------------------------------------


def planted_per_source(n: int = 60, seed: int = 0, better_by: float = 0.0) -> pd.DataFrame:
    """Per-source metrics of ``n`` German and ``n`` Chinese sources, values in [0, 1]."""
    rng = np.random.default_rng(seed)
    rows = []
    for direction, prefix in (("de_to_cn", "D"), ("cn_to_de", "C")):
        for i in range(n):
            values = np.clip(rng.uniform(0.2, 0.8, len(METRICS)) + better_by, 0, 1)
            rows.append({"direction": direction, "source_id": f"{prefix}{i}", **dict(zip(METRICS, values))})
    return pd.DataFrame(rows)


def test_bootstrap_is_seeded_and_brackets_the_mean():
    table = planted_per_source()
    first = bootstrap_intervals(table, n_resamples=300, seed=5)
    assert first.equals(bootstrap_intervals(table, n_resamples=300, seed=5))
    other = bootstrap_intervals(table, n_resamples=300, seed=6)
    assert not np.allclose(first["low"], other["low"])
    assert (first["low"] <= first["value"]).all() and (first["value"] <= first["high"]).all()
    assert (first["high"] - first["low"] > 0.01).all()
    assert set(first["sources"]) == {60}
    mean = table.groupby("direction")["ndcg"].mean()["cn_to_de"]
    assert first.set_index(["direction", "metric"]).loc[("cn_to_de", "ndcg"), "value"] == pytest.approx(mean)


def test_a_perfect_ranking_has_the_interval_one_to_one():
    lists = {"D1": ["C1", "C2", "C3"], "D2": ["C2", "C1"]}
    intervals = intervals_for_rankings({"perfect": ranked(lists)}, PAIRS, k=2, n_resamples=200)
    german = intervals[(intervals["direction"] == "de_to_cn") & intervals["metric"].isin(["recall", "mrr", "ndcg"])]
    assert (german[["value", "low", "high"]].to_numpy() == 1.0).all()
    chinese = intervals[intervals["direction"] == "cn_to_de"]  # no Chinese list ranked: zeros, not errors
    assert (chinese["value"] == 0).all() and (chinese["sources"] == 2).all()


def test_identical_configurations_differ_by_nothing():
    table = planted_per_source()
    result = paired_comparison(table, table.sample(frac=1, random_state=1), n_resamples=500)
    assert (result["difference"] == 0).all() and (result[["low", "high"]].to_numpy() == 0).all()
    assert (result["p_value"] == 1.0).all() and (result["better"] == 0).all() and (result["worse"] == 0).all()


def test_a_planted_better_ranking_wins_with_an_interval_above_zero():
    baseline = planted_per_source(seed=1)
    candidate = baseline.copy()
    candidate[list(METRICS)] = np.clip(
        candidate[list(METRICS)] + np.random.default_rng(2).uniform(0.02, 0.12, (len(candidate), 4)), 0, 1
    )
    result = paired_comparison(baseline, candidate, n_resamples=1000, seed=3)
    assert (result["difference"] > 0).all() and (result["low"] > 0).all()
    assert (result["p_value"] < 0.01).all()
    reverse = paired_comparison(candidate, baseline, n_resamples=1000, seed=3)
    assert np.allclose(reverse["difference"], -result["difference"]) and (reverse["high"] < 0).all()
    assert result.equals(paired_comparison(baseline, candidate, n_resamples=1000, seed=3))


def test_paired_comparison_refuses_tables_of_different_sources():
    table = planted_per_source()
    with pytest.raises(LabelsError, match="different labelled sources"):
        paired_comparison(table, table.iloc[1:])
    with pytest.raises(ParameterError, match="n_resamples"):
        bootstrap_intervals(table, n_resamples=0)
