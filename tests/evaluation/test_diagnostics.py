"""Diagnostics on tiny planted tables whose answers are known by construction."""

import numpy as np
import pandas as pd
import pytest

from matchmaker.errors import ParameterError
from matchmaker.evaluation.diagnostics import (
    calibration,
    company_attributes,
    exposure,
    exposure_summary,
    gini,
    labelled_scores,
    language_bias,
    pair_scores,
    worst_pairs,
)
from matchmaker.scoring.matcher import Matcher

ATTRIBUTES = pd.DataFrame(
    {
        "id": ["D1", "D2", "D3", "D4", "C1", "C2", "C3", "C4"],
        "country": ["DE"] * 4 + ["CN"] * 4,
        "language": ["de", "de", "de", "en", "zh", "zh", "zh", "en"],
        "city": ["koeln", "koeln", "aachen", "aachen", "foshan", "foshan", "foshan", "nanning"],
    }
)


def top(lists: dict[str, list[str]]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"source_id": s, "rank": r + 1, "target_id": t} for s, ts in lists.items() for r, t in enumerate(ts)]
    )


def test_gini_is_zero_when_even_and_large_when_one_takes_all():
    assert gini(np.array([3, 3, 3, 3])) == 0.0
    assert gini(np.array([0, 0, 0, 12])) == pytest.approx(0.75)  # (n - 1) / n
    assert gini(np.array([])) == 0.0 and gini(np.zeros(4)) == 0.0


def test_exposure_even_and_concentrated():
    even = top({"D1": ["C1"], "D2": ["C2"], "D3": ["C3"], "D4": ["C4"]})
    summary = exposure_summary(exposure(even, ATTRIBUTES)).set_index("direction")
    assert summary.loc["de_to_cn", "gini"] == 0.0 and summary.loc["de_to_cn", "never_shown"] == 0.0
    one = top({"D1": ["C3"], "D2": ["C3"], "D3": ["C3"], "D4": ["C3"]})
    table = exposure(one, ATTRIBUTES)
    assert table.iloc[0][["key", "appearances", "share"]].tolist() == ["C3", 4, 1.0]
    summary = exposure_summary(table).set_index("direction")
    assert summary.loc["de_to_cn", "gini"] == pytest.approx(0.75) and summary.loc["de_to_cn", "top10_share"] == 1.0
    assert summary.loc["de_to_cn", "never_shown"] == 0.75
    cities = exposure(one, ATTRIBUTES, by="city").set_index("key")
    assert cities.loc["foshan", ["companies", "appearances", "pool_share"]].tolist() == [3, 4, 0.75]
    assert cities.loc["nanning", "appearances"] == 0
    with pytest.raises(ParameterError, match="by must be one of"):
        exposure(one, ATTRIBUTES, by="sector")


def test_language_bias_compares_with_the_candidate_pool():
    # every German company gets the one English-language Chinese company: pool share 1/4, observed 1
    table = language_bias(top({"D1": ["C4"], "D2": ["C4"], "D3": ["C4"]}), ATTRIBUTES)
    row = table.set_index(["direction", "source_language", "target_language"]).loc[("de_to_cn", "de", "en")]
    assert row["share"] == 1.0 and row["expected"] == 0.25 and row["ratio"] == 4.0


def test_calibration_bins_count_and_rates():
    labelled = pd.DataFrame({"score": [0.1, 0.2, 0.3, 0.4, 0.7, 0.8, 0.9, 1.0], "grade": [0, 0, 1, 2, 2, 3, 3, 3]})
    table = calibration(labelled, bins=2)
    assert table["pairs"].tolist() == [4, 4]
    assert table["relevant_rate"].tolist() == [0.25, 1.0]
    assert table["mean_grade"].tolist() == [0.75, 2.75]
    assert table["low"].iloc[0] == 0.1 and table["high"].iloc[-1] == 1.0
    uniform = calibration(labelled, bins=3, strategy="uniform")
    assert uniform["pairs"].sum() == 8 and uniform["relevant_rate"].is_monotonic_increasing
    assert calibration(labelled.assign(score=0.5), bins=4)["pairs"].tolist() == [8]


def test_worst_pairs_finds_the_planted_misses_and_false_alarms():
    ranked = top({"D1": ["C1", "C2", "C3", "C4"], "D2": ["C3", "C1", "C4", "C2"]})
    pairs = pd.DataFrame(
        {
            "de_id": ["D1", "D1", "D2", "D2"],
            "cn_id": ["C1", "C4", "C2", "C3"],
            "grade": [3, 0, 3, 0],
            "reason": ["good", "no", "planted miss", "planted alarm"],
        }
    )
    table = worst_pairs(ranked, pairs, n=1)
    german = table[table["direction"] == "de_to_cn"].set_index("kind")
    assert german.loc["missed", ["source_id", "target_id", "rank", "reason"]].tolist() == [
        "D2",
        "C2",
        4,
        "planted miss",
    ]
    assert german.loc["false alarm", ["source_id", "target_id", "rank", "reason"]].tolist() == [
        "D2",
        "C3",
        1,
        "planted alarm",
    ]
    assert (table["direction"] == "cn_to_de").sum() == 0  # no Chinese lists ranked


def test_pair_scores_cover_every_pair_and_agree_with_the_matcher(planted_profiles, domain_encoder):
    matcher = Matcher().fit(planted_profiles, encoder=domain_encoder)
    scores = pair_scores(matcher)
    assert len(scores) == 36 and set(scores["language_pair"]) == {"de-zh"}
    one = matcher.recommend("DE1", k=6).set_index("target_id")["score"]
    mine = scores[scores["de_id"] == "DE1"].set_index("cn_id")["score"]
    assert np.allclose(mine.loc[one.index], one, atol=1e-5)
    labelled = labelled_scores(
        scores, pd.DataFrame({"de_id": ["DE1", "DE9"], "cn_id": ["CN1", "CN1"], "grade": [3, 0]})
    )
    assert labelled["de_id"].tolist() == ["DE1"]  # the unknown company is dropped
    attributes = company_attributes(matcher.fitted_)
    assert attributes["city"].tolist()[:2] == ["koeln", "foshan"] and len(attributes) == 12
