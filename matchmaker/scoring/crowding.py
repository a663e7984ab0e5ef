"""How crowded a company is: the mean of its best scores against the whole other country.

Where the matcher misses a documented partner, the same few companies often head the lists: a
company whose profile reads like its whole sector is everyone's top match (hubness, which CSLS
corrects in cross-lingual word retrieval). The ``distinct`` component (1 - the target's crowding)
corrects for it; on the real-partnership benchmark it raised the cross-validated MRR and halved the
concentration of suggestions (``benchmarks/real_partnerships.py``).

Definitions (pure functions over the fitted state and arrays):

- the *base* of a weight setting: its weights without ``distinct``, scaled to sum to 1, so the
  crowding is a score in [0, 1] whatever the scale of the weights;
- a company's *crowding*: the mean score of its :data:`NEIGHBOURS` best suggestions under the base
  weights (all of the other country's companies when fewer), read from a recommendations table of both
  directions (:func:`crowding_from_table`), so the exact, the two-stage and the distributed ranking each
  compute it with their own ranking and the distributed one gives the local one's table exactly.
  Every component is symmetric, so it is also the mean of the company's best scores *as a target*
  (:func:`best_mean` over a full score matrix's columns, as the tuning cache computes it).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from matchmaker import vocab as V
from matchmaker.errors import ParameterError
from matchmaker.scoring.components import DISTINCT
from matchmaker.scoring.fitted import FittedMatcher
from matchmaker.scoring.weights import Weights

NEIGHBOURS = 10


def base_weights(weights: Weights) -> Weights | None:
    """``weights`` without ``distinct``, scaled to sum to 1; None when only ``distinct`` is weighted."""
    values = {name: value for name, value in weights.as_dict().items() if name != DISTINCT and value > 0}
    total = sum(values.values())
    if total <= 0:
        return None
    return Weights({name: value / total for name, value in values.items()}, version=f"{weights.version}/base")


def best_mean(score: np.ndarray, axis: int, neighbours: int = NEIGHBOURS) -> np.ndarray:
    """Mean of the ``neighbours`` largest values of ``score`` along ``axis`` (all of them when fewer):
    the crowding of each column (``axis=0``) or row (``axis=1``) of a full score matrix."""
    count = min(neighbours, score.shape[axis])
    if count == 0:
        return np.zeros(score.shape[1 - axis], dtype=np.float32)
    best = np.partition(score, score.shape[axis] - count, axis=axis)
    best = best[-count:] if axis == 0 else best[:, -count:]
    return best.mean(axis=axis).astype(np.float32)


def crowding_from_table(fitted: FittedMatcher, table: pd.DataFrame) -> np.ndarray:
    """Every company's crowding from a recommendations table of both directions, ranked with the base
    weights and holding at least each company's :data:`NEIGHBOURS` best (a two-stage or distributed
    ranking): the mean score of its rows ranked 1 to :data:`NEIGHBOURS`. In a table of one country
    nobody has partners to crowd: all 0."""
    if not len(fitted.side("DE")) or not len(fitted.side("CN")):
        return np.zeros(len(fitted), dtype=np.float32)
    best = table[table[V.RANK] <= NEIGHBOURS].groupby(V.SOURCE_ID)[V.SCORE].mean()
    missing = sorted(set(fitted.ids) - set(best.index.astype(str)))
    if missing:
        raise ParameterError(
            f"The ranking for the crowding has no rows for {len(missing)} companies (e.g. {missing[:3]}). "
            "It needs every company's best partners in both directions."
        )
    return best.reindex(fitted.ids).to_numpy(dtype=np.float32)


def with_crowding(fitted: FittedMatcher, crowding: np.ndarray) -> FittedMatcher:
    """``fitted`` whose features hold ``crowding`` (what the ``distinct`` component reads)."""
    crowding = np.asarray(crowding, dtype=np.float32)
    if crowding.shape != (len(fitted),):
        raise ParameterError(f"crowding must hold one value per fitted company ({len(fitted)}). Got {crowding.shape}.")
    return dataclasses.replace(fitted, features=dataclasses.replace(fitted.features, crowding=crowding))


def fill_crowding(matcher, weights: Weights, rank_all) -> None:
    """Give ``matcher`` the crowding of ``weights``' base from ``rank_all(base weights, k)`` (a recommendations
    table of both directions: a two-stage or distributed ranking, where one exact pass over every pair
    would cost too much), unless it holds that crowding already or ``weights`` do not weigh ``distinct``."""
    if matcher.holds_crowding(weights):
        return
    table = rank_all(base_weights(weights), NEIGHBOURS)
    matcher.use_crowding(weights, crowding_from_table(matcher.fitted_, table))


def basis_key(weights: Weights) -> tuple[float, ...] | None:
    """What a crowding depends on: the base weights' values (None when nothing needs a crowding)."""
    if weights[DISTINCT] <= 0:
        return None
    base = base_weights(weights)
    return None if base is None else tuple(round(base[name], 9) for name in base.as_dict())
