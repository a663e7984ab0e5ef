"""Score components: ranges, symmetry, an independent reference and hand-worked values."""

import numpy as np
import pytest
from scipy import sparse
from sklearn.metrics.pairwise import cosine_similarity

from matchmaker.errors import ParameterError
from matchmaker.scoring.components import (
    COMPONENTS,
    PAIR_COMPONENTS,
    PAIRS_PER_CHUNK,
    Calibration,
    CompanyFeatures,
    component_values,
    fit_calibration,
)


def random_features(n: int, rng: np.random.Generator, d: int = 8, divisions: int = 5) -> CompanyFeatures:
    def unit(m):
        return (m / np.linalg.norm(m, axis=1, keepdims=True)).astype(np.float32)

    concepts = sparse.random(n, 30, density=0.2, random_state=int(rng.integers(1e6)), dtype=np.float32).tocsr()
    norms = np.sqrt(np.asarray(concepts.multiply(concepts).sum(axis=1))).ravel()
    concepts = sparse.diags(np.divide(1, norms, out=np.zeros_like(norms), where=norms > 0)) @ concepts
    sector = np.zeros((n, divisions), dtype=np.float32)
    sector[np.arange(n), rng.integers(0, divisions, n)] = 1.0
    sector[rng.random(n) < 0.3] = 0.0  # unknown sector
    return CompanyFeatures(
        text=unit(rng.normal(size=(n, d))),
        offers=unit(rng.normal(size=(n, d))),
        seeks=unit(rng.normal(size=(n, d))),
        language=rng.integers(0, 3, n),
        concepts=concepts.tocsr(),
        sector=sector,
        focus=(rng.random((n, 6)) < 0.3).astype(np.float32),
        cooperation=(rng.random((n, 4)) < 0.3).astype(np.float32),
        size=rng.integers(-1, 4, n).astype(np.int8),
        crowding=rng.random(n).astype(np.float32),
    )


@pytest.fixture
def setting():
    rng = np.random.default_rng(7)
    a, b = random_features(12, rng), random_features(15, rng)
    affinity = np.eye(5, dtype=np.float32)
    affinity[0, 1] = affinity[1, 0] = 0.8
    compatibility = np.eye(4, dtype=np.float32)
    compatibility[0, 2] = compatibility[2, 0] = 0.6
    calibration = fit_calibration(a, b, languages=3, min_pairs=5)
    return a, b, calibration, affinity, compatibility


def test_every_component_stays_in_unit_interval(setting):
    a, b, cal, affinity, compat = setting
    for name, values in component_values(COMPONENTS, a, b, cal, affinity, compat).items():
        assert values.shape == (12, 15), name
        assert values.min() >= 0.0 and values.max() <= 1.0, name


def test_components_are_symmetric(setting):
    a, b, cal, affinity, compat = setting
    forward = component_values(PAIR_COMPONENTS, a, b, cal, affinity, compat)
    backward = component_values(PAIR_COMPONENTS, b, a, cal, affinity, compat)
    for name in PAIR_COMPONENTS:
        assert np.allclose(forward[name], backward[name].T, atol=1e-6), name


def test_distinct_is_one_minus_the_targets_crowding_for_every_source(setting):
    a, b, cal, affinity, compat = setting
    values = component_values(("distinct",), a, b, cal, affinity, compat)["distinct"]
    assert np.allclose(values, np.broadcast_to(1 - b.crowding, (12, 15)))
    b.crowding = np.array([1.4, -0.2] + [0.5] * 13, dtype=np.float32)  # out of range: clipped to [0, 1]
    assert component_values(("distinct",), a, b, cal, affinity, compat)["distinct"][0, :2].tolist() == [0.0, 1.0]


def test_distinct_without_a_crowding_says_how_to_get_one(setting):
    a, b, cal, affinity, compat = setting
    b.crowding = None
    with pytest.raises(ParameterError, match="Rank through Matcher"):
        component_values(("distinct",), a, b, cal, affinity, compat)


def test_pairwise_form_equals_the_matrix_diagonal(setting):
    a, b, cal, affinity, compat = setting
    i, j = np.array([0, 3, 5, 11]), np.array([2, 2, 14, 0])
    matrix = component_values(COMPONENTS, a, b, cal, affinity, compat)
    pairs = component_values(COMPONENTS, a.take(i), b.take(j), cal, affinity, compat, pairwise=True)
    for name in COMPONENTS:
        assert np.allclose(pairs[name], matrix[name][i, j], atol=1e-6), name


def test_semantic_is_calibrated_cosine_against_scikit_learn(setting):
    a, b, _, affinity, compat = setting
    cal = Calibration(
        np.zeros((3, 3), np.float32),
        np.full((3, 3), 0.25, np.float32),
        np.zeros((3, 3), np.float32),
        np.ones((3, 3), np.float32),
        z_cap=2.0,
    )
    expected = np.clip(cosine_similarity(a.text, b.text) / (2.0 * 0.25), 0, 1)
    got = component_values(("semantic",), a, b, cal, affinity, compat)["semantic"]
    assert np.allclose(got, expected, atol=1e-5)


