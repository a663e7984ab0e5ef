"""Exact top-k of a hybrid score: every source against every target (:func:`rank_exhaustive`), or
every source against its own candidate targets only (:func:`rank_candidates`).

The exhaustive path scores every pair, so its result is the reference any faster candidate search is
measured against. Memory stays bounded at any size (blocks of ~50 MB per float32 matrix); two blocks
run at a time because numpy's elementwise work and BLAS release the GIL, each block's matrix products
on one BLAS thread (:func:`_block_pool`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import lru_cache

import numpy as np
import pandas as pd

from matchmaker import vocab as V
from matchmaker.scoring.components import COMPONENTS
from matchmaker.scoring.fitted import FittedMatcher
from matchmaker.scoring.weights import Weights, weighted_sum

RANKING_THREADS = 2
BLOCK_CELLS = 12_500_000  # source x target cells per block: ~50 MB per float32 matrix


@contextmanager
def _block_pool() -> Iterator[ThreadPoolExecutor]:
    """:data:`RANKING_THREADS` threads for blocks, BLAS limited to one thread meanwhile: two blocks each
    asking OpenBLAS for its own threads oversubscribe the cores (re-ranking 8,000 sources at 20,000 a side:
    9.2 s of CPU with BLAS's threads, 2.9 s with one each)."""
    with _threadpools().limit(limits=1, user_api="blas"), ThreadPoolExecutor(max_workers=RANKING_THREADS) as pool:
        yield pool


@lru_cache(maxsize=1)
def _threadpools():
    """The process's thread pools, found once (``threadpool_limits`` looks for them again at every call:
    16 ms, a third of one company's two-stage recommendation)."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


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


# The recommendations table's columns (contract section 2): one per component, whatever its weight, so a
# table keeps its shape when a component's weight is 0 (it then contributes 0).
COLUMNS = (V.SOURCE_ID, V.RANK, V.TARGET_ID, V.SCORE, *COMPONENTS)


def empty_recommendations() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object if c in (V.SOURCE_ID, V.TARGET_ID) else float) for c in COLUMNS})


def _unweighted_columns(piece: dict[str, np.ndarray], rows: int) -> dict[str, np.ndarray]:
    """``piece`` with a zero contribution for every component it lacks (weight 0), in the table's order."""
    zeros = np.zeros(rows, dtype=np.float32)
    return {column: piece[column] if column in piece else zeros for column in COLUMNS}


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

    Columns: source_id, rank, target_id, score, then one column per component holding its weighted
    contribution (they add up to score; 0 for a component of weight 0). ``min(k, len(targets))`` rows
    per source."""
    names = weights.active
    if not len(sources) or not len(targets):
        return empty_recommendations()
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
        return pd.DataFrame(_unweighted_columns(piece, len(flat)))

    with _block_pool() as pool:
        results = pool.map(rank_block, starts)
        if progress:
            from tqdm.auto import tqdm

            results = tqdm(results, desc=label or "ranking", unit="block", total=len(starts))
        pieces = list(results)
    return pd.concat(pieces, ignore_index=True)


def rank_candidates(
    fitted: FittedMatcher,
    sources: np.ndarray,
    targets: np.ndarray,
    candidates: np.ndarray,
    k: int,
    weights: Weights,
    blocks: Sequence[np.ndarray] | None = None,
    pooled: bool = False,
) -> pd.DataFrame:
    """The recommendations table of :func:`rank_exhaustive`, with each source ranked among its own
    candidates only (or, ``pooled``, among every candidate of its block): exact scores and contributions,
    ties broken by target position.

    ``candidates``: ``(len(sources), C)`` positions in ``targets`` (``-1`` = no candidate; a source with
    fewer than ``k`` is ranked exhaustively). ``blocks``: positions in ``sources`` scored together
    (default: runs of 128 in order); sources whose candidates overlap should share a block, because a
    block is scored as one dense ``sources x union of their candidates`` matrix: a few matrix products
    over the union's rows instead of a copy of every pair's features. Rows come back in source order.

    ``pooled``: every source of a block is scored against the whole union anyway, so it may as well keep
    the best of those: the neighbours' candidates are exact scores too, and only raise the share of the
    exhaustive top k that is found (at no cost: the same matrices)."""
    names = weights.active
    if not len(sources) or not len(targets):
        return empty_recommendations()
    k = min(k, len(targets))
    candidates = np.asarray(candidates, dtype=np.int64)
    if blocks is None:
        blocks = [np.arange(start, min(start + 128, len(sources))) for start in range(0, len(sources), 128)]
    short = np.flatnonzero((candidates >= 0).sum(axis=1) < k)

    def rank_block(positions: np.ndarray) -> dict[str, np.ndarray]:
        found = np.sort(candidates[positions], axis=1)  # target order: ties then break as in rank_exhaustive
        union, local = np.unique(found, return_inverse=True)
        local = local.reshape(found.shape)
        if union[0] < 0:  # -1 (no candidate) sorts first: drop it
            union, local = union[1:], local - 1
        if len(union) < k:  # every source here is short of candidates: ranked exhaustively below
            blank = np.full(len(positions) * k, np.nan, dtype=np.float32)
            return {"position": np.repeat(positions, k), "target": np.zeros(len(blank), np.int64)} | {
                key: blank for key in (V.SCORE, *names)
            }
        src, tgt = fitted.features.take(sources[positions]), fitted.features.take(targets[union])
        values = fitted.components_of(src, tgt, names)
        full = weighted_sum(values, weights)
        rows = np.arange(len(positions))[:, None]
        if pooled:
            chosen = top_k_indices(full, k)  # columns of the union, ties by target position as the union is sorted
        else:
            score = np.where(found >= 0, full[rows, local], -np.inf)  # (sources, C): each source's own candidates
            chosen = np.take_along_axis(local, top_k_indices(score, k), axis=1)  # columns of the union
        row_index, flat = np.repeat(rows.ravel(), k), chosen.ravel()
        piece = {"position": np.repeat(positions, k), "target": union[flat], V.SCORE: full[row_index, flat]}
        for name in names:
            piece[name] = values[name][row_index, flat] * np.float32(weights[name])
        return piece

    with _block_pool() as pool:
        pieces = list(pool.map(rank_block, [np.asarray(b) for b in blocks if len(b)]))
    merged = {key: np.concatenate([p[key] for p in pieces]) for key in pieces[0]}
    order = np.argsort(merged["position"], kind="stable")  # blocks in any order -> source order, ranks kept
    position, target = merged["position"][order], merged["target"][order]
    table = pd.DataFrame(
        _unweighted_columns(
            {
                V.SOURCE_ID: fitted.ids[sources[position]],
                V.RANK: np.tile(np.arange(1, k + 1), len(sources)),
                V.TARGET_ID: fitted.ids[targets[target]],
                V.SCORE: merged[V.SCORE][order],
                **{name: merged[name][order] for name in names},
            },
            len(position),
        )
    )
    if not len(short):
        return table
    # too few candidates (an approximate index may return fewer): those sources are ranked exactly
    exact = rank_exhaustive(fitted, sources[short], targets, k, weights)
    kept = ~np.isin(position, short)
    where = np.concatenate([position[kept], np.repeat(short, k)])
    joined = pd.concat([table[kept], exact], ignore_index=True)
    return joined.iloc[np.argsort(where, kind="stable")].reset_index(drop=True)
