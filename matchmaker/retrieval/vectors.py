"""Query and key vectors whose inner product approximates the hybrid score of a source and a target.

Each weighted component becomes a block of the two vectors (query for sources, key for targets):

==================  ====================================================  =============================
component           query block (source i)                                key block (target j)
==================  ====================================================  =============================
semantic            w · t_i / (z σ_i)  and  -w · μ_i,ℓ / (z σ_i) per        t_j  and one-hot(language_j)
                    target language ℓ
terms               w · SVD(concepts_i)                                   SVD(concepts_j)
sector              w · p_i A                                             p_j   (exact: p_i A p_jᵀ)
focus               w · f_i / |f_i|                                       f_j / |f_j|   (cosine for Jaccard)
complementarity     w/2 · [o_i, s_i] / (z σ_fit,i)                        [s_j, o_j]    (no offset μ_fit)
cooperation         w · q_i C / |q_i|  and  w/2 if i names a type          q_j / |q_j|  and  1 if j names none
size                w · onehot(b_i) S  and  w/2 if b_i is known            onehot(b_j)  and  1 if b_j unknown
distinct            w                                                     1 - crowding_j   (exact)
==================  ====================================================  =============================

The last column of cooperation and size gives a target that names no type, or no size, the neutral
value 0.5 of the exact component (without it such targets would be ranked as if the component were
0); size is then exact for every source of known size (for the others it is 0.5 for every target).

σ_i, μ are the calibration statistics of the source's language against the target side's language mix;
clipping to [0, 1] is not linear, complementarity's offset μ_fit (per language pair) is left out and focus
and cooperation are approximated, so the inner product only ranks candidates; the exact score re-ranks
them (:mod:`matchmaker.retrieval.two_stage`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from matchmaker.errors import ParameterError
from matchmaker.scoring.components import NEUTRAL, distinct
from matchmaker.scoring.fitted import FittedMatcher
from matchmaker.scoring.weights import Weights

CONCEPT_DIMENSIONS = 128  # SVD rank of the glossary-concept rows
SEARCH_DIMENSIONS = 256  # the vectors are projected onto the keys' top principal directions for the search
SVD_SAMPLE = 8_000  # rows the projections are learned from (more rows: slower, no better recall measured)
SVD_OVERSAMPLES, SVD_ITERATIONS = 32, 2
CHUNK_ROWS = 8_192  # companies whose full-width vectors exist at once (~80 MB at 2,500 columns)


@dataclass(frozen=True)
class CandidateVectors:
    """``queries[i] @ keys[j]`` approximates the score of ``sources[i]`` against ``targets[j]``."""

    queries: np.ndarray  # (len(sources), D) float32, C-contiguous
    keys: np.ndarray  # (len(targets), D) float32, C-contiguous


def _unit(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)


def _concept_projection(concepts: sparse.csr_matrix, seed: int = 0) -> np.ndarray:
    """``(concepts, r)`` basis: the top right singular vectors of the concept rows, so that
    ``(c_i V)(c_j V)ᵀ ≈ c_i c_jᵀ`` for the rows that matter most."""
    rank = min(CONCEPT_DIMENSIONS, min(concepts.shape) - 1)
    if rank < 1 or concepts.nnz == 0:
        return np.zeros((concepts.shape[1], 1), dtype=np.float32)
    from sklearn.decomposition import TruncatedSVD

    if concepts.shape[0] > SVD_SAMPLE:  # the directions that matter are found in a sample as well
        rows = np.random.default_rng(seed).choice(concepts.shape[0], SVD_SAMPLE, replace=False)
        concepts = concepts[np.sort(rows)]
    svd = TruncatedSVD(n_components=rank, random_state=seed, algorithm="randomized", n_iter=SVD_ITERATIONS)
    svd.fit(concepts)
    return svd.components_.T.astype(np.float32)


def candidate_vectors(
    fitted: FittedMatcher,
    sources: np.ndarray,
    targets: np.ndarray,
    weights: Weights,
    dimensions: int = SEARCH_DIMENSIONS,
) -> CandidateVectors:
    """The query and key vectors of ``sources`` and ``targets`` (rows of ``fitted``) under ``weights``,
    projected to ``dimensions`` (:func:`projection`)."""
    space = CandidateSpace(fitted, sources, targets, weights.active, dimensions)
    return CandidateVectors(space.queries(sources, weights), space.keys(targets))


class CandidateSpace:
    """The vector space of one ranking direction for a set of active components: what does not depend
    on the weights' values (the target side's language mix, the concept basis, the projection), so
    that keys are built once and a query for any weights of those components costs one row.

    Vectors are built :data:`CHUNK_ROWS` companies at a time, so the full-width vectors (thousands of
    columns) never exist for a whole side at once."""

    def __init__(
        self,
        fitted: FittedMatcher,
        sources: np.ndarray,
        targets: np.ndarray,
        active: tuple[str, ...],
        dimensions: int = SEARCH_DIMENSIONS,
    ) -> None:
        self.fitted, self.active = fitted, tuple(active)
        features, calibration = fitted.features, fitted.calibration
        self.languages = calibration.mean_text.shape[0]
        mix = np.bincount(features.language[targets], minlength=self.languages).astype(np.float32)
        self.target_mix = mix / max(mix.sum(), 1.0)
        self.concept_basis = None
        if "terms" in self.active:
            both = sparse.vstack([features.concepts[sources], features.concepts[targets]]).tocsr()
            self.concept_basis = _concept_projection(both)
        sample = np.random.default_rng(0).choice(len(targets), min(len(targets), SVD_SAMPLE), replace=False)
        self.basis = projection(self._full_keys(targets[np.sort(sample)]), dimensions)

    def queries(self, rows: np.ndarray, weights: Weights) -> np.ndarray:
        """``(len(rows), dimensions)`` query vectors of source ``rows`` (rows of the fitted matcher)."""
        extra = set(weights.active) - set(self.active)
        if extra:
            raise ParameterError(
                f"These weights use {sorted(extra)}, which the candidate space was built without. "
                "Build a CandidateSpace (or CandidateSearch) for these weights."
            )
        return self._chunked(lambda part: self._full_queries(part, weights), np.asarray(rows))

    def keys(self, rows: np.ndarray) -> np.ndarray:
        """``(len(rows), dimensions)`` key vectors of target ``rows``."""
        return self._chunked(self._full_keys, np.asarray(rows))

    def _chunked(self, build, rows: np.ndarray) -> np.ndarray:
        """``build`` of ``rows`` :data:`CHUNK_ROWS` at a time, each chunk projected before the next is built
        (building them all first held 1 GB of full-width vectors at 100,000 a side)."""
        project = (lambda part: part) if self.basis is None else (lambda part: part @ self.basis)
        parts = [project(build(rows[start : start + CHUNK_ROWS])) for start in range(0, max(len(rows), 1), CHUNK_ROWS)]
        return np.ascontiguousarray(np.vstack(parts), dtype=np.float32)

    def _full_queries(self, rows: np.ndarray, weights: Weights) -> np.ndarray:
        fitted, calibration = self.fitted, self.fitted.calibration
        src, z = fitted.features.take(rows), np.float32(calibration.z_cap)
        blocks = []
        if "semantic" in self.active:
            spread = (calibration.std_text @ self.target_mix)[
                src.language
            ]  # σ of each source's language vs the targets'
            scale = weights["semantic"] / (z * np.maximum(spread, 1e-6))
            blocks += [src.text * scale[:, None], -calibration.mean_text[src.language] * scale[:, None]]
        if self.concept_basis is not None:
            blocks.append(weights["terms"] * (src.concepts @ self.concept_basis))
        if "sector" in self.active:
            blocks.append(weights["sector"] * (src.sector @ fitted.affinity))
        if "focus" in self.active:
            blocks.append(weights["focus"] * _unit(src.focus))
        if "complementarity" in self.active:
            spread = (calibration.std_fit @ self.target_mix)[src.language]
            scale = weights["complementarity"] / (2 * z * np.maximum(spread, 1e-6))
            blocks += [src.offers * scale[:, None], src.seeks * scale[:, None]]
        if "cooperation" in self.active:
            compatibility = fitted.taxonomy.cooperation_compatibility
            blocks.append(weights["cooperation"] * (_unit(src.cooperation) @ compatibility))
            blocks.append(weights["cooperation"] * NEUTRAL * src.cooperation.any(axis=1, keepdims=True))
        if "size" in self.active:
            blocks.append(weights["size"] * (_size_one_hot(src.size) @ _CLOSENESS))
            blocks.append(weights["size"] * NEUTRAL * (src.size >= 0)[:, None])
        if "distinct" in self.active:
            blocks.append(np.full((len(rows), 1), weights["distinct"], dtype=np.float32))
        return np.hstack([np.asarray(b, dtype=np.float32) for b in blocks])

    def _full_keys(self, rows: np.ndarray) -> np.ndarray:
        tgt = self.fitted.features.take(rows)
        blocks = []
        if "semantic" in self.active:
            blocks += [tgt.text, np.eye(self.languages, dtype=np.float32)[tgt.language]]
        if self.concept_basis is not None:
            blocks.append(tgt.concepts @ self.concept_basis)
        if "sector" in self.active:
            blocks.append(tgt.sector)
        if "focus" in self.active:
            blocks.append(_unit(tgt.focus))
        if "complementarity" in self.active:
            blocks += [tgt.seeks, tgt.offers]
        if "cooperation" in self.active:
            blocks.append(_unit(tgt.cooperation))
            blocks.append(~tgt.cooperation.any(axis=1, keepdims=True))
        if "size" in self.active:
            blocks.append(_size_one_hot(tgt.size))
            blocks.append((tgt.size < 0)[:, None])
        if "distinct" in self.active:
            blocks.append(distinct(tgt, tgt, self.fitted.calibration, pairwise=True)[:, None])
        return np.hstack([np.asarray(b, dtype=np.float32) for b in blocks])


_BANDS = 4
_CLOSENESS = (1.0 - np.abs(np.arange(_BANDS)[:, None] - np.arange(_BANDS)[None, :]) / 3.0).astype(np.float32)


def _size_one_hot(size: np.ndarray) -> np.ndarray:
    matrix = np.zeros((len(size), _BANDS), dtype=np.float32)
    known = size >= 0
    matrix[np.flatnonzero(known), size[known]] = 1.0
    return matrix


def projection(keys: np.ndarray, dimensions: int = SEARCH_DIMENSIONS) -> np.ndarray | None:
    """``(width, dimensions)`` basis: the leading right singular vectors of (a sample of) the keys, no
    centring; None when the keys are no wider than ``dimensions``. The part of a query orthogonal to
    them meets little of any key, so inner products are kept where the keys have their energy, and
    the search costs ``dimensions`` instead of thousands of products. Found by a randomised SVD."""
    if keys.shape[1] <= dimensions or len(keys) <= dimensions:
        return None
    from sklearn.utils.extmath import randomized_svd

    _, _, right = randomized_svd(keys, dimensions, n_oversamples=SVD_OVERSAMPLES, n_iter=SVD_ITERATIONS, random_state=0)
    return np.ascontiguousarray(right.T, dtype=np.float32)
