"""The matcher: a scikit-learn style estimator over company profiles.

``Matcher(weights=...).fit(profiles)`` embeds and featurises every company once; ``recommend``
ranks the other country's companies for one company, ``recommend_all`` for every company, in
blocks so that memory stays bounded at any size. ``get_params``, ``set_params`` and ``clone``
work as in scikit-learn; weights can change after ``fit`` without re-embedding anything.

Example::

    matcher = Matcher().fit(load_profiles("data/demo/companies.csv").table)
    matcher.recommend("DE0001", k=5)          # DataFrame: source_id, rank, target_id, score, components
    clone(matcher).set_params(weights={"sector": 1.0})
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from matchmaker import config as C
from matchmaker.concepts import ConceptIndex, load_concepts, tfidf_rows
from matchmaker.embeddings import CachedEncoder, EmbeddingCache, Encoder, load_encoder
from matchmaker.errors import NotFittedError, ParameterError, ProfileFileError, UnknownCompanyError
from matchmaker.features import COMPONENTS, CompanyFeatures, component_values, fit_calibration
from matchmaker.profiles import SIZE_BANDS, Profiles, profiles_from_frame
from matchmaker.scoring import Weights, combine, load_weights, weighted_sum
from matchmaker.taxonomy import Taxonomy, load_taxonomy

log = logging.getLogger(__name__)
LANGUAGES = C.LANGUAGES
INFERRED_SECTOR_MASS = 0.8   # an inferred division counts for at most 80 % of a given one
SECTOR_TEMPERATURE = 0.05
SECTOR_CANDIDATES = 3
RANKING_THREADS = 2
BLOCK_CELLS = 12_500_000  # source x target cells per block: ~50 MB per float32 matrix
COOPERATION_AFFINITY = {  # symmetric compatibility of different cooperation types (same type = 1)
    ("distribution", "market_entry"): 0.8, ("licensing", "technology_transfer"): 0.8,
    ("joint_venture", "investment"): 0.7, ("contract_manufacturing", "supply"): 0.7,
    ("rd", "technology_transfer"): 0.6, ("rd", "licensing"): 0.5, ("distribution", "supply"): 0.5,
    ("joint_venture", "market_entry"): 0.6, ("training", "technology_transfer"): 0.5,
}


@dataclass(frozen=True)
class Filters:
    """Restrictions on the suggested partners; empty means no restriction."""

    cities: tuple[str, ...] = ()        # member-city keys
    sectors: tuple[str, ...] = ()       # NACE divisions
    focus: tuple[str, ...] = ()         # focus-area keys (any of them)
    cooperation: tuple[str, ...] = ()   # cooperation keys (any of them)
    sizes: tuple[str, ...] = ()         # employee bands
    min_score: float = 0.0


@lru_cache(maxsize=4)
def shared_encoder(model: str, cache_dir: str | None) -> Encoder:
    """One loaded encoder per (model, cache folder) in a process, so clones share it."""
    encoder = load_encoder(model)
    return CachedEncoder(encoder, EmbeddingCache(Path(cache_dir) / "embeddings.sqlite")) if cache_dir else encoder


class Matcher(BaseEstimator):
    """Hybrid, reciprocal, explainable German x Chinese matcher.

    Parameters
    ----------
    model : embedding model name, alias or folder (default: the offline domain model).
    weights : None (the shipped default weights file), a path to a weights TOML, a mapping
        component -> weight, or a :class:`Weights`.
    z_cap : calibration cap for the similarity components (see :mod:`matchmaker.features`).
    cache_dir : folder for the on-disk embedding cache; None keeps no cache.
    block_size : sources scored per block in ``recommend_all``; None picks one for ~50 MB matrices.
    show_progress : progress bars for embedding and ranking.
    """

    def __init__(self, model: str = C.DEFAULT_MODEL, weights: object = None, z_cap: float = 4.0,
                 cache_dir: str | None = None, block_size: int | None = None, show_progress: bool = False) -> None:
        self.model = model
        self.weights = weights
        self.z_cap = z_cap
        self.cache_dir = cache_dir
        self.block_size = block_size
        self.show_progress = show_progress

    # --- fitting ------------------------------------------------------------------------------
    def fit(self, profiles: pd.DataFrame | Profiles, y: object = None, encoder: Encoder | None = None) -> "Matcher":
        """Embed and featurise ``profiles`` (a loaded :class:`Profiles`, its table, or a raw table
        with the contract's columns). ``encoder`` overrides ``model`` (tests, notebooks)."""
        if not isinstance(self.z_cap, (int, float)) or self.z_cap <= 0:
            raise ParameterError(f"The 'z_cap' parameter of Matcher must be a number > 0. Got {self.z_cap!r} instead.")
        table = _normalised_table(profiles)
        taxonomy = load_taxonomy()
        concepts = load_concepts()
        encoder = encoder or shared_encoder(self.model, str(self.cache_dir) if self.cache_dir else None)

        self.profiles_ = table.reset_index(drop=True)
        self.ids_ = self.profiles_[C.ID].astype(str).to_numpy()
        self.index_ = {company: i for i, company in enumerate(self.ids_)}
        self.country_ = self.profiles_[C.COUNTRY].to_numpy()
        self.encoder_name_ = encoder.name
        self.encoder_identity_ = encoder.identity
        self.features_ = _featurise(self.profiles_, encoder, taxonomy, concepts, self.show_progress)
        self.affinity_ = taxonomy.affinity_matrix
        self.divisions_ = taxonomy.division_codes
        self.cooperation_keys_ = tuple(taxonomy.cooperation_types["key"])
        self.compatibility_ = _cooperation_compatibility(self.cooperation_keys_)
        de, cn = self._side("DE"), self._side("CN")
        self.calibration_ = fit_calibration(self.features_.take(de), self.features_.take(cn), len(LANGUAGES), z_cap=self.z_cap)
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "features_"):
            raise NotFittedError("This Matcher is not fitted yet. Call fit(profiles) with a profiles table first.")

    def _side(self, country: str) -> np.ndarray:
        return np.flatnonzero(self.country_ == country)

    def _position(self, company_id: str) -> int:
        self._check_fitted()
        try:
            return self.index_[str(company_id)]
        except KeyError:
            raise UnknownCompanyError(f"Company id '{company_id}' is not in the fitted data ({len(self.ids_)} companies). "
                                      "Check the id, or call fit() with a table that contains it.") from None

    def resolved_weights(self, override: object = None) -> Weights:
        """The weights in force: ``override`` if given, else the ``weights`` parameter."""
        return _as_weights(override if override is not None else self.weights)

    # --- ranking ------------------------------------------------------------------------------
    def recommend(self, company_id: str, k: int = 10, filters: Filters | None = None, weights: object = None) -> pd.DataFrame:
        """The ``k`` best partners from the other country for one company, best first.

        Columns: source_id, rank, target_id, score and one column per active component holding its
        weighted contribution (they add up to score). Fewer than ``k`` rows when the filters leave
        fewer partners.
        """
        _check_k(k)
        source = self._position(company_id)
        other = "CN" if self.country_[source] == "DE" else "DE"
        targets = self._filtered_targets(self._side(other), filters)
        result = self._rank(np.array([source]), targets, k, self.resolved_weights(weights))
        if filters and filters.min_score > 0:
            result = result[result[C.SCORE] >= filters.min_score].reset_index(drop=True)
        return result

    def recommend_all(self, k: int = 10, weights: object = None, progress: bool | None = None) -> pd.DataFrame:
        """``recommend`` for every company, German -> Chinese then Chinese -> German."""
        _check_k(k)
        self._check_fitted()
        resolved = self.resolved_weights(weights)
        de, cn = self._side("DE"), self._side("CN")
        progress = self.show_progress if progress is None else progress
        parts = [self._rank(de, cn, k, resolved, progress, "German -> Chinese"),
                 self._rank(cn, de, k, resolved, progress, "Chinese -> German")]
        return pd.concat(parts, ignore_index=True)

    def score_pairs(self, source_ids: Iterable[str], target_ids: Iterable[str], weights: object = None) -> pd.DataFrame:
        """Score given (source, target) pairs: components, contributions and score per pair."""
        sources = np.array([self._position(s) for s in source_ids], dtype=np.int64)
        targets = np.array([self._position(t) for t in target_ids], dtype=np.int64)
        resolved = self.resolved_weights(weights)
        values = self._components(sources, targets, resolved.active, pairwise=True)
        score, contributions = combine(values, resolved)
        frame = pd.DataFrame({C.SOURCE_ID: self.ids_[sources], C.TARGET_ID: self.ids_[targets], C.SCORE: score})
        for name in resolved.active:
            frame[name] = contributions[name]
            frame[f"{name}_value"] = values[name]
        return frame

    def component_matrix(self, sources: np.ndarray, targets: np.ndarray, names: tuple[str, ...] = COMPONENTS) -> dict[str, np.ndarray]:
        """Raw component values (not weighted) for positions ``sources`` x ``targets``."""
        self._check_fitted()
        return self._components(np.asarray(sources), np.asarray(targets), names, pairwise=False)

    def _components(self, sources: np.ndarray, targets: np.ndarray, names: tuple[str, ...], pairwise: bool) -> dict[str, np.ndarray]:
        return component_values(names, self.features_.take(sources), self.features_.take(targets), self.calibration_,
                                self.affinity_, self.compatibility_, pairwise=pairwise)

    def _filtered_targets(self, targets: np.ndarray, filters: Filters | None) -> np.ndarray:
        if not filters:
            return targets
        table = self.profiles_.iloc[targets]
        keep = np.ones(len(targets), dtype=bool)
        if filters.cities:
            keep &= table[C.CITY_KEY].isin(filters.cities).to_numpy()
        if filters.sectors:
            keep &= table[C.NACE_DIVISION].isin(filters.sectors).to_numpy()
        if filters.focus:
            keep &= table[C.FOCUS_KEYS].map(lambda keys: bool(set(keys) & set(filters.focus))).to_numpy(dtype=bool)
        if filters.cooperation:
            keep &= table[C.COOPERATION_KEYS].map(lambda keys: bool(set(keys) & set(filters.cooperation))).to_numpy(dtype=bool)
        if filters.sizes:
            keep &= table[C.SIZE_BAND].isin(filters.sizes).to_numpy()
        return targets[keep]

    def _block_size(self, targets: int) -> int:
        if self.block_size:
            return int(self.block_size)
        return int(max(8, min(2048, BLOCK_CELLS // max(targets, 1))))

    def _rank(self, sources: np.ndarray, targets: np.ndarray, k: int, weights: Weights,
              progress: bool = False, label: str = "") -> pd.DataFrame:
        """Exact top-k of ``targets`` for each of ``sources``, one block of sources at a time."""
        names = weights.active
        columns = [C.SOURCE_ID, C.RANK, C.TARGET_ID, C.SCORE, *names]
        if not len(sources) or not len(targets):
            return pd.DataFrame({c: pd.Series(dtype=object if c in (C.SOURCE_ID, C.TARGET_ID) else float) for c in columns})
        k = min(k, len(targets))
        target_features = self.features_.take(targets)
        block = self._block_size(len(targets))
        starts = list(range(0, len(sources), block))

        def rank_block(start: int) -> pd.DataFrame:
            rows = sources[start:start + block]
            values = component_values(names, self.features_.take(rows), target_features, self.calibration_,
                                      self.affinity_, self.compatibility_)
            score = weighted_sum(values, weights)
            top = _top_k_indices(score, k)
            row_index = np.repeat(np.arange(len(rows)), k)
            flat = top.ravel()
            piece = {C.SOURCE_ID: self.ids_[np.repeat(rows, k)], C.RANK: np.tile(np.arange(1, k + 1), len(rows)),
                     C.TARGET_ID: self.ids_[targets[flat]], C.SCORE: score[row_index, flat]}
            for name in names:  # contributions only where they are shown: the top k
                piece[name] = values[name][row_index, flat] * np.float32(weights[name])
            return pd.DataFrame(piece)

        # numpy's elementwise work runs on one core and releases the GIL: two blocks at a time
        with ThreadPoolExecutor(max_workers=RANKING_THREADS) as pool:
            results = pool.map(rank_block, starts)
            if progress:
                from tqdm.auto import tqdm
                results = tqdm(results, desc=label or "ranking", unit="block", total=len(starts))
            pieces = list(results)
        return pd.concat(pieces, ignore_index=True)[columns]


def _top_k_indices(score: np.ndarray, k: int) -> np.ndarray:
    """Column indices of the ``k`` largest values per row, best first; ties broken by position so
    results are deterministic."""
    if k < score.shape[1]:
        part = np.argpartition(score, score.shape[1] - k, axis=1)[:, -k:]
    else:
        part = np.tile(np.arange(score.shape[1]), (score.shape[0], 1))
    part_scores = np.take_along_axis(score, part, axis=1)
    order = np.lexsort((part, -part_scores), axis=1)
    return np.take_along_axis(part, order, axis=1)


def _check_k(k: object) -> None:
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 1:
        raise ParameterError(f"The 'k' parameter of recommend must be a positive int. Got {k!r} instead.")


def _as_weights(value: object) -> Weights:
    if value is None:
        return _default_weights()
    if isinstance(value, Weights):
        return value
    if isinstance(value, (str, Path)):
        return load_weights(value)
    if isinstance(value, Mapping):
        return Weights(dict(value))
    raise ParameterError(f"The 'weights' parameter of Matcher must be None, a weights file path, a mapping or Weights. "
                         f"Got {type(value).__name__} instead.")


@lru_cache(maxsize=1)
def _default_weights() -> Weights:
    return load_weights(C.DEFAULT_WEIGHTS_FILE)


def _normalised_table(profiles: pd.DataFrame | Profiles) -> pd.DataFrame:
    if isinstance(profiles, Profiles):
        return profiles.table
    if C.FOCUS_KEYS in profiles.columns and "text" in profiles.columns:
        return profiles
    loaded = profiles_from_frame(profiles)
    if not loaded.report.usable:
        raise ProfileFileError(loaded.report.render("en"), loaded.report)
    return loaded.table


def _cooperation_compatibility(keys: tuple[str, ...]) -> np.ndarray:
    matrix = np.eye(len(keys), dtype=np.float32)
    position = {key: i for i, key in enumerate(keys)}
    for (a, b), value in COOPERATION_AFFINITY.items():
        if a in position and b in position:
            matrix[position[a], position[b]] = matrix[position[b], position[a]] = value
    return matrix


def _featurise(table: pd.DataFrame, encoder: Encoder, taxonomy: Taxonomy, concepts: ConceptIndex,
               progress: bool) -> CompanyFeatures:
    from matchmaker.text import clean_for_embedding

    texts = table["text"].tolist()
    offers = [clean_for_embedding(o, C.MAX_EMBED_CHARS) or t for o, t in zip(table[C.OFFERS], texts)]
    seeks = [clean_for_embedding(s, C.MAX_EMBED_CHARS) or t for s, t in zip(table[C.SEEKS], texts)]
    unique = list(dict.fromkeys(texts + offers + seeks))
    vectors = encoder.encode(unique, show_progress=progress)
    lookup = {text: i for i, text in enumerate(unique)}
    text_vectors = vectors[[lookup[t] for t in texts]]

    counts = concepts.matrix(texts)
    frequency = np.asarray((counts > 0).sum(axis=0)).ravel()
    concept_rows = tfidf_rows(counts, frequency, len(texts))

    focus_keys = taxonomy.focus_keys
    focus = np.zeros((len(table), len(focus_keys)), dtype=np.float32)
    focus_position = {key: i for i, key in enumerate(focus_keys)}
    for row, keys in enumerate(table[C.FOCUS_KEYS]):
        for key in keys:
            if key in focus_position and key != "other":
                focus[row, focus_position[key]] = 1.0

    cooperation_keys = tuple(taxonomy.cooperation_types["key"])
    cooperation = np.zeros((len(table), len(cooperation_keys)), dtype=np.float32)
    cooperation_position = {key: i for i, key in enumerate(cooperation_keys)}
    for row, keys in enumerate(table[C.COOPERATION_KEYS]):
        for key in keys:
            cooperation[row, cooperation_position[key]] = 1.0

    band_position = {band: i for i, band in enumerate(SIZE_BANDS)}
    size = np.array([band_position.get(b, -1) for b in table[C.SIZE_BAND]], dtype=np.int8)
    language = np.array([LANGUAGES.index(lang) if lang in LANGUAGES else 0 for lang in table[C.LANGUAGE]], dtype=np.int64)
    sector = sector_probabilities(table[C.NACE_DIVISION].tolist(), text_vectors, encoder, taxonomy)
    return CompanyFeatures(text=text_vectors, offers=vectors[[lookup[o] for o in offers]],
                           seeks=vectors[[lookup[s] for s in seeks]], language=language, concepts=concept_rows,
                           sector=sector, focus=focus, cooperation=cooperation, size=size)


def sector_probabilities(divisions: list[str], text_vectors: np.ndarray, encoder: Encoder, taxonomy: Taxonomy) -> np.ndarray:
    """``(n, divisions)`` rows: one-hot for a given division; for a missing one, a spread over the
    ``SECTOR_CANDIDATES`` nearest division prototypes holding ``INFERRED_SECTOR_MASS``.

    A prototype is the mean embedding of the division's labels (three languages), the glossary
    terms of the domains mapped to it, and the fitted companies that give that division."""
    codes = taxonomy.division_codes
    position = {code: i for i, code in enumerate(codes)}
    result = np.zeros((len(divisions), len(codes)), dtype=np.float32)
    known = np.array([d in position for d in divisions])
    for row in np.flatnonzero(known):
        result[row, position[divisions[row]]] = 1.0
    if known.all():
        return result
    prototypes = _division_prototypes(encoder, taxonomy).copy()
    counts = np.zeros(len(codes), dtype=np.float32)
    for row in np.flatnonzero(known):
        prototypes[position[divisions[row]]] += text_vectors[row]
        counts[position[divisions[row]]] += 1
    norms = np.linalg.norm(prototypes, axis=1, keepdims=True)
    prototypes = np.divide(prototypes, norms, out=np.zeros_like(prototypes), where=norms > 0)
    usable = norms.ravel() > 0
    unknown = np.flatnonzero(~known)
    similarity = text_vectors[unknown] @ prototypes.T
    similarity[:, ~usable] = -np.inf
    top = np.argsort(-similarity, axis=1)[:, :SECTOR_CANDIDATES]
    top_sim = np.take_along_axis(similarity, top, axis=1)
    weights = np.exp((top_sim - top_sim[:, :1]) / SECTOR_TEMPERATURE)
    weights = INFERRED_SECTOR_MASS * weights / weights.sum(axis=1, keepdims=True)
    has_text = np.linalg.norm(text_vectors[unknown], axis=1) > 0
    for r, row in enumerate(unknown):
        if has_text[r]:
            result[row, top[r]] = weights[r]
    return result


_PROTOTYPES: dict[str, np.ndarray] = {}


def _division_prototypes(encoder: Encoder, taxonomy: Taxonomy) -> np.ndarray:
    """Sum of unit vectors per division from labels and glossary terms (cached per encoder)."""
    if encoder.identity in _PROTOTYPES:
        return _PROTOTYPES[encoder.identity]
    codes = taxonomy.division_codes
    position = {code: i for i, code in enumerate(codes)}
    texts, owners = [], []
    for row in taxonomy.divisions.itertuples(index=False):
        for lang in LANGUAGES:
            texts.append(getattr(row, f"label_{lang}"))
            owners.append(position[row.division])
    domains_path = C.TAXONOMY_DIR / "glossary_domains.csv"
    if domains_path.exists():
        domains = pd.read_csv(domains_path, dtype=str, keep_default_na=False)
        mapping = {r.domain: [d.zfill(2) for d in r.nace.split(";") if d] for r in domains.itertuples(index=False)}
        glossary = load_concepts().terms
        for row in glossary.itertuples(index=False):
            for division in mapping.get(row.domain, []):
                if division in position:
                    for lang in LANGUAGES:
                        texts.append(getattr(row, lang))
                        owners.append(position[division])
    vectors = encoder.encode(texts)
    prototypes = np.zeros((len(codes), vectors.shape[1]), dtype=np.float32)
    np.add.at(prototypes, np.array(owners), vectors)
    counts = np.bincount(np.array(owners), minlength=len(codes)).astype(np.float32)
    prototypes = prototypes / np.maximum(counts, 1)[:, None]
    _PROTOTYPES[encoder.identity] = prototypes
    return prototypes
