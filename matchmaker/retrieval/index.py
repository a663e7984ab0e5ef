"""Top-C inner-product search over key vectors: FAISS flat (exact); IVF, IVF with 4-bit product codes
(``ivf-pq``) or HNSW (approximate, for large sides)."""

from __future__ import annotations

import numpy as np

from matchmaker.errors import ParameterError
from matchmaker.vocab import INDEX_KINDS, IndexKind

HNSW_NEIGHBOURS = 32
HNSW_SEARCH_DEPTH = 256
IVF_FROM = 30_000  # keys: from here ``auto`` searches an IVF index with product codes, below it the exact flat one
IVF_LISTS_PER_ROOT = 4  # lists = 4 * sqrt(keys)
IVF_PROBES = 48  # lists visited per query, at least ...
IVF_PROBE_SHARE = 0.1  # ... or this share of the lists: recall of the exhaustive top-20 at 100,000 a side and
# 800 candidates was 0.974 with 48 of 1,265 lists, 0.992 with 128 (benchmarks/README.md, "Scale")
# ivf-pq: each list holds 4-bit product codes of two dimensions each (FAISS "fast scan": the codes are
# compared in SIMD registers), searched 3x as fast as the float vectors at 100,000 keys with the same
# pooled recall within 0.002 (benchmarks/README.md, "Scale"); the exact re-ranking restores the order.


def ivf_probes(lists: int, probes: int | None = None) -> int:
    """Lists an IVF search visits: ``probes``, or (None) ``max(IVF_PROBES, IVF_PROBE_SHARE * lists)``,
    at most ``lists``. A fixed count visits a shrinking share of the keys as the side grows."""
    if probes is None:
        probes = max(IVF_PROBES, round(IVF_PROBE_SHARE * lists))
    return max(1, min(int(probes), lists))


def resolve_kind(kind: IndexKind, keys: int) -> str:
    """The index ``kind`` names; for ``auto``: ``flat`` below :data:`IVF_FROM` keys, ``ivf-pq`` from there."""
    if kind not in INDEX_KINDS:
        raise ParameterError(f"The index kind must be one of {', '.join(INDEX_KINDS)}. Got {kind!r} instead.")
    if kind == "auto":
        return "flat" if keys < IVF_FROM else "ivf-pq"
    return kind


def top_candidates(
    keys: np.ndarray, queries: np.ndarray, count: int, kind: IndexKind = "flat", probes: int | None = None
) -> np.ndarray:
    """``(len(queries), min(count, len(keys)))`` rows of ``keys`` with the largest inner product per
    query, best first. ``flat`` is exact; ``ivf`` visits the ``probes`` (None: :func:`ivf_probes`) of
    ``4 * sqrt(len(keys))`` clusters nearest to each query (exact products inside them); ``ivf-pq`` the
    same clusters with the keys held as 4-bit codes of two dimensions each (approximate products);
    ``hnsw`` is a graph index that answers in logarithmic time. The approximate ones may miss a neighbour (the exact re-ranking cannot
    recover it) and mark a missing slot -1."""
    return search(build_index(keys, kind, probes), queries, count)


def build_index(keys: np.ndarray, kind: IndexKind = "flat", probes: int | None = None):
    """A FAISS inner-product index over ``keys`` (see :func:`top_candidates` for the kinds)."""
    import faiss

    kind = resolve_kind(kind, len(keys))
    keys = np.ascontiguousarray(keys, dtype=np.float32)
    dimension = keys.shape[1]
    if kind == "flat":
        index = faiss.IndexFlatIP(dimension)
    elif kind in ("ivf", "ivf-pq"):
        lists = max(1, min(int(IVF_LISTS_PER_ROOT * np.sqrt(len(keys))), len(keys) // 39))
        if kind == "ivf":
            index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dimension), dimension, lists, faiss.METRIC_INNER_PRODUCT)
        else:  # one 4-bit code per pair of dimensions (per dimension where their count is odd)
            codes = dimension // 2 if dimension % 2 == 0 else dimension
            index = faiss.index_factory(dimension, f"IVF{lists},PQ{codes}x4fs", faiss.METRIC_INNER_PRODUCT)
        index.train(keys)
        index.nprobe = ivf_probes(lists, probes)
    else:
        index = faiss.IndexHNSWFlat(dimension, HNSW_NEIGHBOURS, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efSearch = HNSW_SEARCH_DEPTH
    if len(keys):
        index.add(keys)
    return index


def search(index, queries: np.ndarray, count: int) -> np.ndarray:
    """``(len(queries), min(count, keys))`` positions of the best keys per query, best first (-1: none)."""
    count = min(int(count), index.ntotal)
    if count < 1 or not len(queries):
        return np.zeros((len(queries), 0), dtype=np.int64)
    if hasattr(index, "hnsw"):
        index.hnsw.efSearch = max(HNSW_SEARCH_DEPTH, count)
    _, found = index.search(np.ascontiguousarray(queries, dtype=np.float32), count)
    return found.astype(np.int64)