def one(**overrides) -> CompanyFeatures:
    base = dict(
        text=np.array([[1.0, 0.0]], np.float32),
        offers=np.array([[1.0, 0.0]], np.float32),
        seeks=np.array([[0.0, 1.0]], np.float32),
        language=np.array([0]),
        concepts=sparse.csr_matrix(np.array([[0.6, 0.8, 0.0]], np.float32)),
        sector=np.array([[1.0, 0.0]], np.float32),
        focus=np.array([[1, 1, 0]], np.float32),
        cooperation=np.array([[1, 0]], np.float32),
        size=np.array([0], np.int8),
    )
    base.update(overrides)
    return CompanyFeatures(**base)


def test_hand_worked_pair():
    cal = Calibration(np.zeros((1, 1)), np.ones((1, 1)), np.zeros((1, 1)), np.ones((1, 1)), z_cap=1.0)
    a = one()
    b = one(
        text=np.array([[0.6, 0.8]], np.float32),
        offers=np.array([[0.0, 1.0]], np.float32),
        seeks=np.array([[0.6, 0.8]], np.float32),
        concepts=sparse.csr_matrix(np.array([[0.0, 0.6, 0.8]], np.float32)),
        sector=np.array([[0.0, 1.0]], np.float32),
        focus=np.array([[0, 1, 1]], np.float32),
        cooperation=np.array([[0, 0]], np.float32),
        size=np.array([3], np.int8),
    )
    affinity = np.array([[1.0, 0.5], [0.5, 1.0]], np.float32)
    values = component_values(PAIR_COMPONENTS, a, b, cal, affinity, np.eye(2, dtype=np.float32), pairwise=True)
    assert values["semantic"][0] == pytest.approx(0.6)  # cos = 0.6
    assert values["terms"][0] == pytest.approx(0.48)  # 0.8 * 0.6
    assert values["sector"][0] == pytest.approx(0.5)  # related divisions
    assert values["focus"][0] == pytest.approx(1 / 3)  # {0,1} vs {1,2}
    # a offers [1,0] vs b seeks [.6,.8] -> 0.6; b offers [0,1] vs a seeks [0,1] -> 1.0; mean 0.8
    assert values["complementarity"][0] == pytest.approx(0.8)
    assert values["cooperation"][0] == pytest.approx(0.5)  # b names none: neutral
    assert values["size"][0] == pytest.approx(0.0)  # 1-49 vs 1000+


def test_complementarity_is_the_mean_of_both_directions():
    cal = Calibration(np.zeros((1, 1)), np.ones((1, 1)), np.zeros((1, 1)), np.ones((1, 1)), z_cap=1.0)
    a = one(offers=np.array([[1.0, 0.0]], np.float32), seeks=np.array([[1.0, 0.0]], np.float32))
    b = one(offers=np.array([[0.0, 1.0]], np.float32), seeks=np.array([[1.0, 0.0]], np.float32))
    value = component_values(
        ("complementarity",), a, b, cal, np.eye(2, dtype=np.float32), np.eye(2, dtype=np.float32), pairwise=True
    )["complementarity"]
    assert value[0] == pytest.approx(0.5)  # a fits b's wish fully (1), b offers nothing a seeks (0)


def test_calibration_is_per_language_pair():
    rng = np.random.default_rng(0)
    a, b = random_features(60, rng), random_features(60, rng)
    b.language[:] = 1
    a.language[:30] = 0
    a.language[30:] = 2
    b.text[:] = b.text[0]  # every Chinese text identical ...
    a.text[30:] = b.text[0]  # ... and the English-written German half says exactly the same
    cal = fit_calibration(a, b, languages=3, min_pairs=50)
    assert cal.mean_text[2, 1] == pytest.approx(1.0, abs=1e-5) and cal.mean_text[0, 1] < 0.9
    assert cal.mean_text[1, 2] == cal.mean_text[2, 1]  # serves both directions


def test_offer_seek_calibration_is_that_of_one_direction():
    # complementarity z-scores each direction on its own, so the statistics must be those of a single
    # offers x seeks cosine, not of the mean of both (whose spread is ~1/sqrt(2) of it here)
    rng = np.random.default_rng(3)
    a, b = random_features(80, rng, d=16), random_features(90, rng, d=16)
    a.language[:] = 0
    b.language[:] = 1
    cal = fit_calibration(a, b, 3, sample=200_000)
    forward, backward = a.offers @ b.seeks.T, a.seeks @ b.offers.T
    single = np.concatenate([forward.ravel(), backward.ravel()])
    assert cal.std_fit[0, 1] == pytest.approx(single.std(), rel=0.03)
    assert cal.mean_fit[0, 1] == pytest.approx(single.mean(), abs=0.01)
    assert cal.std_fit[0, 1] > 1.2 * (0.5 * (forward + backward)).std()
    assert cal.std_fit[1, 0] == cal.std_fit[0, 1]  # one table for both orders


def test_calibration_over_rows_of_one_table_equals_that_of_the_two_copied_sides():
    # the matcher passes one feature table and each side's rows (no copy of 2 x N vectors); the sample
    # of 40,000 pairs is gathered in chunks smaller than it
    rng = np.random.default_rng(11)
    both = random_features(400, rng, d=16)
    de, cn = np.arange(0, 400, 2), np.arange(1, 400, 2)
    copied = fit_calibration(both.take(de), both.take(cn), 3, min_pairs=50)
    rows = fit_calibration(both, both, 3, min_pairs=50, src_rows=de, tgt_rows=cn)
    for name in ("mean_text", "std_text", "mean_fit", "std_fit"):
        np.testing.assert_array_equal(getattr(rows, name), getattr(copied, name), err_msg=name)
    assert len(de) * len(cn) > 2 * PAIRS_PER_CHUNK
