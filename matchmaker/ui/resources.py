"""Cached loading: the fitted matcher per profiles file (``st.cache_resource``) and the encoder."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import streamlit as st

from matchmaker import config as C
from matchmaker.errors import ProfileFileError
from matchmaker.io.profiles import Profiles, load_profiles
from matchmaker.scoring.matcher import Matcher
from matchmaker.store.shortlists import ShortlistStore


@st.cache_resource(show_spinner=False)
def fitted_matcher(name: str, content: bytes | None, model: str, cache_dir: str) -> Matcher:
    """A matcher fitted on the demo data (``content`` None) or on uploaded bytes named ``name``."""
    profiles = _profiles(name, content)
    return Matcher(model=model, cache_dir=cache_dir).fit(profiles)


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
    """Load uploaded bytes through the same reader as a file (the suffix picks the format)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(name).name
        path.write_bytes(content)
        return load_profiles(path, strict=strict)


def content_key(content: bytes | None) -> str:
    return "demo" if content is None else hashlib.sha1(content).hexdigest()[:12]
