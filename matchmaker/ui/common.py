"""Pieces every page uses: who acts, the fitted matcher over the registry, the shortlists, labels, the model notice."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from matchmaker import config as C
from matchmaker import vocab as V
from matchmaker.exports.reading import display_city, display_name
from matchmaker.exports.search import query_matches, search_text, sorted_by_label
from matchmaker.i18n import t
from matchmaker.knowledge.taxonomy import load_taxonomy
from matchmaker.scoring.matcher import Matcher
from matchmaker.store.permissions import Actor, can
from matchmaker.store.shortlists import ShortlistRecord, ShortlistStore
from matchmaker.ui import alliance, resources, state
from matchmaker.vocab import Language


def matcher() -> Matcher:
    """The matcher over the shared registry (every agency's companies); a page without companies
    to match says so and stops."""
    with st.spinner("…"):
        fitted = alliance.fitted_matcher()
    if fitted is None:
        st.info(pt("registry.empty"))
        st.stop()
    return fitted


def actor() -> Actor:
    """Who uses the page (see :func:`matchmaker.ui.alliance.current_actor`)."""
    return alliance.current_actor()


def store() -> ShortlistStore:
    """The shortlists as the user sees them: their own agency's (and those shared with it)."""
    return ShortlistStore(alliance.engine(), actor())


def data_key() -> str:
    """A short key of the registry's content in use, for per-data caches."""
    return resources.content_key(alliance.registry_csv()[1] or b"")


def dataset_name() -> str:
    return "registry"


def writable(record: ShortlistRecord) -> bool:
    return can(actor(), "shortlist.write", record.resource())


def current_shortlist(create: bool = False) -> ShortlistRecord | None:
    """The shortlist in use: the one chosen in this session, else the most recently changed one;
    with ``create``, one the user may add to (their own), a new one named after today when there is
    none yet."""
    saved = [r for r in store().shortlists() if writable(r)] if create else store().shortlists()
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


def pt(key: str, **params: object) -> str:
    """A text of the dashboard's platform part (``matchmaker/locales/*/dashboard_platform.toml``)."""
    return t(f"dashboard.{key}", state.language(), **params)


def pmd(key: str, **params: object) -> str:
    """:func:`pt` for Markdown places (see :func:`md`)."""
    return pt(key, **{name: plain(value) for name, value in params.items()})


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


def sorted_ids(table: pd.DataFrame, language: Language | None = None) -> list[str]:
    """Company ids sorted by the name the reader sees, as the reader expects (pinyin in Chinese,
    German collation otherwise; see text.collation_key)."""
    language = language or state.language()
    names = dict(zip(table[V.ID], (display_name(row, language) for _, row in table.iterrows())))
    return sorted_by_label(names, names, language)


@st.cache_data(show_spinner=False, max_entries=24)
def company_choices(_table: pd.DataFrame, data_key: str, language: Language) -> tuple[list[str], dict[str, str]]:
    """The companies of ``_table`` (the data set ``data_key``) as a company chooser lists them for a
    reader of ``language``: their ids in :func:`sorted_ids` order and each id's :func:`company_label`.
    Computed once per data set and language for every session: sorting and labelling the demo's 314
    companies took about 0.08 s of each new session's first script run (0.20 s -> 0.12 s; see
    benchmarks/README.md, "Dashboard")."""
    ids = sorted_ids(_table, language)
    by_id = _table.set_index(V.ID, drop=False)
    return ids, {i: company_label(by_id.loc[i], language) for i in ids}


def sorted_keys(keys, kind: str) -> list[str]:
    """Taxonomy keys (cities, focus areas, …) sorted by their labels in the reader's language."""
    return sorted_by_label(keys, lambda key: label(kind, key), state.language())


@st.cache_data(show_spinner=False, max_entries=8)
def search_texts(_table: pd.DataFrame, data_key: str) -> dict[str, str]:
    """Each company's searchable forms (see exports.search.search_text), once per data set."""
    taxonomy = load_taxonomy()
    return {row[V.ID]: search_text(row, taxonomy) for _, row in _table.iterrows()}


def search_box(table: pd.DataFrame, ids: list[str], data_key: str, key: str) -> list[str]:
    """A search field over ``ids``: the ones the typed words find (any name form, pinyin, city)."""
    query = st.text_input(tr("search_company"), key=key, help=tr("search_company_help"), max_chars=200)
    if not query.strip():
        return ids
    texts = search_texts(table, data_key)
    found = [i for i in ids if query_matches(query, texts[i])]
    if found:
        st.caption(tr("search_found", found=len(found), total=len(ids)))
    else:
        st.warning(md("search_none", query=query))
    return found


def label(kind: str, key: str) -> str:
    return load_taxonomy().label(kind, key, state.language())  # type: ignore[arg-type]


def model_notice(current: Matcher) -> None:
    if current.fitted_.encoder_name == C.HYBRID_MODEL_NAME:
        st.caption(tr("model_hybrid"))
    elif current.fitted_.encoder_name == C.DOMAIN_MODEL_NAME:
        st.caption(tr("model_domain"))
    else:
        # a folder or hub name: only its last part, never a server path
        st.caption(
            md("model_other", name=current.fitted_.encoder_name.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1])
        )
