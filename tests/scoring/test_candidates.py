"""Exact re-ranking of candidates (``rank_candidates``) against the exhaustive components: for every
(source, candidate) pair it scores, the same values as scoring all pairs, on the demo data and on
synthetic companies; with every target a candidate, the exhaustive table itself."""

import numpy as np
import pandas as pd
import pytest

from matchmaker import config
from matchmaker import vocab as V
from matchmaker.io.profiles import load_profiles, profiles_from_frame
from matchmaker.io.synthetic import synthetic_profiles
from matchmaker.scoring.components import COMPONENTS
from matchmaker.scoring.matcher import Matcher
from matchmaker.scoring.ranking import rank_candidates, rank_exhaustive
from matchmaker.scoring.weights import Weights

EVERY_COMPONENT = Weights({name: 1.0 / len(COMPONENTS) for name in COMPONENTS})


@pytest.fixture(scope="module", params=["demo", "synthetic"])
def fitted(request, domain_encoder):
    profiles = (
        load_profiles(config.DEMO_PROFILES)
        if request.param == "demo"
        else profiles_from_frame(synthetic_profiles(150, seed=3))
    )
    return Matcher().fit(profiles, encoder=domain_encoder).fitted_for(EVERY_COMPONENT)


def random_candidates(rng, sources: int, targets: int, count: int) -> np.ndarray:
    return np.stack([rng.choice(targets, count, replace=False) for _ in range(sources)])


@pytest.mark.parametrize("direction", V.DIRECTIONS)
def test_candidate_scores_equal_the_exhaustive_components_of_those_pairs(fitted, direction):
    rng = np.random.default_rng(0)
    sources, targets = fitted.sides(direction)
    found = random_candidates(rng, len(sources), len(targets), 30)
    blocks = np.array_split(rng.permutation(len(sources)), 7)  # any grouping of sources, in any order
    table = rank_candidates(fitted, sources, targets, found, 10, EVERY_COMPONENT, blocks)

    every = fitted.components(sources, targets)
    score = sum(every[name] * np.float32(EVERY_COMPONENT[name]) for name in COMPONENTS)
    source_row = {company: i for i, company in enumerate(fitted.ids[sources])}
    target_col = {company: j for j, company in enumerate(fitted.ids[targets])}
    i = table[V.SOURCE_ID].map(source_row).to_numpy()
    j = table[V.TARGET_ID].map(target_col).to_numpy()
    for name in COMPONENTS:
        assert np.allclose(table[name], every[name][i, j] * EVERY_COMPONENT[name], atol=1e-6), name
    assert np.allclose(table[V.SCORE], score[i, j], atol=1e-6)
    # each source's rows are its own 10 best candidates, best first (equal up to float rounding)
    assert (table[V.SOURCE_ID].to_numpy() == np.repeat(fitted.ids[sources], 10)).all()
    for row, chosen in enumerate(j.reshape(-1, 10)):
        assert set(chosen) <= set(found[row])
        shown = score[row, chosen]
        assert (np.diff(shown) <= 1e-6).all()
        left_out = np.setdiff1d(found[row], chosen)
        assert shown.min() >= score[row, left_out].max() - 1e-6


def test_every_target_a_candidate_gives_the_exhaustive_table(fitted):
    sources, targets = fitted.sides("de_to_cn")
    everything = np.tile(np.arange(len(targets)), (len(sources), 1))
    exact = rank_exhaustive(fitted, sources, targets, 20, EVERY_COMPONENT)
    through_candidates = rank_candidates(fitted, sources, targets, everything, 20, EVERY_COMPONENT)
    pd.testing.assert_frame_equal(exact, through_candidates, check_dtype=False, atol=1e-6)


def test_a_source_short_of_candidates_is_ranked_exhaustively(fitted):
    sources, targets = fitted.sides("cn_to_de")
    found = random_candidates(np.random.default_rng(1), len(sources), len(targets), 12)
    found[3, 4:] = -1  # an approximate index found only four
    table = rank_candidates(fitted, sources, targets, found, 5, EVERY_COMPONENT)
    exact = rank_exhaustive(fitted, sources[[3]], targets, 5, EVERY_COMPONENT)
    pd.testing.assert_frame_equal(table.iloc[15:20].reset_index(drop=True), exact, check_dtype=False, atol=1e-6)
    assert len(table) == 5 * len(sources) and (table[V.RANK].to_numpy() == np.tile(np.arange(1, 6), len(sources))).all()


def test_pooled_sources_keep_the_best_of_their_blocks_candidates(fitted):
    """Pooled: each source ranked among the union of its block's candidates, exact scores, and so at
    least as good as its own candidates alone."""
    rng = np.random.default_rng(2)
    sources, targets = fitted.sides("de_to_cn")
    found = random_candidates(rng, len(sources), len(targets), 25)
    blocks = np.array_split(rng.permutation(len(sources)), 9)
    pooled = rank_candidates(fitted, sources, targets, found, 10, EVERY_COMPONENT, blocks, pooled=True)
    own = rank_candidates(fitted, sources, targets, found, 10, EVERY_COMPONENT, blocks)

    every = fitted.components(sources, targets)
    score = sum(every[name] * np.float32(EVERY_COMPONENT[name]) for name in COMPONENTS)
    target_col = {company: j for j, company in enumerate(fitted.ids[targets])}
    j = pooled[V.TARGET_ID].map(target_col).to_numpy().reshape(-1, 10)
    rows = np.arange(len(sources))[:, None]
    assert np.allclose(pooled[V.SCORE].to_numpy().reshape(-1, 10), score[rows, j], atol=1e-6)
    for block in blocks:
        union = np.unique(found[block])
        for row in block:
            assert set(j[row]) <= set(union)
            left_out = np.setdiff1d(union, j[row])
            assert score[row, j[row]].min() >= score[row, left_out].max() - 1e-6
    best_pooled = pooled[V.SCORE].to_numpy().reshape(-1, 10)
    best_own = own[V.SCORE].to_numpy().reshape(-1, 10)
    assert (best_pooled >= best_own - 1e-6).all() and (best_pooled > best_own + 1e-6).any()
