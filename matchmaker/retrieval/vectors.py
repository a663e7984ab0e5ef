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
complementarity     w/2 · [o_i, s_i] / (z σ_fit,i)                        [s_j, o_j]    (mean for harmonic)
cooperation         w · q_i C / |q_i|                                     q_j / |q_j|
size                w · onehot(b_i) S                                     onehot(b_j)   (exact if known)
==================  ====================================================  =============================

σ_i, μ are the calibration statistics of the source's language against the target side's language mix;
clipping to [0, 1] and the harmonic mean are not linear, so the inner product only ranks candidates; the
exact score re-ranks them (:mod:`matchmaker.retrieval.two_stage`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from matchmaker.scoring.fitted import FittedMatcher
from matchmaker.scoring.weights import Weights

CONCEPT_DIMENSIONS = 128  # SVD rank of the glossary-concept rows
SEARCH_DIMENSIONS = 256  # the vectors are projected onto the keys' top principal directions for the search


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

    svd = TruncatedSVD(n_components=rank, random_state=seed, algorithm="randomized", n_iter=4).fit(concepts)
    return svd.components_.T.astype(np.float32)


def candidate_vectors(
    fitted: FittedMatcher,
    sources: np.ndarray,
    targets: np.ndarray,
    weights: Weights,
    dimensions: int = SEARCH_DIMENSIONS,
) -> CandidateVectors:
    """The query and key vectors of ``sources`` and ``targets`` (rows of ``fitted``) under ``weights``,
    projected to ``dimensions`` (:func:`project`)."""
    features, calibration = fitted.features, fitted.calibration
    src, tgt = features.take(sources), features.take(targets)
    z = np.float32(calibration.z_cap)
    languages = calibration.mean_text.shape[0]
    target_mix = np.bincount(tgt.language, minlength=languages).astype(np.float32)
    target_mix /= max(target_mix.sum(), 1.0)
    query_blocks, key_blocks = [], []

    def add(query: np.ndarray, key: np.ndarray) -> None:
        query_blocks.append(np.asarray(query, dtype=np.float32))
        key_blocks.append(np.asarray(key, dtype=np.float32))

    if weights["semantic"] > 0:
        spread = (calibration.std_text @ target_mix)[src.language]  # σ of each source's language vs the targets'
        scale = weights["semantic"] / (z * np.maximum(spread, 1e-6))
        add(src.text * scale[:, None], tgt.text)
        offsets = -calibration.mean_text[src.language] * scale[:, None]  # per target language
        add(offsets, np.eye(languages, dtype=np.float32)[tgt.language])
    if weights["terms"] > 0:
        basis = _concept_projection(sparse.vstack([src.concepts, tgt.concepts]).tocsr())
        add(weights["terms"] * (src.concepts @ basis), tgt.concepts @ basis)
    if weights["sector"] > 0:
        add(weights["sector"] * (src.sector @ fitted.affinity), tgt.sector)
    if weights["focus"] > 0:
        add(weights["focus"] * _unit(src.focus), _unit(tgt.focus))
    if weights["complementarity"] > 0:
        spread = (calibration.std_fit @ target_mix)[src.language]
        scale = weights["complementarity"] / (2 * z * np.maximum(spread, 1e-6))
        add(np.hstack([src.offers, src.seeks]) * scale[:, None], np.hstack([tgt.seeks, tgt.offers]))
    if weights["cooperation"] > 0:
        compatibility = fitted.taxonomy.cooperation_compatibility
        add(weights["cooperation"] * (_unit(src.cooperation) @ compatibility), _unit(tgt.cooperation))
    if weights["size"] > 0:
        bands = 4
        closeness = 1.0 - np.abs(np.arange(bands)[:, None] - np.arange(bands)[None, :]) / 3.0

        def one_hot(size: np.ndarray) -> np.ndarray:
            matrix = np.zeros((len(size), bands), dtype=np.float32)
            known = size >= 0
            matrix[np.flatnonzero(known), size[known]] = 1.0
            return matrix

        add(weights["size"] * (one_hot(src.size) @ closeness), one_hot(tgt.size))
    return project(np.hstack(query_blocks), np.hstack(key_blocks), dimensions)


def project(queries: np.ndarray, keys: np.ndarray, dimensions: int = SEARCH_DIMENSIONS) -> CandidateVectors:
    """Queries and keys on the ``dimensions`` leading right singular vectors of the keys (no centring):
    the part of a query orthogonal to them meets little of any key, so inner products are kept where
    the keys have their energy, and the search costs ``dimensions`` instead of thousands of products."""
    if keys.shape[1] <= dimensions or len(keys) <= dimensions:
        return CandidateVectors(np.ascontiguousarray(queries, np.float32), np.ascontiguousarray(keys, np.float32))
    sample = keys[np.random.default_rng(0).choice(len(keys), min(len(keys), 20_000), replace=False)]
    _, _, right = np.linalg.svd(sample, full_matrices=False)
    basis = right[:dimensions].T.astype(np.float32)
    return CandidateVectors(np.ascontiguousarray(queries @ basis), np.ascontiguousarray(keys @ basis))
