"""A fitted matcher's state on disk, so that a restart reuses it instead of fitting again.

:func:`fit_cached` is :meth:`Matcher.fit` with a memory: the fitted arrays (embeddings, features,
calibration) are saved under the cache folder (``<cache_dir>/fitted/``), keyed by a digest of

* the normalised profiles table (every column, every cell),
* the embedding model's identity (a digest of its files, computed without loading the model),
* the settings the fitted state depends on (``z_cap``; weights are not among them),
* the code version: the package version, :data:`FORMAT_VERSION` and a digest of the code and
  knowledge tables that make features (``scoring/``, ``embeddings/``, ``knowledge/``, the taxonomy and
  glossary files).

A change to any of them is a different key, so a stale snapshot is never read: it is simply not found,
and the matcher is fitted and saved again. The format is safe to read: arrays in an ``.npz`` read with
``allow_pickle=False``, and a JSON file with the key's parts and the SHA-256 of the arrays, written last
(so a snapshot being written is not yet a snapshot). A damaged, truncated or inconsistent snapshot is
logged and rebuilt, never trusted. The :data:`SNAPSHOTS_KEPT` most recently used snapshots are kept.

Example::

    matcher = fit_cached(Matcher(cache_dir="~/.cache/isa-matchmaker"), load_profiles("companies.csv"))
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import time
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

from matchmaker import config
from matchmaker import vocab as V
from matchmaker.embeddings import encoders
from matchmaker.embeddings.multilingual import USE_NAME, load_use_encoder
from matchmaker.errors import MatchmakerError
from matchmaker.io.profiles import Profiles
from matchmaker.knowledge.taxonomy import load_taxonomy
from matchmaker.scoring.components import Calibration, CompanyFeatures
from matchmaker.scoring.fitted import FittedMatcher
from matchmaker.scoring.matcher import Matcher, _normalised_table

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
SNAPSHOTS_KEPT = 8
FOLDER = "fitted"
_PACKAGE = Path(__file__).resolve().parent.parent
_CODE = ("scoring", "embeddings", "knowledge", "text.py", "vocab.py", "config.py")
_DENSE = ("text", "offers", "seeks", "language", "sector", "focus", "cooperation", "size")
_TABLES = ("mean_text", "std_text", "mean_fit", "std_fit")


@dataclass(frozen=True)
class SnapshotKey:
    """What a fitted state depends on; :attr:`digest` names its files."""

    data: str  # SHA-256 of the normalised profiles table
    model: str  # the encoder's identity
    z_cap: float
    code: str  # package version, format version and digest of the feature code and knowledge tables

    @property
    def digest(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()[:32]


def fit_cached(matcher: Matcher, profiles: pd.DataFrame | Profiles, folder: Path | str | None = None) -> Matcher:
    """``matcher.fit(profiles)``, from the snapshot in ``folder`` (default: ``<matcher.cache_dir>/fitted``)
    when one matches, else fitted and saved there. Without either folder it is a plain fit."""
    if folder is None and not matcher.cache_dir:
        return matcher.fit(profiles)
    folder = Path(folder) if folder is not None else Path(matcher.cache_dir) / FOLDER
    table = _normalised_table(profiles).reset_index(drop=True)
    identity = encoder_identity(matcher.model)
    if identity is not None:
        key = snapshot_key(table, identity, matcher.z_cap)
        fitted = load_snapshot(key, folder, table)
        if fitted is not None:
            matcher.fitted_, matcher.encoder_ = fitted, None  # the encoder is loaded if an explanation asks
            return matcher
    matcher.fit(table)
    key = snapshot_key(table, matcher.fitted_.encoder_identity, matcher.z_cap)
    try:
        save_snapshot(matcher.fitted_, key, folder)
    except OSError as exc:  # a full or read-only cache folder costs the next start a fit, nothing more
        log.warning("The fitted state could not be saved in %s (%s); the next start fits again.", folder, exc)
    return matcher


def snapshot_key(table: pd.DataFrame, model_identity: str, z_cap: float) -> SnapshotKey:
    return SnapshotKey(data=table_digest(table), model=model_identity, z_cap=float(z_cap), code=code_version())


def table_digest(table: pd.DataFrame) -> str:
    """SHA-256 over the column names, types and the ``repr`` of every cell, column by column."""
    digest = hashlib.sha256(f"{table.shape}".encode())
    for name in table.columns:
        column = table[name]
        digest.update(f"\x1d{name}\x1f{column.dtype}\x1f".encode())
        digest.update("\x1e".join(map(repr, column.tolist())).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


@lru_cache(maxsize=1)
def code_version() -> str:
    """Package version, :data:`FORMAT_VERSION`, and a digest of the code and knowledge tables that turn
    a profiles table into features (computed once per process)."""
    import matchmaker  # the package's version, read when asked (the package imports lazily)

    digest = hashlib.sha256()
    roots = [_PACKAGE / part for part in _CODE] + [config.TAXONOMY_DIR, config.GLOSSARY_DIR]
    for root in roots:
        files = sorted(root.rglob("*")) if root.is_dir() else [root]
        for file in files:
            if file.is_file() and "__pycache__" not in file.parts:
                digest.update(f"{file.name}\x1f".encode())
                digest.update(file.read_bytes())
    return f"{matchmaker.__version__}/{FORMAT_VERSION}/{digest.hexdigest()[:16]}"


def encoder_identity(model: str) -> str | None:
    """The identity :func:`~matchmaker.embeddings.encoders.load_encoder` gives ``model``, read from the
    model files without loading the model (loading one costs seconds); None for a kind of model it
    cannot tell without loading (then :func:`fit_cached` loads it and fits)."""
    spec = encoders.COMBINATIONS.get(model, model)
    parts = []
    for piece in spec.split("+"):
        name, _, weight = piece.partition("=")
        name = name.strip()
        try:
            identity = (
                load_use_encoder().identity
                if name == USE_NAME
                else encoders.model_identity(name, encoders.resolve_model_path(name))
            )
            parts.append((identity, float(weight) if weight else 1.0))
        except (MatchmakerError, ValueError, OSError):
            return None
    if len(parts) == 1:
        return parts[0][0]
    return "+".join(f"{identity}={weight:.4f}" for identity, weight in parts)


def save_snapshot(fitted: FittedMatcher, key: SnapshotKey, folder: Path) -> Path:
    """Write ``fitted``'s arrays and their metadata under ``folder``; returns the metadata file."""
    folder.mkdir(parents=True, exist_ok=True)
    features, calibration = fitted.features, fitted.calibration
    concepts = features.concepts.tocsr()
    arrays = {
        "ids": fitted.ids.astype(str),
        "country": fitted.country.astype(str),
        **{name: getattr(features, name) for name in _DENSE},
        "concepts_data": concepts.data,
        "concepts_indices": concepts.indices,
        "concepts_indptr": concepts.indptr,
        "concepts_shape": np.array(concepts.shape, dtype=np.int64),
        **{name: getattr(calibration, name) for name in _TABLES},
    }
    arrays_path, meta_path = _paths(folder, key)
    with tempfile.NamedTemporaryFile(dir=folder, suffix=".npz.part", delete=False) as handle:
        np.savez(handle, **arrays)
    os.replace(handle.name, arrays_path)
    meta = {
        "format": FORMAT_VERSION,
        "key": asdict(key),
        "sha256": _file_digest(arrays_path),
        "companies": len(fitted),
        "encoder_name": fitted.encoder_name,
        "encoder_identity": fitted.encoder_identity,
        "z_cap": calibration.z_cap,
    }
    with tempfile.NamedTemporaryFile("w", dir=folder, suffix=".json.part", delete=False, encoding="utf-8") as handle:
        json.dump(meta, handle, indent=1)
    os.replace(handle.name, meta_path)
    _prune(folder)
    return meta_path


