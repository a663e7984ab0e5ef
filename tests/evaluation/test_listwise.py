"""The listwise objective: a hand-worked loss, its gradient against finite differences, planted lists it
must rank right, and inner cross-validation that never reads the labels it is kept from."""

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import approx_fprime

from matchmaker.errors import ParameterError
from matchmaker.evaluation.listwise import ALPHAS, Lists, fit_listwise, reciprocal_ranks, softmax_loss
from matchmaker.evaluation.tuning import (
    ComponentCache,
    chosen_alpha,
    company_folds,
    learn,
    learned_weights,
    per_source_table,
    with_distinct,
)


def test_hand_worked_loss():
    # one list, candidates score 1 (the partner) and 0: loss = -log(e / (e + 1)) = log(1 + 1/e)
    lists = Lists(np.array([[[1.0], [0.0]]]), np.array([[True, False]]))
    loss, gradient = softmax_loss(np.array([1.0]), [lists])
    assert loss == pytest.approx(np.log1p(np.exp(-1.0)))
    assert gradient[0] == pytest.approx(-(1 - np.e / (np.e + 1)))  # more weight lowers the loss
    with_penalty, _ = softmax_loss(np.array([1.0]), [lists], alpha=0.5)
    assert with_penalty == pytest.approx(loss + 0.25)


def test_gradient_matches_finite_differences():
    rng = np.random.default_rng(0)
    blocks = [
        Lists(rng.random((5, 7, 3)), np.eye(7, dtype=bool)[rng.integers(0, 7, 5)] | (rng.random((5, 7)) < 0.1)),
        Lists(rng.random((3, 4, 3)), np.eye(4, dtype=bool)[[0, 1, 2]]),
    ]
    point = np.array([0.7, 1.3, 0.2])
    _, analytic = softmax_loss(point, blocks, alpha=0.01)
    numeric = approx_fprime(point, lambda w: softmax_loss(w, blocks, alpha=0.01)[0], 1e-6)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-4, atol=1e-6)


def planted_lists(rng, sources=40, candidates=30):
    """Component 0 puts the partner first within its list, on top of a per-list offset far larger than
    the gap; component 1 is noise; component 2 counts against the partner."""
    partner = rng.integers(0, candidates, sources)
    relevant = np.zeros((sources, candidates), dtype=bool)
    relevant[np.arange(sources), partner] = True
    values = rng.random((sources, candidates, 3))
    values[:, :, 0] = 5 * rng.random((sources, 1)) + 0.5 * rng.random((sources, candidates)) + relevant
    values[:, :, 2] -= 0.5 * relevant
    return Lists(values, relevant)


def test_planted_lists_are_ranked_right_whatever_each_list_offset():
    lists = planted_lists(np.random.default_rng(1))
    weights = fit_listwise([lists], alpha=1e-3)
    assert weights.min() >= 0 and weights.sum() == pytest.approx(1.0)
    assert weights[0] > 0.9 and weights[2] == 0.0  # the counter-signal is bounded at 0, not negative
    assert reciprocal_ranks(weights, lists).min() == 1.0  # every planted partner first
    held_out = planted_lists(np.random.default_rng(2))
    assert reciprocal_ranks(weights, held_out).mean() == 1.0


def test_reciprocal_ranks_break_ties_by_candidate_order():
    lists = Lists(np.array([[[1.0], [1.0], [0.0]], [[0.0], [1.0], [1.0]]]), np.array([[0, 1, 0], [0, 0, 1]], bool))
    np.testing.assert_allclose(reciprocal_ranks(np.array([1.0]), lists), [0.5, 0.5])


def test_bad_input_says_what_to_do():
    with pytest.raises(ParameterError, match="at least one partner"):
        Lists(np.zeros((1, 2, 1)), np.zeros((1, 2), bool))
    with pytest.raises(ParameterError, match="alpha"):
        fit_listwise([Lists(np.zeros((1, 2, 1)), np.array([[True, False]]))], alpha=-1)
    with pytest.raises(ParameterError, match="No list"):
        fit_listwise([])


def synthetic_cache(companies=48, seed=0):
    """A ComponentCache without a matcher: DE{i} and CN{i} are partners, component 0 finds them
    (with noise), component 1 a little."""
    rng = np.random.default_rng(seed)
    de = np.array([f"DE{i}" for i in range(companies)])
    cn = np.array([f"CN{i}" for i in range(companies)])
    cache = ComponentCache.__new__(ComponentCache)
    cache.names, cache.model, cache.sides = ("semantic", "size"), "synthetic", {}
    for direction, (sources, targets) in {"de_to_cn": (de, cn), "cn_to_de": (cn, de)}.items():
        stack = rng.random((2, companies, companies)).astype(np.float32)
        stack[0] += 0.6 * np.eye(companies, dtype=np.float32)
        stack[1] += 0.2 * np.eye(companies, dtype=np.float32)
        cache.sides[direction] = (sources, targets, stack)
    pairs = pd.DataFrame({"de_id": de, "cn_id": cn, "grade": 3})
    return cache, pairs


