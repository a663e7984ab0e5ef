"""Exact top-k of a hybrid score: every source against every target, one block of sources at a time.

This is the exhaustive path: it scores every pair, so its result is the reference any faster
candidate search is measured against. Memory stays bounded at any size (blocks of ~50 MB per
float32 matrix); two blocks run at a time because numpy's elementwise work releases the GIL.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

from matchmaker import vocab as V
from matchmaker.scoring.fitted import FittedMatcher
from matchmaker.scoring.weights import Weights, weighted_sum

RANKING_THREADS = 2
BLOCK_CELLS = 12_500_000  # source x target cells per block: ~50 MB per float32 matrix


def top_k_indices(score: np.ndarray, k: int) -> np.ndarray:
    """``(rows, k)`` column indices of the ``k`` largest values per row of ``score``, best first; ties
    broken by position so results are deterministic."""
    if k < score.shape[1]:
        part = np.argpartition(score, score.shape[1] - k, axis=1)[:, -k:]
    else:
        part = np.tile(np.arange(score.shape[1]), (score.shape[0], 1))
    part_scores = np.take_along_axis(score, part, axis=1)
    order = np.lexsort((part, -part_scores), axis=1)
    return np.take_along_axis(part, order, axis=1)


def block_size_for(targets: int) -> int:
    """Sources per block so that one block's matrices stay near :data:`BLOCK_CELLS` cells."""
    return int(max(8, min(2048, BLOCK_CELLS // max(targets, 1))))


def empty_recommendations(names: tuple[str, ...]) -> pd.DataFrame:
    columns = [V.SOURCE_ID, V.RANK, V.TARGET_ID, V.SCORE, *names]
    return pd.DataFrame({c: pd.Series(dtype=object if c in (V.SOURCE_ID, V.TARGET_ID) else float) for c in columns})


def rank_exhaustive(
    fitted: FittedMatcher,
    sources: np.ndarray,
    targets: np.ndarray,
    k: int,
    weights: Weights,
    block_size: int | None = None,
    progress: bool = False,
    label: str = "",
) -> pd.DataFrame:
    """The recommendations table (contract section 2) of ``sources`` over ``targets`` (rows of ``fitted``).

    Columns: source_id, rank, target_id, score, then one column per active component holding its
    weighted contribution (they add up to score). ``min(k, len(targets))`` rows per source."""
    names = weights.active
    columns = [V.SOURCE_ID, V.RANK, V.TARGET_ID, V.SCORE, *names]
    if not len(sources) or not len(targets):
        return empty_recommendations(names)
    k = min(k, len(targets))
    block = block_size or block_size_for(len(targets))
    starts = list(range(0, len(sources), block))
    target_features = fitted.features.take(targets)

    def rank_block(start: int) -> pd.DataFrame:
        rows = sources[start : start + block]
        values = fitted.components_of(fitted.features.take(rows), target_features, names)
        score = weighted_sum(values, weights)
        top = top_k_indices(score, k)
        row_index = np.repeat(np.arange(len(rows)), k)
        flat = top.ravel()
        piece = {
            V.SOURCE_ID: fitted.ids[np.repeat(rows, k)],
            V.RANK: np.tile(np.arange(1, k + 1), len(rows)),
            V.TARGET_ID: fitted.ids[targets[flat]],
            V.SCORE: score[row_index, flat],
        }
        for name in names:  # contributions only where they are shown: the top k
            piece[name] = values[name][row_index, flat] * np.float32(weights[name])
        return pd.DataFrame(piece)

    with ThreadPoolExecutor(max_workers=RANKING_THREADS) as pool:
        results = pool.map(rank_block, starts)
        if progress:
            from tqdm.auto import tqdm

            results = tqdm(results, desc=label or "ranking", unit="block", total=len(starts))
        pieces = list(results)
    return pd.concat(pieces, ignore_index=True)[columns]
