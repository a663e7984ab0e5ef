"""Weight search on planted pairs, and the versioned weights file it writes (CLI and notebook alike)."""

import datetime

import numpy as np
import pandas as pd
import pytest

from matchmaker.errors import ParameterError
from matchmaker.evaluation.tuning import (
    ComponentCache,
    choose_folds,
    company_folds,
    learn,
    learned_weights,
    random_weights,
    save_tuned_weights,
    search,
    tuned_weights,
)
from matchmaker.scoring.components import COMPONENTS
from matchmaker.scoring.matcher import Matcher
from matchmaker.scoring.weights import load_weights


@pytest.fixture
def planted(planted_profiles, domain_encoder, tmp_path):
    matcher = Matcher().fit(planted_profiles, encoder=domain_encoder)
    pairs = pd.DataFrame(
        [{"de_id": f"DE{i}", "cn_id": f"CN{i}", "grade": 3} for i in range(1, 7)]
        + [{"de_id": f"DE{i}", "cn_id": f"CN{i % 6 + 1}", "grade": 0} for i in range(1, 7)]
    )
    profiles_file, pairs_file = tmp_path / "companies.csv", tmp_path / "pairs.csv"
    planted_profiles.to_csv(profiles_file, index=False)
    pairs.to_csv(pairs_file, index=False)
    return ComponentCache(matcher), pairs, [profiles_file, pairs_file]


def test_search_scores_every_candidate_and_finds_the_semantic_partner(planted):
    cache, pairs, _ = planted
    candidates = [{"size": 1.0}, {"semantic": 1.0}, *random_weights(6, COMPONENTS, seed=2)]
    found = search(cache, pairs, candidates, k=1, folds=3, seed=0)
    assert len(found.trials) == len(candidates)
    assert set(COMPONENTS) | {"trial", "ndcg", "de_to_cn_ndcg", "cn_to_de_mrr"} <= set(found.trials.columns)
    assert (
        found.trials.loc[1, "ndcg"] == 1.0 and found.trials.loc[0, "ndcg"] < 1.0
    )  # text finds the planted partner, size cannot
    assert found.trials.loc[found.trials["ndcg"].idxmax(), "trial"] == found.best_trial
    assert candidates[found.best_trial] == found.best
    with pytest.raises(ParameterError, match="metric"):
        search(cache, pairs, candidates, metric="auc")


def test_tuned_weights_carry_their_provenance_and_load_back(planted, tmp_path):
    cache, pairs, files = planted
    weights = tuned_weights(
        {"semantic": 0.6666666, "terms": 0.3333333},
        cache,
        pairs,
        data_files=files,
        k=1,
        method="test",
        command="pytest",
        cross_validated=0.9,
        date=datetime.date(2026, 1, 2),
    )
    assert weights.as_dict()["semantic"] == 0.667 and weights.version.startswith("2026-01-02.")
    assert weights.provenance["de_to_cn_ndcg"] == 1.0 and weights.provenance["cross_validated_ndcg"] == 0.9
    assert weights.provenance["model"] == cache.model and len(weights.provenance["data_sha1"]) == 12
    other = tuned_weights(
        {"semantic": 1.0},
        cache,
        pairs,
        data_files=files,
        k=1,
        method="test",
        command="pytest",
        date=datetime.date(2026, 1, 2),
    )
    assert other.version != weights.version  # same day, same data, other weights: another version
    path = save_tuned_weights(weights, tmp_path / "out")
    assert path.name == f"weights-{weights.version}.toml"
    loaded = load_weights(path)
    assert loaded.as_dict() == weights.as_dict() and loaded.provenance["command"] == "pytest"
    assert save_tuned_weights(weights, tmp_path / "exact.toml").name == "exact.toml"


def test_company_folds_never_split_a_labelled_pair():
    pairs = pd.DataFrame(
        {
            "de_id": ["D1", "D1", "D2", "D3", "D4", "D5", "D6"],
            "cn_id": ["C1", "C2", "C2", "C3", "C4", "C5", "C6"],
            "grade": 3,
        }
    )
    fold_of = company_folds(pairs, folds=3, seed=0)
    assert set(fold_of) == set(pairs["de_id"]) | set(pairs["cn_id"])
    assert all(fold_of[d] == fold_of[c] for d, c in zip(pairs["de_id"], pairs["cn_id"]))
    assert fold_of["D1"] == fold_of["D2"]  # linked through C2
    assert sorted(np.bincount(list(fold_of.values()))) == [4, 4, 4]  # {D1 D2 C1 C2}, then four pairs of two, balanced


def test_folds_fall_back_to_sources_when_the_labels_link_everyone():
    chain = pd.DataFrame({"de_id": [f"D{i}" for i in range(20)], "cn_id": [f"C{i}" for i in range(20)], "grade": 3})
    linked = pd.concat([chain, chain.assign(cn_id=chain["cn_id"].shift(-1).fillna("C0"))])  # one ring
    fold_of, grouping = choose_folds(linked, folds=5, seed=0)
    assert grouping == "source" and len(set(fold_of.values())) == 5
    fold_of, grouping = choose_folds(chain, folds=5, seed=0)
    assert grouping == "company" and all(fold_of[d] == fold_of[c] for d, c in zip(chain["de_id"], chain["cn_id"]))


def test_learned_weights_rank_the_planted_partners_first(planted):
    cache, pairs, _ = planted
    found = learn(cache, pairs, k=1, metric="mrr", folds=3, seed=0)
    weights = found.best
    assert (
        set(weights) == set(COMPONENTS) and min(weights.values()) >= 0 and sum(weights.values()) == pytest.approx(1.0)
    )
    assert found.trials.loc[0, "mrr"] == 1.0  # every planted partner ranked first
    assert weights["semantic"] > weights["size"]  # text carries the planted signal; every size is unknown
    assert {"test_recall", "test_mrr", "grouping"} <= set(found.folds.columns) and len(found.folds) == 3
    none_relevant = pairs.assign(grade=0)
    with pytest.raises(ParameterError, match="nothing to learn"):
        learned_weights(cache, none_relevant)
