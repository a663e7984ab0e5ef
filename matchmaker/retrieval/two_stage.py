"""Two-stage ranking: candidates by inner product (:mod:`.vectors`, :mod:`.index`), then the exact
hybrid score, contributions and order on those candidates only
(:func:`~matchmaker.scoring.ranking.rank_candidates`).

The result has exactly the columns and order of :func:`matchmaker.scoring.ranking.rank_exhaustive`;
it differs only where the true top k of a source lies outside its ``candidates`` best by inner product
(``recall_against`` measures how often). Sources are scored in blocks of similar queries (one k-means
cluster of query vectors at a time), because a block costs matrix products over the union of its
sources' candidates, and similar sources share most of theirs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from matchmaker import vocab as V
from matchmaker.errors import ParameterError
from matchmaker.retrieval.index import IndexKind, top_candidates
from matchmaker.retrieval.vectors import candidate_vectors
from matchmaker.scoring.fitted import FittedMatcher
from matchmaker.scoring.matcher import Matcher
from matchmaker.scoring.ranking import empty_recommendations, rank_candidates
from matchmaker.scoring.weights import Weights

DEFAULT_CANDIDATES = 200  # per source; chosen by measurement (benchmarks/README.md, "Scale")
BLOCK_SOURCES = 128  # sources scored together: union of their candidates ~10x C on synthetic data
SOURCES_PER_CLUSTER = 256  # k-means clusters of queries = sources / this


def rank_two_stage(
    fitted: FittedMatcher,
    sources: np.ndarray,
    targets: np.ndarray,
    k: int,
    weights: Weights,
    candidates: int = DEFAULT_CANDIDATES,
    index: IndexKind = "auto",
) -> pd.DataFrame:
    """The recommendations table of ``sources`` over ``targets``: ``min(k, len(targets))`` rows per
    source, exact scores and weighted contributions, ranked among each source's ``candidates`` best
    targets by the approximate inner product."""
    if not isinstance(candidates, (int, np.integer)) or candidates < k:
        raise ParameterError(f"candidates must be a whole number >= k ({k}). Got {candidates!r} instead.")
    names = weights.active
    if not len(sources) or not len(targets):
        return empty_recommendations(names)
    vectors = candidate_vectors(fitted, sources, targets, weights)
    found = top_candidates(vectors.keys, vectors.queries, candidates, index)
    blocks = similar_blocks(vectors.queries, BLOCK_SOURCES)
    return rank_candidates(fitted, sources, targets, found, k, weights, blocks)


def similar_blocks(queries: np.ndarray, size: int = BLOCK_SOURCES) -> list[np.ndarray]:
    """Rows of ``queries`` cut into blocks of at most ``size``, each within one k-means cluster."""
    clusters = len(queries) // SOURCES_PER_CLUSTER
    if clusters < 2:
        return [np.arange(start, min(start + size, len(queries))) for start in range(0, len(queries), size)]
    import faiss

    kmeans = faiss.Kmeans(queries.shape[1], clusters, niter=10, seed=0, spherical=False)
    kmeans.train(np.ascontiguousarray(queries, dtype=np.float32))
    _, label = kmeans.index.search(np.ascontiguousarray(queries, dtype=np.float32), 1)
    order = np.argsort(label.ravel(), kind="stable")
    bounds = np.flatnonzero(np.diff(label.ravel()[order])) + 1
    blocks = []
    for members in np.split(order, bounds):
        blocks += np.array_split(members, -(-len(members) // size))
    return blocks


def recommend_all_two_stage(
    matcher: Matcher,
    k: int = 10,
    weights: Weights | None = None,
    candidates: int = DEFAULT_CANDIDATES,
    index: IndexKind = "auto",
) -> pd.DataFrame:
    """:meth:`Matcher.recommend_all` through the two stages: German -> Chinese rows, then Chinese -> German."""
    fitted, resolved = matcher.fitted_, matcher.weights_for(weights)
    parts = [rank_two_stage(fitted, *fitted.sides(d), k, resolved, candidates, index) for d in V.DIRECTIONS]
    return pd.concat(parts, ignore_index=True)


def recall_against(exact: pd.DataFrame, approximate: pd.DataFrame) -> float:
    """Share of the exact top-k (source, target) pairs that the approximate table also holds."""
    truth = set(zip(exact[V.SOURCE_ID], exact[V.TARGET_ID]))
    found = set(zip(approximate[V.SOURCE_ID], approximate[V.TARGET_ID]))
    return len(truth & found) / max(len(truth), 1)