def test_the_crowding_correction_is_chosen_where_hubs_crowd_out_the_partners():
    """Three targets score high for every source on the planted component (hubs): they take the first
    places of most lists. ``with_distinct`` then weighs ``distinct``, and the partners come back up."""
    cache, pairs = synthetic_cache()
    for _, _, stack in cache.sides.values():
        stack[0][:, :3] += 0.5
    plain = {"semantic": 0.8, "size": 0.2}
    chosen = with_distinct(cache, pairs, plain)
    assert chosen["distinct"] > 0 and sum(chosen.values()) == pytest.approx(1.0)
    assert chosen["semantic"] / chosen["size"] == pytest.approx(4.0)  # the others keep their proportions
    before, after = (per_source_table(cache, w, pairs, 10)["mrr"].mean() for w in (plain, chosen))
    assert after > before + 0.05
    untouched = synthetic_cache()[0]  # no planted hubs: whatever it chooses is no worse than no correction
    kept = with_distinct(untouched, pairs, plain)
    assert (
        per_source_table(untouched, kept, pairs, 10)["mrr"].mean()
        >= per_source_table(untouched, plain, pairs, 10)["mrr"].mean()
    )


def test_the_crowding_correction_is_chosen_by_the_metric_asked_for():
    from matchmaker.evaluation.tuning import CROWDING_SHARES

    cache, pairs = synthetic_cache(seed=3)
    for _, _, stack in cache.sides.values():
        stack[0][:, :3] += 0.5
    plain = {"semantic": 0.8, "size": 0.2}
    for metric, k in (("mrr", 10), ("recall", 1), ("ndcg", 5)):
        chosen = with_distinct(cache, pairs, plain, metric=metric, k=k)
        figures = {}
        for beta in CROWDING_SHARES:  # the same settings, measured by hand
            setting = {n: v / (1 + beta) for n, v in plain.items()} | {"distinct": beta / (1 + beta)}
            figures[beta] = per_source_table(cache, setting, pairs, k)[metric].mean()
        best = max(figures.values())
        beta = chosen["distinct"] / (1 - chosen["distinct"])
        assert figures[min(CROWDING_SHARES, key=lambda b: abs(b - beta))] == best
    # tuning passes its metric on: recall over all 48 candidates is 1 whatever the correction, so none is
    # chosen for it (the smallest beta wins a tie), while MRR wants one
    assert learned_weights(cache, pairs, alpha=1e-3, metric="recall", k=48)["distinct"] == 0
    assert learned_weights(cache, pairs, alpha=1e-3)["distinct"] > 0
    assert "best recall@10 of the same sources" in learn(cache, pairs, metric="recall", folds=4, alpha=1e-3).description


def test_inner_cross_validation_never_reads_held_out_labels():
    cache, pairs = synthetic_cache()
    fold_of = company_folds(pairs, folds=4, seed=0)
    training = {c for c, f in fold_of.items() if f != 0}
    held = pairs[pairs["de_id"].map(fold_of) == 0]
    # rewire the held-out fold's pairs among themselves: what is learned on the others must not change
    rewired = pd.concat([pairs.drop(held.index), held.assign(cn_id=np.roll(held["cn_id"].to_numpy(), 1))])
    assert chosen_alpha(cache, pairs, training) == chosen_alpha(cache, rewired, training)
    assert chosen_alpha(cache, pairs, training) in ALPHAS
    assert learned_weights(cache, pairs, training) == learned_weights(cache, rewired, training)
    assert learned_weights(cache, pairs, training) != learned_weights(cache, rewired)  # the labels do count


def test_learned_weights_find_the_planted_component_with_either_objective():
    cache, pairs = synthetic_cache()
    for objective in ("listwise", "logistic"):
        weights = learned_weights(cache, pairs, objective=objective, crowding=False)
        assert weights["semantic"] > 0.6 and sum(weights.values()) == pytest.approx(1.0)
        with_crowding = learned_weights(cache, pairs, objective=objective)  # plus distinct's share
        assert with_crowding["semantic"] > 2 * with_crowding["size"] and sum(with_crowding.values()) == pytest.approx(
            1.0
        )
    with pytest.raises(ParameterError, match="listwise, logistic"):
        learned_weights(cache, pairs, objective="pairwise")
