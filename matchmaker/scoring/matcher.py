"""The matcher: a scikit-learn style estimator over company profiles.

``Matcher(weights=...).fit(profiles)`` embeds and featurises every company once; ``recommend``
ranks the other country's companies for one company, ``recommend_all`` for every company, in
blocks so that memory stays bounded at any size. ``get_params``, ``set_params`` and scikit-learn's
``clone`` work as for a scikit-learn estimator (the contract is implemented here rather than inherited
from ``sklearn.base.BaseEstimator``: importing scikit-learn costs the dashboard 1-2 s at every start,
and nothing else on its path needs it); weights can change after ``fit`` without re-embedding anything. What
fit learned is readable through the typed view :attr:`Matcher.fitted_`.

Example::

    matcher = Matcher().fit(load_profiles("data/demo/companies.csv"))
    matcher.recommend("DE0001", k=5)          # DataFrame: source_id, rank, target_id, score, components
    clone(matcher).set_params(weights={"sector": 1.0})
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from matchmaker import config
from matchmaker import vocab as V
from matchmaker.embeddings.encoders import EmbeddingCache, Encoder, load_encoder
from matchmaker.errors import ModelNotAvailableError, NotFittedError, ParameterError, ProfileFileError
from matchmaker.io.profiles import Profiles, profiles_from_frame
from matchmaker.knowledge.concepts import load_concepts
from matchmaker.knowledge.taxonomy import load_taxonomy
from matchmaker.scoring.components import fit_calibration
from matchmaker.scoring.crowding import basis_key, fill_crowding, with_crowding
from matchmaker.scoring.featurise import featurise
from matchmaker.scoring.fitted import FittedMatcher
from matchmaker.scoring.ranking import rank_exhaustive
from matchmaker.scoring.weights import Weights, as_weights, combine

log = logging.getLogger(__name__)
CROWDINGS_KEPT = 4  # crowdings kept per matcher, one per base weight setting (the dashboard's sliders make new ones)


@dataclass(frozen=True)
class Filters:
    """Restrictions on the suggested partners; empty means no restriction."""

    cities: tuple[str, ...] = ()  # member-city keys
    sectors: tuple[str, ...] = ()  # NACE divisions
    focus: tuple[str, ...] = ()  # focus-area keys (any of them)
    cooperation: tuple[str, ...] = ()  # cooperation keys (any of them)
    sizes: tuple[str, ...] = ()  # employee bands
    min_score: float = 0.0

    def keep(self, table: pd.DataFrame) -> np.ndarray:
        """Boolean mask over the rows of a profiles table: which pass every restriction."""
        keep = np.ones(len(table), dtype=bool)
        if self.cities:
            keep &= table[V.CITY_KEY].isin(self.cities).to_numpy()
        if self.sectors:
            keep &= table[V.NACE_DIVISION].isin(self.sectors).to_numpy()
        if self.focus:
            keep &= table[V.FOCUS_KEYS].map(lambda keys: bool(set(keys) & set(self.focus))).to_numpy(dtype=bool)
        if self.cooperation:
            keep &= (
                table[V.COOPERATION_KEYS].map(lambda keys: bool(set(keys) & set(self.cooperation))).to_numpy(dtype=bool)
            )
        if self.sizes:
            keep &= table[V.SIZE_BAND].isin(self.sizes).to_numpy()
        return keep


@lru_cache(maxsize=4)
def shared_encoder(model: str, cache_dir: str | None) -> Encoder:
    """One loaded encoder per (model, cache folder) in a process, so clones share it."""
    return load_encoder(model, cache=EmbeddingCache(Path(cache_dir) / "embeddings.sqlite") if cache_dir else None)


class Matcher:
    """Hybrid, reciprocal, explainable German x Chinese matcher.

    Parameters
    ----------
    model : embedding model name, alias or folder (default: the offline domain model).
    weights : None (the shipped default weights), a path to a weights TOML, a mapping
        component -> weight, or a :class:`Weights`; resolved once by :func:`as_weights`.
    z_cap : calibration cap for the similarity components (see :mod:`matchmaker.scoring.components`).
    cache_dir : folder for the on-disk embedding cache; None keeps no cache.
    block_size : sources scored per block in ``recommend_all``; None picks one for ~50 MB matrices.
    show_progress : progress bars for embedding and ranking.
    """

    def __init__(
        self,
        model: str = config.DEFAULT_MODEL,
        weights: Weights | Mapping[str, float] | str | Path | None = None,
        z_cap: float = 4.0,
        cache_dir: str | None = None,
        block_size: int | None = None,
        show_progress: bool = False,
    ) -> None:
        self.model = model
        self.weights = weights
        self.z_cap = z_cap
        self.cache_dir = cache_dir
        self.block_size = block_size
        self.show_progress = show_progress

    # --- scikit-learn's estimator contract ------------------------------------------------------
    @classmethod
    def _get_param_names(cls) -> list[str]:
        return [name for name in inspect.signature(cls.__init__).parameters if name != "self"]

    def get_params(self, deep: bool = True) -> dict[str, object]:
        """The constructor's parameters and their values (``deep`` is accepted for scikit-learn; no
        parameter is itself an estimator)."""
        return {name: getattr(self, name) for name in self._get_param_names()}

    def set_params(self, **params: object) -> Matcher:
        """Change constructor parameters; takes effect at the next use (``weights``) or ``fit``."""
        valid = self._get_param_names()
        for name, value in params.items():
            if name not in valid:
                raise ParameterError(f"Matcher has no parameter {name!r}. Valid parameters: {', '.join(valid)}.")
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        defaults = {n: p.default for n, p in inspect.signature(type(self).__init__).parameters.items()}
        changed = [f"{n}={v!r}" for n, v in self.get_params().items() if v is not defaults[n] and v != defaults[n]]
        return f"Matcher({', '.join(changed)})"

    # --- fitting ------------------------------------------------------------------------------
    def fit(self, profiles: pd.DataFrame | Profiles, y: object = None, encoder: Encoder | None = None) -> Matcher:
        """Embed and featurise ``profiles`` (a loaded :class:`Profiles`, its table, or a raw table
        with the contract's columns). ``encoder`` overrides ``model`` (tests, notebooks)."""
        if not isinstance(self.z_cap, (int, float)) or self.z_cap <= 0:
            raise ParameterError(f"The 'z_cap' parameter of Matcher must be a number > 0. Got {self.z_cap!r} instead.")
        table = _normalised_table(profiles).reset_index(drop=True)
        taxonomy = load_taxonomy()
        encoder = encoder or shared_encoder(self.model, str(self.cache_dir) if self.cache_dir else None)
        features = featurise(table, encoder, taxonomy, load_concepts(), self.show_progress)
        country = table[V.COUNTRY].to_numpy()
        de, cn = np.flatnonzero(country == "DE"), np.flatnonzero(country == "CN")
        calibration = fit_calibration(features, features, len(V.LANGUAGES), z_cap=self.z_cap, src_rows=de, tgt_rows=cn)
        self.fitted_ = FittedMatcher(
            profiles=table,
            ids=table[V.ID].astype(str).to_numpy(),
            country=country,
            features=features,
            calibration=calibration,
            taxonomy=taxonomy,
            encoder_name=encoder.name,
            encoder_identity=encoder.identity,
        )
        self.encoder_ = encoder
        return self

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors of ``texts`` in the space the fitted state was made in (an explanation quotes
        the closest sentences of two profiles): from the encoder ``fit`` used or, for a state read from a
        snapshot, the matcher's model with its embedding cache, so a sentence the fit embedded costs a
        lookup and no model is loaded for it."""
        fitted = self._fitted()
        encoder = getattr(self, "encoder_", None)
        if encoder is None:
            encoder = shared_encoder(self.model, str(self.cache_dir) if self.cache_dir else None)
            if encoder.identity != fitted.encoder_identity:
                raise ModelNotAvailableError(
                    f"The fitted state was made with the model {fitted.encoder_identity}, but the model "
                    f"'{self.model}' is now {encoder.identity}. Fit the matcher again."
                )
            self.encoder_ = encoder
        return encoder.encode(list(texts))

    def _fitted(self) -> FittedMatcher:
        if not hasattr(self, "fitted_"):
            raise NotFittedError("This Matcher is not fitted yet. Call fit(profiles) with a profiles table first.")
        return self.fitted_

    @property
    def weights_(self) -> Weights:
        """The ``weights`` parameter, resolved (it may change after fit through ``set_params``); a weights
        file is read once per value, not at every call."""
        raw, resolved = getattr(self, "_resolved_weights", (None, None))
        if resolved is None or raw is not self.weights:
            resolved = as_weights(self.weights)
            self._resolved_weights = (self.weights, resolved)
        return resolved

    def weights_for(self, override: Weights | None) -> Weights:
        """``override`` when given (a :class:`Weights`), else the matcher's own weights."""
        if override is None:
            return self.weights_
        if not isinstance(override, Weights):
            raise ParameterError(
                f"The 'weights' argument of a Matcher method must be a Weights. Got {type(override).__name__} instead; "
                "wrap a mapping as Weights({...}) or resolve a file with load_weights(path)."
            )
        return override

    def fitted_for(self, weights: Weights | None = None) -> FittedMatcher:
        """The fitted state that ``weights`` (default: the matcher's) rank with: :attr:`fitted_` itself,
        or, when they weigh ``distinct``, that state with every company's crowding under their base
        (:mod:`matchmaker.scoring.crowding`): computed on first use from an exact ranking of every
        company's :data:`~matchmaker.scoring.crowding.NEIGHBOURS` best partners under the base weights (as
        long as one ``recommend_all``), and kept for later calls with the same base (the last
        :data:`CROWDINGS_KEPT`)."""
        fitted = self._fitted()
        resolved = self.weights_for(weights)
        if basis_key(resolved) is None:
            return fitted
        fill_crowding(self, resolved, lambda base, k: self._rank_all(fitted, base, k, progress=False))
        return self._crowdings()[basis_key(resolved)]

    def _crowdings(self) -> dict[tuple[float, ...], FittedMatcher]:
        """The crowded states kept for the current :attr:`fitted_` (a new fit or a restored snapshot
        starts with none)."""
        fitted = self._fitted()
        owner, kept = self.__dict__.get("_crowded", (None, {}))
        if owner is not fitted:
            kept = {}
            self._crowded = (fitted, kept)
        return kept

    def holds_crowding(self, weights: Weights | None = None) -> bool:
        """Whether :meth:`fitted_for` ``weights`` is ready without computing a crowding."""
        key = basis_key(self.weights_for(weights))
        return key is None or key in self._crowdings()

    def use_crowding(self, weights: Weights, crowding: np.ndarray) -> None:
        """Keep ``crowding`` (one value per fitted company, computed elsewhere: a two-stage or distributed
        ranking of the base weights) as the crowding of ``weights``' base, for :meth:`fitted_for`."""
        key = basis_key(weights)
        if key is None:
            return
        kept = self._crowdings()
        kept.pop(key, None)
        while len(kept) >= CROWDINGS_KEPT:
            kept.pop(next(iter(kept)))
        kept[key] = with_crowding(self._fitted(), crowding)

    # --- ranking ------------------------------------------------------------------------------
    def recommend(
        self, company_id: str, k: int = 10, filters: Filters | None = None, weights: Weights | None = None
    ) -> pd.DataFrame:
        """The ``k`` best partners from the other country for one company, best first.

        Returns the recommendations table (contract section 2): columns source_id, rank, target_id,
        score and one column per active component holding its weighted contribution (they add up
        to score). Fewer than ``k`` rows when the filters leave fewer partners. ``weights`` overrides
        the matcher's for this call."""
        _check_k(k)
        resolved = self.weights_for(weights)
        fitted = self.fitted_for(resolved)
        source = fitted.position(company_id)
        targets = fitted.side(V.other_country(fitted.country[source]))
        if filters:
            targets = targets[filters.keep(fitted.profiles.iloc[targets])]
        result = rank_exhaustive(fitted, np.array([source]), targets, k, resolved, self.block_size)
        if filters and filters.min_score > 0:
            result = result[result[V.SCORE] >= filters.min_score].reset_index(drop=True)
        return result

    def recommend_all(self, k: int = 10, weights: Weights | None = None, progress: bool | None = None) -> pd.DataFrame:
        """``recommend`` for every company, German -> Chinese rows first, then Chinese -> German:
        ``min(k, partners)`` rows per company, the recommendations table of contract section 2."""
        _check_k(k)
        resolved = self.weights_for(weights)
        progress = self.show_progress if progress is None else progress
        return self._rank_all(self.fitted_for(resolved), resolved, k, progress)

    def _rank_all(self, fitted: FittedMatcher, weights: Weights, k: int, progress: bool) -> pd.DataFrame:
        parts = [
            rank_exhaustive(fitted, *fitted.sides(direction), k, weights, self.block_size, progress, label)
            for direction, label in zip(V.DIRECTIONS, ("German -> Chinese", "Chinese -> German"))
        ]
        return pd.concat(parts, ignore_index=True)

    def score_pairs(
        self, source_ids: Iterable[str], target_ids: Iterable[str], weights: Weights | None = None
    ) -> pd.DataFrame:
        """Score given (source, target) pairs, aligned: pair i is ``source_ids[i]`` with ``target_ids[i]``.

        One row per pair: source_id, target_id, score, then for each active component its weighted
        contribution (``semantic``) and its raw value in [0, 1] (``semantic_value``)."""
        resolved = self.weights_for(weights)
        fitted = self.fitted_for(resolved)
        sources = np.array([fitted.position(s) for s in source_ids], dtype=np.int64)
        targets = np.array([fitted.position(t) for t in target_ids], dtype=np.int64)
        values = fitted.components(sources, targets, resolved.active, pairwise=True)
        score, contributions = combine(values, resolved)
        frame = pd.DataFrame({V.SOURCE_ID: fitted.ids[sources], V.TARGET_ID: fitted.ids[targets], V.SCORE: score})
        for name in resolved.active:
            frame[name] = contributions[name]
            frame[f"{name}_value"] = values[name]
        return frame


def _check_k(k: object) -> None:
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 1:
        raise ParameterError(f"The 'k' parameter of recommend must be a positive int. Got {k!r} instead.")


def _normalised_table(profiles: pd.DataFrame | Profiles) -> pd.DataFrame:
    if isinstance(profiles, Profiles):
        return profiles.table
    if V.FOCUS_KEYS in profiles.columns and V.TEXT in profiles.columns:
        return profiles
    loaded = profiles_from_frame(profiles)
    if not loaded.report.usable:
        raise ProfileFileError(loaded.report.render("en"), loaded.report)
    return loaded.table
