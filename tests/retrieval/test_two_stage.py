"""Two-stage ranking against the exhaustive reference: same table when every target is a candidate,
the same scores wherever both hold a pair, and the exhaustive top-k almost always found."""

import numpy as np
import pandas as pd
import pytest

from matchmaker import config
from matchmaker.errors import ParameterError
from matchmaker.io.profiles import load_profiles, profiles_from_frame
from matchmaker.io.synthetic import synthetic_profiles
from matchmaker.retrieval.index import top_candidates
from matchmaker.retrieval.two_stage import CandidateSearch, rank_two_stage, recall_against, recommend_all_two_stage
from matchmaker.retrieval.vectors import candidate_vectors
from matchmaker.scoring.matcher import Matcher
from matchmaker.scoring.weights import Weights


@pytest.fixture(scope="module")
def demo(domain_encoder):
    return Matcher().fit(load_profiles(config.DEMO_PROFILES), encoder=domain_encoder)


def test_every_target_a_candidate_gives_the_exhaustive_table(demo):
    exact = demo.recommend_all(k=10)
    approximate = recommend_all_two_stage(demo, k=10, candidates=400)  # more than either side holds
    pd.testing.assert_frame_equal(exact, approximate, check_dtype=False, atol=1e-5)


def test_a_few_candidates_still_find_the_exhaustive_top_k_with_exact_scores(demo):
    exact = demo.recommend_all(k=20)
    approximate = recommend_all_two_stage(demo, k=20, candidates=100)
    assert recall_against(exact, approximate) >= 0.99
    both = exact.merge(approximate, on=["source_id", "target_id"], suffixes=("_exact", "_two_stage"))
    for column in ("score", *demo.weights_.active):
        assert np.allclose(both[f"{column}_exact"], both[f"{column}_two_stage"], atol=1e-5), column
    assert (approximate.groupby("source_id")["rank"].apply(list) == [list(range(1, 21))] * 314).all()
    too_few = recommend_all_two_stage(demo, k=20, candidates=20)
    assert recall_against(exact, too_few) < recall_against(exact, approximate)  # the measure can tell


@pytest.fixture(scope="module")
def synthetic(domain_encoder):
    return Matcher().fit(profiles_from_frame(synthetic_profiles(2000, seed=1)), encoder=domain_encoder)


@pytest.mark.parametrize("index", ["flat", "ivf", "ivf-pq"])
def test_synthetic_companies_find_the_exhaustive_top_20(synthetic, index):
    exact = synthetic.recommend_all(k=20)
    approximate = recommend_all_two_stage(synthetic, k=20, index=index)
    assert recall_against(exact, approximate) >= 0.99
    both = exact.merge(approximate, on=["source_id", "target_id"], suffixes=("_exact", "_two_stage"))
    assert np.allclose(both["score_exact"], both["score_two_stage"], atol=1e-5)


@pytest.mark.parametrize("component", ["sector", "size", "distinct"])
def test_sector_size_and_distinct_blocks_are_exact(demo, component):
    fitted = demo.fitted_for(demo.weights_)
    sources, targets = fitted.sides("de_to_cn")
    vectors = candidate_vectors(fitted, sources, targets, Weights({component: 1.0}))
    exact = fitted.components(sources, targets, (component,))[component]
    product = vectors.queries @ vectors.keys.T
    known = np.ones_like(exact, dtype=bool)
    if component == "size":  # a source of unknown size: 0.5 for every target, the same order as 0
        known[fitted.features.size[sources] < 0] = False
        assert (fitted.features.size[targets] < 0).any()  # targets of unknown size get the neutral 0.5 too
        assert np.allclose(exact[~known], 0.5)
    assert known.any() and np.allclose(product[known], exact[known], atol=1e-5)


def test_the_index_finds_the_largest_inner_products():
    rng = np.random.default_rng(0)
    keys, queries = rng.normal(size=(500, 16)).astype(np.float32), rng.normal(size=(20, 16)).astype(np.float32)
    expected = np.argsort(-(queries @ keys.T), axis=1)[:, :5]
    assert (top_candidates(keys, queries, 5) == expected).all()
    approximate = top_candidates(keys, queries, 5, kind="hnsw")
    assert (
        approximate.shape == (20, 5) and np.mean([len(set(a) & set(e)) for a, e in zip(approximate, expected)]) >= 4.5
    )
    clustered = top_candidates(keys, queries, 5, kind="ivf", probes=1000)  # every list visited: exact
    assert (clustered == expected).all()
    # every list visited, products approximated by 4-bit codes: the true top 5 lie among its top 50,
    # which the exact re-ranking then orders
    coded = top_candidates(keys, queries, 50, kind="ivf-pq", probes=1000)
    assert coded.shape == (20, 50) and np.mean([len(set(a) & set(e)) for a, e in zip(coded, expected)]) >= 4.8
    with pytest.raises(ParameterError, match="flat"):
        top_candidates(keys, queries, 5, kind="annoy")


