"""Two-stage ranking: candidates by inner product (:mod:`.vectors`, :mod:`.index`), then the exact
hybrid score, contributions and order on those candidates only
(:func:`~matchmaker.scoring.ranking.rank_candidates`).

The result has exactly the columns and order of :func:`matchmaker.scoring.ranking.rank_exhaustive`;
it differs only where the true top k of a source lies outside the candidates scored for it
(``recall_against`` measures how often). Sources are scored in blocks of similar queries (one k-means
cluster of query vectors at a time), because a block costs matrix products over the union of its
sources' candidates, and similar sources share most of theirs; each source keeps the best of that
whole union (``pooled``), which it is scored against anyway.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from matchmaker import config
from matchmaker import vocab as V
from matchmaker.errors import ParameterError
from matchmaker.retrieval.index import IndexKind, build_index, search
from matchmaker.retrieval.vectors import CandidateSpace
from matchmaker.scoring.crowding import fill_crowding
from matchmaker.scoring.fitted import FittedMatcher
from matchmaker.scoring.matcher import Matcher
from matchmaker.scoring.ranking import empty_recommendations, rank_candidates
from matchmaker.scoring.weights import Weights

# Candidates searched per source. Each source is ranked among the pooled candidates of its block of 128
# similar sources, so it needs about half the count it would alone: recall of the exhaustive top-20 on
# synthetic data at 20,000 a side, 150 pooled 0.996 against 300 alone 0.995 (benchmarks/README.md, "Scale").
# The count grows like targets ** 0.6; at least 200 (small sides cost little).
MIN_CANDIDATES, BASE_CANDIDATES, BASE_TARGETS, CANDIDATE_GROWTH = 200, 100, 10_000, 0.6


def default_candidates(targets: int) -> int:
    """Candidates per source for ``targets`` targets: ``100 * (targets / 10,000) ** 0.6`` rounded to tens,
    at least 200 (200 up to about 32,000 targets, 400 at 100,000)."""
    return int(max(MIN_CANDIDATES, round(BASE_CANDIDATES * (targets / BASE_TARGETS) ** CANDIDATE_GROWTH, -1)))


DEFAULT_CANDIDATES = None  # None: default_candidates(len(targets))
BLOCK_SOURCES = 128  # sources scored together: union of their candidates ~10x C on synthetic data
SOURCES_PER_CLUSTER = 256  # k-means clusters of queries = sources / this
SEARCH_SOURCES = 8_192  # sources searched and re-ranked at a time: their candidate lists are what exists


def rank_two_stage(
    fitted: FittedMatcher,
    sources: np.ndarray,
    targets: np.ndarray,
    k: int,
    weights: Weights,
    candidates: int | None = DEFAULT_CANDIDATES,
    index: IndexKind = "auto",
) -> pd.DataFrame:
    """The recommendations table of ``sources`` over ``targets``: ``min(k, len(targets))`` rows per
    source, exact scores and weighted contributions, ranked among each source's ``candidates`` best
    targets by the approximate inner product (None: :func:`default_candidates`).

    Sources are searched and re-ranked :data:`SEARCH_SOURCES` at a time (whole blocks of similar
    queries), so only those sources' candidate lists exist at once, whatever the size of the side."""
    candidates = default_candidates(len(targets)) if candidates is None else candidates
    if not isinstance(candidates, (int, np.integer)) or candidates < k:
        raise ParameterError(f"candidates must be a whole number >= k ({k}). Got {candidates!r} instead.")
    if not len(sources) or not len(targets):
        return empty_recommendations()
    space = CandidateSpace(fitted, sources, targets, weights.active)
    queries = space.queries(sources, weights)
    searchable = build_index(space.keys(targets), index)
    parts, order = [], []
    for group in _groups(similar_blocks(queries, BLOCK_SOURCES), SEARCH_SOURCES):
        rows = np.concatenate(group)  # positions in sources; each block's are consecutive here
        found = search(searchable, queries[rows], candidates)
        bounds = np.cumsum([0, *map(len, group)])
        local = [np.arange(start, end) for start, end in zip(bounds[:-1], bounds[1:])]
        parts.append(rank_candidates(fitted, sources[rows], targets, found, k, weights, local, pooled=True))
        order.append(rows)
    table = pd.concat(parts, ignore_index=True)
    if len(parts) == 1 and np.array_equal(order[0], np.arange(len(sources))):
        return table
    per_source = len(table) // len(sources)  # min(k, targets) rows each, rank order kept within a source
    ranked = np.argsort(np.repeat(np.concatenate(order), per_source), kind="stable")
    return table.iloc[ranked].reset_index(drop=True)


