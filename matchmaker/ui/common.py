"""Pieces every page uses: the fitted matcher for the data in use, labels, the model notice."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from matchmaker import config as C
from matchmaker import vocab as V
from matchmaker.exports.reading import display_city, display_name
from matchmaker.i18n import t
from matchmaker.knowledge.taxonomy import load_taxonomy
from matchmaker.scoring.matcher import Matcher
from matchmaker.store.shortlists import ShortlistRecord, ShortlistStore
from matchmaker.text import sort_key
from matchmaker.ui import resources, state
from matchmaker.vocab import Language


def matcher() -> Matcher:
    environment = C.Environment.read()
    upload = state.upload()
    name, content = upload if upload else ("demo", None)
    with st.spinner("…"):
        return resources.fitted_matcher(name, content, environment.model, str(environment.cache_dir))


def store() -> ShortlistStore:
    return resources.shortlist_store(C.Environment.read().database_url)


def dataset_name() -> str:
    upload = state.upload()
    return upload[0] if upload else "demo"


def current_shortlist(create: bool = False) -> ShortlistRecord | None:
    """The shortlist in use: the one chosen in this session, else the most recently changed one;
    with ``create``, a new one named after today when there is none yet."""
    saved = store().shortlists()
    chosen = st.session_state.get(state.SHORTLIST_ID)
    for record in saved:
        if record.id == chosen:
            return record
    if saved:
        st.session_state[state.SHORTLIST_ID] = saved[0].id
        return saved[0]
    if not create:
        return None
    import datetime as dt

    record = store().create_shortlist(
        tr("shortlist_default_name", date=dt.date.today().isoformat()), author=state.author(), dataset=dataset_name()
    )
    st.session_state[state.SHORTLIST_ID] = record.id
    return record


def tr(key: str, **params: object) -> str:
    return t(f"ui.{key}", state.language(), **params)


_MARKDOWN_SIGNS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=\"'])")


def plain(text: object) -> str:
    """``text`` for places where Streamlit reads Markdown (labels, captions, alerts): every sign
    with a meaning is escaped, so a company called ``**x** [y](javascript:...)`` shows as typed."""
    return _MARKDOWN_SIGNS.sub(r"\\\1", str(text))


def md(key: str, **params: object) -> str:
    """:func:`tr` for Markdown places: the parameters (names, notes, file names) shown as typed."""
    return tr(key, **{name: plain(value) for name, value in params.items()})


def company_label(row: pd.Series, language: Language | None = None) -> str:
    """``Name · 名称 (City)`` in the script of ``language`` (the reader's by default)."""
    language = language or state.language()
    return f"{display_name(row, language)} ({display_city(row, language, load_taxonomy())})"


def company_name(row: pd.Series) -> str:
    return display_name(row, state.language())


def sorted_ids(table: pd.DataFrame) -> list[str]:
    """Company ids sorted by name as German and Chinese readers expect (see text.sort_key)."""
    keys = table[V.NAME].map(sort_key)
    return list(table.assign(_key=keys).sort_values("_key")[V.ID])


def label(kind: str, key: str) -> str:
    return load_taxonomy().label(kind, key, state.language())  # type: ignore[arg-type]


def model_notice(current: Matcher) -> None:
    if current.fitted_.encoder_name == C.HYBRID_MODEL_NAME:
        st.caption(tr("model_hybrid"))
    elif current.fitted_.encoder_name == C.DOMAIN_MODEL_NAME:
        st.caption(tr("model_domain"))
    else:
        # a folder or hub name: only its last part, never a server path
        st.caption(md("model_other", name=current.fitted_.encoder_name.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]))
