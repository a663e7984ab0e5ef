"""Top-C inner-product search over key vectors: FAISS flat (exact) or HNSW (approximate, for large sides)."""

from __future__ import annotations

from typing import Literal

import numpy as np

from matchmaker.errors import ParameterError

IndexKind = Literal["flat", "hnsw"]
HNSW_NEIGHBOURS = 32
HNSW_SEARCH_DEPTH = 256


def top_candidates(keys: np.ndarray, queries: np.ndarray, count: int, kind: IndexKind = "flat") -> np.ndarray:
    """``(len(queries), min(count, len(keys)))`` rows of ``keys`` with the largest inner product per
    query, best first. ``flat`` is exact; ``hnsw`` is a graph index that answers in logarithmic time at
    the price of an occasional missed neighbour (the exact re-ranking cannot recover those)."""
    import faiss

    if kind not in ("flat", "hnsw"):
        raise ParameterError(f"The index kind must be 'flat' or 'hnsw'. Got {kind!r} instead.")
    count = min(int(count), len(keys))
    if count < 1 or not len(queries):
        return np.zeros((len(queries), 0), dtype=np.int64)
    dimension = keys.shape[1]
    if kind == "flat":
        index = faiss.IndexFlatIP(dimension)
    else:
        index = faiss.IndexHNSWFlat(dimension, HNSW_NEIGHBOURS, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efSearch = max(HNSW_SEARCH_DEPTH, count)
    index.add(np.ascontiguousarray(keys, dtype=np.float32))
    _, found = index.search(np.ascontiguousarray(queries, dtype=np.float32), count)
    return found.astype(np.int64)