def test_fewer_candidates_than_k_is_refused(demo):
    fitted = demo.fitted_for(demo.weights_)
    with pytest.raises(ParameterError, match="candidates must be"):
        rank_two_stage(fitted, *fitted.sides("de_to_cn"), 10, demo.weights_, candidates=5)


def test_one_company_at_a_time_gives_the_rows_of_the_whole_ranking(demo):
    fitted = demo.fitted_for(demo.weights_)  # the default weighs distinct: the state with its crowding
    search = CandidateSearch(fitted, "cn_to_de", demo.weights_, candidates=100)
    whole = rank_two_stage(fitted, *fitted.sides("cn_to_de"), 10, demo.weights_, candidates=100)
    for company in fitted.ids[fitted.side("CN")][:5]:
        expected = whole[whole["source_id"] == company].reset_index(drop=True)
        pd.testing.assert_frame_equal(search.recommend(company, k=10), expected, check_dtype=False, atol=1e-6)
    semantic_only = Weights({"semantic": 1.0})  # other weights of the same components: no rebuild
    exact = demo.recommend(fitted.ids[fitted.side("CN")][0], k=10, weights=semantic_only)
    assert recall_against(exact, search.recommend(fitted.ids[fitted.side("CN")][0], k=10, weights=semantic_only)) == 1
    with pytest.raises(ParameterError, match="source side"):
        search.recommend(fitted.ids[fitted.side("DE")][0])


def test_the_candidate_count_grows_with_the_target_side_as_measured():
    from matchmaker.retrieval.two_stage import default_candidates

    assert [default_candidates(n) for n in (300, 10_000, 20_000, 100_000, 400_000)] == [200, 200, 200, 400, 910]


def test_searching_a_few_sources_at_a_time_gives_the_same_table(demo, monkeypatch):
    """Sources searched and re-ranked in groups of blocks of similar queries (k-means clusters, not in
    source order): the table of one search over the whole side, rows in source order."""
    from matchmaker.retrieval import two_stage

    fitted, weights = demo.fitted_for(demo.weights_), demo.weights_
    sources, targets = fitted.sides("de_to_cn")
    monkeypatch.setattr(two_stage, "SOURCES_PER_CLUSTER", 32)
    monkeypatch.setattr(two_stage, "BLOCK_SOURCES", 16)
    whole = rank_two_stage(fitted, sources, targets, 10, weights, candidates=60, index="flat")
    monkeypatch.setattr(two_stage, "SEARCH_SOURCES", 40)
    blocks = two_stage.similar_blocks(candidate_vectors(fitted, sources, targets, weights).queries, 16)
    assert len(two_stage._groups(blocks, 40)) > 3 and not np.array_equal(
        np.concatenate(blocks), np.arange(len(sources))
    )
    grouped = rank_two_stage(fitted, sources, targets, 10, weights, candidates=60, index="flat")
    pd.testing.assert_frame_equal(whole, grouped, check_dtype=False, atol=1e-6)
    assert list(grouped["source_id"].drop_duplicates()) == list(fitted.ids[sources])


def test_ivf_visits_a_share_of_its_lists_that_does_not_shrink_with_the_side():
    from matchmaker.retrieval.index import IVF_PROBES, ivf_probes

    assert ivf_probes(100) == 48 == IVF_PROBES  # small sides: the fixed count
    assert ivf_probes(1265) == 126  # 100,000 keys: a tenth of the lists, as measured for recall 0.99
    assert ivf_probes(30) == 30 and ivf_probes(1265, probes=7) == 7 and ivf_probes(10, probes=99) == 10


def test_prepare_crowding_takes_the_route_of_a_ranking_of_everyone(synthetic, monkeypatch):
    """Up to config.TWO_STAGE_FROM a side the exact crowding; above it the two stages' (no exact pass
    over every pair), which agrees with the exact one wherever the two stages found the exact top 10."""
    from matchmaker.retrieval import two_stage

    weights = synthetic.weights_
    exact = Matcher().set_params(weights=weights)
    exact.fitted_ = synthetic.fitted_
    two_stage.prepare_crowding(exact)
    truth = exact.fitted_for().features.crowding

    routed = Matcher().set_params(weights=weights)
    routed.fitted_ = synthetic.fitted_
    monkeypatch.setattr(config, "TWO_STAGE_FROM", 500)
    calls = []
    original = two_stage.rank_two_stage
    monkeypatch.setattr(two_stage, "rank_two_stage", lambda *a, **kw: calls.append(a[3]) or original(*a, **kw))
    two_stage.prepare_crowding(routed)
    assert calls == [10, 10] and routed.holds_crowding()  # both directions' top 10 through the two stages
    found = routed.fitted_for().features.crowding
    assert np.mean(np.abs(found - truth) < 1e-5) >= 0.98 and (found <= truth + 1e-5).all()
    two_stage.prepare_crowding(routed)  # kept: not computed again
    assert calls == [10, 10]