def load_snapshot(key: SnapshotKey, folder: Path, table: pd.DataFrame) -> FittedMatcher | None:
    """The fitted state saved under ``key`` for ``table``; None when there is none, or when the files are
    damaged or do not fit the table (logged: the caller fits again and overwrites them)."""
    arrays_path, meta_path = _paths(folder, key)
    if not meta_path.exists():
        return None
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT_VERSION or meta.get("key") != asdict(key):
            raise ValueError("its metadata names another key")
        if _file_digest(arrays_path) != meta.get("sha256"):
            raise ValueError("the arrays file does not match its checksum (truncated or changed)")
        with np.load(arrays_path, allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in stored.files}
        fitted = _fitted_from(arrays, meta, table)
    except (OSError, ValueError, KeyError, TypeError, json.JSONDecodeError) as exc:
        log.warning("The fitted-state snapshot %s is unusable (%s); fitting again.", meta_path, exc)
        return None
    os.utime(meta_path)  # most recently used: kept longest
    return fitted


def _fitted_from(arrays: dict[str, np.ndarray], meta: dict, table: pd.DataFrame) -> FittedMatcher:
    n = len(table)
    ids, country = table[V.ID].astype(str).to_numpy(), table[V.COUNTRY].to_numpy()
    if arrays["ids"].shape != (n,) or not (arrays["ids"] == ids.astype(str)).all():
        raise ValueError("its companies are not those of the table")
    if not (arrays["country"] == country.astype(str)).all():
        raise ValueError("its countries are not those of the table")
    shape = tuple(int(v) for v in arrays["concepts_shape"])
    concepts = sparse.csr_matrix(
        (arrays["concepts_data"], arrays["concepts_indices"], arrays["concepts_indptr"]), shape=shape
    )
    features = CompanyFeatures(concepts=concepts, **{name: arrays[name] for name in _DENSE})
    if any(getattr(features, name).shape[0] != n for name in (*_DENSE, "concepts")):
        raise ValueError("its arrays do not all have one row per company")
    calibration = Calibration(**{name: arrays[name] for name in _TABLES}, z_cap=float(meta["z_cap"]))
    return FittedMatcher(
        profiles=table,
        ids=ids,
        country=country,
        features=features,
        calibration=calibration,
        taxonomy=load_taxonomy(),
        encoder_name=str(meta["encoder_name"]),
        encoder_identity=str(meta["encoder_identity"]),
    )


def _paths(folder: Path, key: SnapshotKey) -> tuple[Path, Path]:
    return folder / f"{key.digest}.npz", folder / f"{key.digest}.json"


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 22), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _prune(folder: Path) -> None:
    """Keep the :data:`SNAPSHOTS_KEPT` most recently used snapshots. Files without metadata (an
    interrupted write, or one in progress in another process) go once they are an hour old."""
    metas = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for meta in metas[SNAPSHOTS_KEPT:]:
        for path in (meta, meta.with_suffix(".npz")):
            path.unlink(missing_ok=True)
    kept = {meta.stem for meta in metas[:SNAPSHOTS_KEPT]}
    hour_ago = time.time() - 3600
    for path in [*folder.glob("*.npz"), *folder.glob("*.part")]:
        try:
            if path.stem not in kept and path.stat().st_mtime < hour_ago:
                path.unlink(missing_ok=True)
        except OSError:  # removed meanwhile by another process
            pass
