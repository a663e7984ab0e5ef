"""Cached loading: the fitted matcher per profiles file (``st.cache_resource``) and the encoder.

A fitted matcher also outlives the server: its state is saved in the cache folder and read at the
next start (:func:`matchmaker.scoring.snapshot.fit_cached`), so a restart does not fit the demo data
(or an upload seen before) again.

Both are bounded: an upload is read within :func:`upload_limits` (no larger than the server's
upload limit, ``server.maxUploadSize`` in ``streamlit_config.toml``, and at most
:data:`UPLOAD_SECONDS` of reading), and at most :data:`MATCHER_CACHE_ENTRIES` fitted matchers are
kept (the least recently used goes first), so the server's memory does not grow with every upload.
"""

from __future__ import annotations

import hashlib

import streamlit as st

from matchmaker import config as C
from matchmaker.errors import ProfileFileError
from matchmaker.io.limits import ReadLimits
from matchmaker.io.profiles import Profiles, load_profiles, load_profiles_bytes
from matchmaker.scoring.matcher import Matcher
from matchmaker.scoring.snapshot import fit_cached
from matchmaker.store.shortlists import ShortlistStore

# Fitted matchers kept at once (the demo data and recent uploads); each holds its embeddings.
MATCHER_CACHE_ENTRIES = 4
# Reading an upload may take this long; the server's other users wait meanwhile.
UPLOAD_SECONDS = 120.0
UPLOAD_ROWS = 200_000


def upload_limits() -> ReadLimits:
    """The read limits of an upload: the server's upload limit in bytes, :data:`UPLOAD_ROWS` rows,
    :data:`UPLOAD_SECONDS` seconds."""
    megabytes = st.get_option("server.maxUploadSize") or 50
    return ReadLimits(max_bytes=int(megabytes * 2**20), max_rows=UPLOAD_ROWS, max_seconds=UPLOAD_SECONDS)


@st.cache_resource(show_spinner=False, max_entries=MATCHER_CACHE_ENTRIES)
def fitted_matcher(name: str, content: bytes | None, model: str, cache_dir: str) -> Matcher:
    """A matcher fitted on the demo data (``content`` None) or on uploaded bytes named ``name``: from the
    snapshot in ``cache_dir`` when one matches the data, model and code, else fitted and saved there."""
    profiles = _profiles(name, content)
    return fit_cached(Matcher(model=model, cache_dir=cache_dir), profiles)


@st.cache_resource(show_spinner=False)
def shortlist_store(database_url: str) -> ShortlistStore:
    """One store (engine, migrated on first open) per database URL, shared by all sessions."""
    return ShortlistStore.open(database_url)


def _profiles(name: str, content: bytes | None) -> Profiles:
    return load_profiles(C.DEMO_PROFILES) if content is None else _load_bytes(name, content, strict=True)


def validate_upload(name: str, content: bytes) -> Profiles:
    """Validate uploaded bytes without raising: the report says what is wrong."""
    try:
        return _load_bytes(name, content, strict=False)
    except ProfileFileError as exc:
        return Profiles(table=None, report=exc.report)  # type: ignore[arg-type]


def _load_bytes(name: str, content: bytes, strict: bool) -> Profiles:
    """Load uploaded bytes through the same reader as a file (the suffix picks the format), within
    :func:`upload_limits`."""
    return load_profiles_bytes(content, name, strict=strict, limits=upload_limits())


def content_key(content: bytes | None) -> str:
    return "demo" if content is None else hashlib.sha1(content).hexdigest()[:12]
