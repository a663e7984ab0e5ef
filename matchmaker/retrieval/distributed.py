"""``recommend_all`` on more than one machine: blocks of source companies ranked on Dask workers.

The fitted state (features, calibration, ids: what :class:`~matchmaker.scoring.fitted.FittedMatcher`
holds) is sent to every worker once; each task ranks one block of sources exactly against all targets
(:func:`~matchmaker.scoring.ranking.rank_exhaustive`), and the blocks come back in order, so the table
is identical to the local run. Start a scheduler and workers on the machines (``dask scheduler``,
``dask worker tcp://HOST:8786``), then pass ``Client("tcp://HOST:8786")``; in tests and on one machine,
``Client(LocalCluster(n_workers=2))``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from matchmaker import vocab as V
from matchmaker.scoring.crowding import fill_crowding
from matchmaker.scoring.fitted import FittedMatcher
from matchmaker.scoring.matcher import Matcher
from matchmaker.scoring.ranking import empty_recommendations, rank_exhaustive
from matchmaker.scoring.weights import Weights

if TYPE_CHECKING:
    from distributed import Client

SOURCES_PER_TASK = 2_000


def _rank_block(
    fitted: FittedMatcher, sources: np.ndarray, targets: np.ndarray, k: int, weights: Weights
) -> pd.DataFrame:
    return rank_exhaustive(fitted, sources, targets, k, weights)


def recommend_all_distributed(
    matcher: Matcher,
    client: Client,
    k: int = 10,
    weights: Weights | None = None,
    sources_per_task: int = SOURCES_PER_TASK,
) -> pd.DataFrame:
    """:meth:`Matcher.recommend_all`, computed on the workers of ``client``: the same table, row for row.
    Weights that weigh ``distinct`` first rank the base weights' top 10 on the workers as well, for every
    company's crowding (unless the matcher holds it)."""
    resolved = matcher.weights_for(weights)
    fill_crowding(matcher, resolved, lambda base, top: _rank_on(client, matcher.fitted_, top, base, sources_per_task))
    return _rank_on(client, matcher.fitted_for(resolved), k, resolved, sources_per_task)


def _rank_on(client: Client, fitted: FittedMatcher, k: int, weights: Weights, sources_per_task: int) -> pd.DataFrame:
    [state] = client.scatter([fitted], broadcast=True, hash=False)  # a key of its own: no release of a shared one
    futures = []
    for direction in V.DIRECTIONS:
        sources, targets = fitted.sides(direction)
        for start in range(0, len(sources), sources_per_task):
            block = sources[start : start + sources_per_task]
            futures.append(client.submit(_rank_block, state, block, targets, k, weights, pure=False))
    parts = client.gather(futures)
    return pd.concat(parts, ignore_index=True) if parts else empty_recommendations()
