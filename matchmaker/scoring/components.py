"""German x Chinese score components: pure functions from company features to values in [0, 1].

Every component has one implementation that serves both shapes: a block of sources against all
targets (``pairwise=False``: an ``(m, n)`` matrix) and aligned pairs (``pairwise=True``: source
row ``i`` with target row ``i``, an ``(m,)`` vector, for breaking a ranked suggestion into parts).

Components and what a value means (best value 1):

``semantic``        embedding similarity of the two profile texts, calibrated per language pair:
                    ``(cos - mean) / (z_cap * std)`` clipped to [0, 1], where mean and std are those
                    of German x Chinese pairs written in the same two languages. 0 = no more alike
                    than a typical pair of those languages; 1 = ``z_cap`` standard deviations above.
``terms``           shared glossary concepts (any language), IDF-weighted cosine. 0 = none shared.
``sector``          expected value-chain affinity of the two NACE divisions: 1 same division, the
                    shipped affinity for related ones, 0.3 same section, 0 unrelated. A division
                    inferred from text is a probability spread over divisions, hence the expectation.
``focus``           Jaccard overlap of focus-area sets; 0 when either company has none.
``complementarity`` A's offers against B's seeks and B's offers against A's seeks, each calibrated
                    like ``semantic``, and their mean: 0.5 when one direction fits fully and the
                    other not at all. A company that states no offers (seeks) is read through its
                    description. (The mean replaced a harmonic mean, which scores 0 whenever one
                    direction is no better than a typical pair and so threw away most of the signal:
                    on the real-partnerships benchmark, cross-validated, Recall@10 +0.04 and MRR
                    +0.02; see ``benchmarks/real_partnerships.py``.)
``cooperation``     best compatibility of the cooperation types the two name; 0.5 when either names none.
``size``            closeness of employee bands, 1 - |band difference| / 3; 0.5 when either is unknown.
``distinct``        1 - the target's crowding: the mean of its 10 best scores from the other components
                    against the whole other country (:mod:`matchmaker.scoring.crowding`). A company
                    that matches everyone about as well as it matches anyone (a hub) heads fewer lists,
                    so the real partner of a source is not crowded out by a look-alike of a whole sector.
                    It needs the population's scores first, so the matcher computes it before a ranking
                    that weighs it (not per pair).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from matchmaker.errors import ParameterError

COMPONENTS = ("semantic", "terms", "sector", "focus", "complementarity", "cooperation", "size", "distinct")
DISTINCT = "distinct"
SEMANTIC = "semantic"
# The components computed from two companies' features alone; ``distinct`` is computed from their scores.
PAIR_COMPONENTS = tuple(name for name in COMPONENTS if name != DISTINCT)
NEUTRAL = 0.5


@dataclass
class CompanyFeatures:
    """Per-company arrays, row i = company i (all float32 unless stated)."""

    text: np.ndarray  # (n, d) unit-length embedding of description (+ offers, seeks)
    offers: np.ndarray  # (n, d) unit-length embedding of what the company offers
    seeks: np.ndarray  # (n, d) unit-length embedding of what the company seeks
    language: np.ndarray  # (n,) int: index into the language list of the calibration
    concepts: sparse.csr_matrix  # (n, c) IDF-weighted unit rows of glossary concepts
    sector: np.ndarray  # (n, s) probability over NACE divisions (zero row: unknown)
    focus: np.ndarray  # (n, f) 0/1 focus areas
    cooperation: np.ndarray  # (n, k) 0/1 cooperation types
    size: np.ndarray  # (n,) int band 0..3, -1 unknown
    crowding: np.ndarray | None = None  # (n,) mean of the 10 best scores against the other country, once computed

    def __len__(self) -> int:
        return self.text.shape[0]

    def take(self, index: np.ndarray) -> CompanyFeatures:
        return CompanyFeatures(
            **{
                name: None if getattr(self, name) is None else getattr(self, name)[index]
                for name in self.__dataclass_fields__
            }
        )


@dataclass(frozen=True)
class Calibration:
    """Mean and standard deviation of raw cosine per (source language, target language), for the
    text-to-text (``*_text``) and the one-direction offers-to-seeks (``*_fit``) similarities."""

    mean_text: np.ndarray
    std_text: np.ndarray
    mean_fit: np.ndarray
    std_fit: np.ndarray
    z_cap: float = 4.0


def _dot(a, b, pairwise: bool) -> np.ndarray:
    """Row-wise dot products of aligned rows, or the full product matrix; dense or sparse."""
    if pairwise:
        if sparse.issparse(a):
            return np.asarray(a.multiply(b).sum(axis=1), dtype=np.float32).ravel()
        return np.einsum("ij,ij->i", a, b).astype(np.float32, copy=False)
    product = a @ b.T
    return (product.toarray() if sparse.issparse(product) else np.asarray(product)).astype(np.float32, copy=False)


def _pick(table: np.ndarray, row_index: np.ndarray, col_index: np.ndarray, pairwise: bool) -> np.ndarray | np.float32:
    """Per-pair values of a small (language x language) table; a scalar when the block holds a
    single language pair (the common case, and much cheaper than a full matrix)."""
    if pairwise:
        return table[row_index, col_index].astype(np.float32)
    rows, cols = np.unique(row_index), np.unique(col_index)
    if len(rows) == 1 and len(cols) == 1:
        return np.float32(table[rows[0], cols[0]])
    return np.take(table[row_index].astype(np.float32), col_index, axis=1)


def _calibrate(raw: np.ndarray, mean, std, z_cap: float) -> np.ndarray:
    raw -= mean
    raw /= np.float32(z_cap) * std
    return np.clip(raw, 0.0, 1.0, out=raw)


def semantic(src: CompanyFeatures, tgt: CompanyFeatures, cal: Calibration, pairwise: bool = False) -> np.ndarray:
    raw = _dot(src.text, tgt.text, pairwise)
    mean = _pick(cal.mean_text, src.language, tgt.language, pairwise)
    std = _pick(cal.std_text, src.language, tgt.language, pairwise)
    return _calibrate(raw, mean, std, cal.z_cap)


def terms(src: CompanyFeatures, tgt: CompanyFeatures, cal: Calibration, pairwise: bool = False) -> np.ndarray:
    return np.clip(_dot(src.concepts, tgt.concepts, pairwise), 0.0, 1.0)


def sector(
    src: CompanyFeatures,
    tgt: CompanyFeatures,
    cal: Calibration,
    pairwise: bool = False,
    affinity: np.ndarray | None = None,
) -> np.ndarray:
    weighted = src.sector @ affinity
    return np.clip(_dot(weighted, tgt.sector, pairwise), 0.0, 1.0)


def focus(src: CompanyFeatures, tgt: CompanyFeatures, cal: Calibration, pairwise: bool = False) -> np.ndarray:
    shared = _dot(src.focus, tgt.focus, pairwise)
    count_src, count_tgt = src.focus.sum(axis=1), tgt.focus.sum(axis=1)
    union = (count_src + count_tgt - shared) if pairwise else (count_src[:, None] + count_tgt[None, :] - shared)
    return np.divide(shared, union, out=np.zeros_like(shared), where=union > 0)


def complementarity(src: CompanyFeatures, tgt: CompanyFeatures, cal: Calibration, pairwise: bool = False) -> np.ndarray:
    mean = _pick(cal.mean_fit, src.language, tgt.language, pairwise)
    std = _pick(cal.std_fit, src.language, tgt.language, pairwise)
    forward = _calibrate(_dot(src.offers, tgt.seeks, pairwise), mean, std, cal.z_cap)
    forward += _calibrate(_dot(src.seeks, tgt.offers, pairwise), mean, std, cal.z_cap)
    forward *= 0.5
    return forward


def cooperation(
    src: CompanyFeatures,
    tgt: CompanyFeatures,
    cal: Calibration,
    pairwise: bool = False,
    compatibility: np.ndarray | None = None,
) -> np.ndarray:
    # reach[j, a]: how well target j's types fit type a; a source's value is its best type's reach
    reach = (tgt.cooperation[:, None, :] * compatibility[None, :, :]).max(axis=2)
    reach[~tgt.cooperation.any(axis=1)] = NEUTRAL
    if pairwise:
        best = np.where(src.cooperation > 0, reach, 0.0).max(axis=1)
        return np.where(src.cooperation.any(axis=1), best, NEUTRAL).astype(np.float32)
    out = np.empty((len(src), len(tgt)), dtype=np.float32)
    patterns, which = np.unique(src.cooperation > 0, axis=0, return_inverse=True)
    for number, pattern in enumerate(patterns):  # few distinct sets of types, however many companies
        rows = np.flatnonzero(which.ravel() == number)
        out[rows] = reach[:, pattern].max(axis=1) if pattern.any() else NEUTRAL
    return out


def size(src: CompanyFeatures, tgt: CompanyFeatures, cal: Calibration, pairwise: bool = False) -> np.ndarray:
    a = src.size.astype(np.float32)
    b = tgt.size.astype(np.float32)
    gap = np.abs(a - b) if pairwise else np.abs(a[:, None] - b[None, :])
    known = (a >= 0) & (b >= 0) if pairwise else (a[:, None] >= 0) & (b[None, :] >= 0)
    return np.where(known, 1.0 - gap / 3.0, NEUTRAL).astype(np.float32)


def distinct(src: CompanyFeatures, tgt: CompanyFeatures, cal: Calibration, pairwise: bool = False) -> np.ndarray:
    if tgt.crowding is None:
        raise ParameterError(
            "The 'distinct' component needs every company's crowding, which these features do not hold yet. "
            "Rank through Matcher (it computes the crowding first), or pass weights with distinct = 0."
        )
    value = np.clip(1.0 - tgt.crowding, 0.0, 1.0).astype(np.float32)
    return value if pairwise else np.broadcast_to(value, (len(src), len(tgt)))


def component_values(
    names: tuple[str, ...],
    src: CompanyFeatures,
    tgt: CompanyFeatures,
    cal: Calibration,
    affinity: np.ndarray,
    compatibility: np.ndarray,
    pairwise: bool = False,
) -> dict[str, np.ndarray]:
    """The named components for a block of sources x all targets, or for aligned pairs."""
    functions = {
        "semantic": lambda: semantic(src, tgt, cal, pairwise),
        "terms": lambda: terms(src, tgt, cal, pairwise),
        "sector": lambda: sector(src, tgt, cal, pairwise, affinity=affinity),
        "focus": lambda: focus(src, tgt, cal, pairwise),
        "complementarity": lambda: complementarity(src, tgt, cal, pairwise),
        "cooperation": lambda: cooperation(src, tgt, cal, pairwise, compatibility=compatibility),
        "size": lambda: size(src, tgt, cal, pairwise),
        "distinct": lambda: distinct(src, tgt, cal, pairwise),
    }
    return {name: functions[name]() for name in names}


def fit_calibration(
    src: CompanyFeatures,
    tgt: CompanyFeatures,
    languages: int,
    z_cap: float = 4.0,
    sample: int = 200_000,
    min_pairs: int = 200,
    seed: int = 0,
    src_rows: np.ndarray | None = None,
    tgt_rows: np.ndarray | None = None,
) -> Calibration:
    """Estimate the per-language-pair mean and std of raw similarities from random source x target
    pairs (up to ``sample``). A language pair with fewer than ``min_pairs`` sampled pairs uses the
    statistics of all pairs, so a rare pair is not scaled on noise.

    ``src_rows`` / ``tgt_rows``: the rows of ``src`` / ``tgt`` that are the two sides (default: all),
    the same as passing ``src.take(src_rows)`` without copying every side's vectors."""
    rng = np.random.default_rng(seed)
    src_rows = np.arange(len(src)) if src_rows is None else np.asarray(src_rows)
    tgt_rows = np.arange(len(tgt)) if tgt_rows is None else np.asarray(tgt_rows)
    m, n = len(src_rows), len(tgt_rows)
    count = min(sample, m * n)
    i = src_rows[rng.integers(0, m, count)]
    j = tgt_rows[rng.integers(0, n, count)]
    text = _paired_dots(src.text, i, tgt.text, j)
    # One direction of offers against seeks at a time: complementarity calibrates each direction on its
    # own before taking their mean (the statistics of the mean have a ~1.4x smaller spread, which
    # saturated single directions at 1 too early).
    forward = _paired_dots(src.offers, i, tgt.seeks, j)
    backward = _paired_dots(src.seeks, i, tgt.offers, j)
    # Similarity is symmetric, so each sampled pair counts for both orders: the table then serves
    # German -> Chinese and Chinese -> German alike.
    a, b = src.language[i], tgt.language[j]
    samples = {
        "text": (np.concatenate([text, text]), np.concatenate([a, b]), np.concatenate([b, a])),
        "fit": (
            np.concatenate([forward, backward, forward, backward]),
            np.concatenate([a, a, b, b]),
            np.concatenate([b, b, a, a]),
        ),
    }
    tables = {}
    for name, (raw, first, second) in samples.items():
        mean = np.full((languages, languages), raw.mean() if count else 0.0, dtype=np.float32)
        std = np.full((languages, languages), max(raw.std(), 1e-3) if count else 1.0, dtype=np.float32)
        for row in range(languages):
            for col in range(languages):
                mask = (first == row) & (second == col)
                if mask.sum() >= min_pairs:
                    mean[row, col] = raw[mask].mean()
                    std[row, col] = max(raw[mask].std(), 1e-3)
        tables[name] = (mean, std)
    return Calibration(*tables["text"], *tables["fit"], z_cap=z_cap)


PAIRS_PER_CHUNK = 16_384  # rows gathered at once: 2 x 48 MB at 768 dimensions


def _paired_dots(a: np.ndarray, rows_a: np.ndarray, b: np.ndarray, rows_b: np.ndarray) -> np.ndarray:
    """``(a[rows_a] * b[rows_b]).sum(1)``, gathered a chunk at a time (a whole sample of 200,000 pairs
    gathered at once was 0.6 GB per side at 100,000 companies)."""
    out = np.empty(len(rows_a), dtype=np.result_type(a, b))
    for start in range(0, len(rows_a), PAIRS_PER_CHUNK):
        stop = start + PAIRS_PER_CHUNK
        out[start:stop] = np.einsum("ij,ij->i", a[rows_a[start:stop]], b[rows_b[start:stop]])
    return out