def _groups(blocks: list[np.ndarray], size: int) -> list[list[np.ndarray]]:
    """Consecutive blocks gathered into groups of at least ``size`` sources (the last may hold fewer)."""
    groups, current, count = [], [], 0
    for block in blocks:
        current.append(block)
        count += len(block)
        if count >= size:
            groups.append(current)
            current, count = [], 0
    return groups + [current] if current else groups


class CandidateSearch:
    """One direction's candidate index, built once, for ranking one company at a time: a query vector,
    one search among the other side's keys, the exact score of ``candidates`` targets.

    Example::

        search = CandidateSearch(matcher.fitted_for(), "de_to_cn", matcher.weights_)
        search.recommend("DE0001", k=10)           # the table of Matcher.recommend, two-stage

    Any weights of the components active when it was built can be passed to :meth:`recommend`; weights
    that weigh ``distinct`` need a fitted state that holds their crowding (``matcher.fitted_for(weights)``)."""

    def __init__(
        self,
        fitted: FittedMatcher,
        direction: V.Direction,
        weights: Weights,
        candidates: int | None = DEFAULT_CANDIDATES,
        index: IndexKind = "auto",
    ) -> None:
        self.fitted, self.weights = fitted, weights
        self.sources, self.targets = fitted.sides(direction)
        self.candidates = default_candidates(len(self.targets)) if candidates is None else candidates
        self.space = CandidateSpace(fitted, self.sources, self.targets, weights.active)
        self.index = build_index(self.space.keys(self.targets), index)
        self.source_country = V.DIRECTION_COUNTRIES[direction][0]

    def recommend(self, company_id: str, k: int = 10, weights: Weights | None = None) -> pd.DataFrame:
        """The ``k`` best partners of ``company_id`` (a company of this direction's source side)."""
        weights = weights or self.weights
        if not isinstance(self.candidates, (int, np.integer)) or self.candidates < k:
            raise ParameterError(f"candidates must be a whole number >= k ({k}). Got {self.candidates!r} instead.")
        row = self.fitted.position(company_id)
        if self.fitted.country[row] != self.source_country:
            raise ParameterError(
                f"Company '{company_id}' is not on this search's source side ({self.source_country}). "
                "Use the CandidateSearch of the other direction."
            )
        rows = np.array([row])
        found = search(self.index, self.space.queries(rows, weights), self.candidates)
        return rank_candidates(self.fitted, rows, self.targets, found, k, weights)


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
    candidates: int | None = DEFAULT_CANDIDATES,
    index: IndexKind = "auto",
) -> pd.DataFrame:
    """:meth:`Matcher.recommend_all` through the two stages: German -> Chinese rows, then Chinese -> German.
    Weights that weigh ``distinct`` first rank the base weights' top 10 through the same two stages for
    every company's crowding (unless the matcher holds it), then rank with it."""
    resolved = matcher.weights_for(weights)
    fill_crowding(matcher, resolved, lambda base, top: _both_directions(matcher.fitted_, top, base, candidates, index))
    return _both_directions(matcher.fitted_for(resolved), k, resolved, candidates, index)


def _both_directions(
    fitted: FittedMatcher, k: int, weights: Weights, candidates: int | None, index: IndexKind
) -> pd.DataFrame:
    parts = [rank_two_stage(fitted, *fitted.sides(d), k, weights, candidates, index) for d in V.DIRECTIONS]
    return pd.concat(parts, ignore_index=True)


def too_large_for_exact(matcher: Matcher) -> bool:
    """Whether a ranking of all of ``matcher``'s companies takes the two stages: a side holds more than
    ``config.TWO_STAGE_FROM`` companies."""
    return max(len(matcher.fitted_.side(country)) for country in V.COUNTRIES) > config.TWO_STAGE_FROM


def prepare_crowding(matcher: Matcher, weights: Weights | None = None) -> None:
    """Give ``matcher`` the crowding that ``weights`` need (see :mod:`matchmaker.scoring.crowding`) by the
    route a ranking of all its companies takes: exact up to ``config.TWO_STAGE_FROM`` companies a side (what
    :meth:`Matcher.fitted_for` does on its own), through the two stages above, where an exact pass over
    every pair would take hours. Call it before one company's list on large data (the dashboard, exports)."""
    resolved = matcher.weights_for(weights)
    if matcher.holds_crowding(resolved):
        return
    if not too_large_for_exact(matcher):
        matcher.fitted_for(resolved)
        return
    fill_crowding(matcher, resolved, lambda base, top: _both_directions(matcher.fitted_, top, base, None, "auto"))


def recall_against(exact: pd.DataFrame, approximate: pd.DataFrame) -> float:
    """Share of the exact top-k (source, target) pairs that the approximate table also holds."""
    truth = set(zip(exact[V.SOURCE_ID], exact[V.TARGET_ID]))
    found = set(zip(approximate[V.SOURCE_ID], approximate[V.TARGET_ID]))
    return len(truth & found) / max(len(truth), 1)
