"""Saved shortlists: choose or start one, edit notes, record outcomes, download CSV, Excel, the
bilingual dossier and the outcomes as labelled pairs. Everything is read from and written to the
database (see matchmaker.store.shortlists), so it survives restarts. A signed-in user sees the
shortlists of their agency (and those shared with it); colleagues' lists are read-only, and the page
says whose list it is."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from matchmaker import vocab as V
from matchmaker.errors import ConflictError, NotFoundError
from matchmaker.exports.dossier import DossierContext, render_dossier
from matchmaker.exports.tables import column_header, items_table, readable_headers, shortlist_items, write_table
from matchmaker.i18n import t
from matchmaker.io.cells import safe_filename
from matchmaker.scoring.items import score_items
from matchmaker.store.accounts import DEMO_AGENCY
from matchmaker.store.permissions import can
from matchmaker.store.registry import AGENCY_COLUMN
from matchmaker.store.shortlists import STATUSES, EntryRecord, ShortlistRecord, labels_from
from matchmaker.ui import alliance, state
from matchmaker.ui.common import (
    actor,
    company_name,
    current_shortlist,
    dataset_name,
    matcher,
    md,
    plain,
    pt,
    store,
    tr,
    writable,
)

SHOWN_COLUMNS = ("company", "partner", "partner_city", "score", "status", "note", "added_by")


def as_bytes(frame: pd.DataFrame, suffix: str) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        return write_table(frame, Path(folder) / f"shortlist{suffix}").read_bytes()


def owner_text(record: ShortlistRecord) -> str:
    """Whose list it is: its owner and agency (a list of the local mode has neither)."""
    language = state.language()
    if record.agency is None:
        return pt("shortlist.local_owner")
    return pt("shortlist.owner", owner=record.owner or "—", agency=alliance.agency_name(record.agency, language))


def choose_shortlist() -> ShortlistRecord | None:
    if can(actor(), "shortlist.create"):
        with st.expander(tr("shortlist_new"), expanded=current_shortlist() is None):
            name = st.text_input(tr("shortlist_new_name"), key="shortlist_new_name", max_chars=200)
            if st.button(tr("shortlist_create"), key="shortlist_create") and name.strip():
                record = store().create_shortlist(name, author=state.author(), dataset=dataset_name())
                st.session_state[state.SHORTLIST_ID] = record.id
                st.rerun()
    saved = {r.id: r for r in store().shortlists()}
    if not saved:
        return None
    if st.session_state.get(state.SHORTLIST_ID) not in saved:
        st.session_state[state.SHORTLIST_ID] = next(iter(saved))
    chosen = st.selectbox(
        tr("shortlist_choose"),
        list(saved),
        format_func=lambda i: f"{saved[i].name} ({saved[i].entries}) · {owner_text(saved[i])}",
        key=state.SHORTLIST_ID,
    )
    return saved[chosen]


def fictional(entries: list[EntryRecord], current) -> bool:
    """Whether the shortlist names a fictional demo company (the dossier says so)."""
    profiles = current.fitted_.profiles
    if AGENCY_COLUMN not in profiles:
        return False
    demo = set(profiles.loc[profiles[AGENCY_COLUMN] == DEMO_AGENCY, V.ID])
    return any(e.source_id in demo or e.target_id in demo for e in entries)


def save_notes(entries: list[EntryRecord], notes: list[object]) -> bool:
    """Save the changed notes; True when all were saved, False when a colleague's change came first
    (their text is shown, the page is not reloaded, so the user's own text stays in the table)."""
    complete = True
    for entry, note in zip(entries, notes):
        note = "" if note is None or (isinstance(note, float) and pd.isna(note)) else str(note)
        if note == entry.note:
            continue
        try:
            store().update_note(entry.id, note, entry.version, author=state.author())
        except (ConflictError, NotFoundError) as exc:
            st.warning(plain(exc))
            complete = False
    if complete:
        st.toast(tr("notes_saved"))
    return complete


def pair_labels(entries: list[EntryRecord], current) -> dict[int, str]:
    """``Company ↔ Partner`` per entry id, in the reader's script; the names saved with the entry
    for a company that is not in the data any more."""
    profiles = current.fitted_.profiles.set_index(V.ID, drop=False)

    def name(company_id: str, saved: str) -> str:
        return company_name(profiles.loc[company_id]) if company_id in profiles.index else saved or company_id

    return {e.id: f"{name(e.source_id, e.source_name)} ↔ {name(e.target_id, e.target_name)}" for e in entries}


def outcome_form(shortlist: ShortlistRecord, entries: list[EntryRecord], history: pd.DataFrame, current) -> None:
    st.subheader(tr("record_outcome"))
    countries = dict(zip(current.fitted_.ids, current.fitted_.country))
    labels = pair_labels(entries, current)
    with st.form("outcome_form", clear_on_submit=True):
        entry_id = st.selectbox(tr("outcome_pair"), list(labels), format_func=labels.get, key="outcome_pair")
        status = st.selectbox(tr("outcome_status"), STATUSES[1:], format_func=tr_outcome, key="outcome_status")
        happened = st.date_input(
            tr("outcome_date"), value=dt.date.today(), max_value=dt.date.today(), key="outcome_date"
        )
        note = st.text_area(tr("outcome_note"), key="outcome_note", max_chars=20_000)
        if st.form_submit_button(tr("outcome_save")):
            entry = next(e for e in entries if e.id == entry_id)
            german_first = countries.get(entry.source_id, "DE") == "DE"
            de_id, cn_id = (entry.source_id, entry.target_id) if german_first else (entry.target_id, entry.source_id)
            store().record_outcome(
                de_id, cn_id, status, happened_on=happened, note=note, author=state.author(), shortlist_id=shortlist.id
            )
            st.toast(tr("outcome_saved", status=tr_outcome(status)))
            st.rerun()  # the table, the history and the labels show the new step
    pairs = {(e.source_id, e.target_id) for e in entries} | {(e.target_id, e.source_id) for e in entries}
    mine = history[[(d, c) in pairs for d, c in zip(history[V.DE_ID], history[V.CN_ID])]]
    if len(mine):
        with st.expander(tr("outcome_history")):
            shown = mine.assign(status=mine["status"].map(tr_outcome))
            st.dataframe(
                shown[[V.DE_ID, V.CN_ID, "status", "happened_on", "author", "note"]],
                hide_index=True,
                key="outcome_table",
            )


def tr_outcome(status: str) -> str:
    return t(f"outcome.{status}", state.language())


def downloads(shortlist: ShortlistRecord, scored, current, is_fictional: bool) -> None:
    language = state.language()
    table = readable_headers(items_table(scored, language), language)
    stem = safe_filename(shortlist.name, "shortlist")
    csv, xlsx, html = st.columns(3)
    csv.download_button(tr("download_csv"), as_bytes(table, ".csv"), f"{stem}.csv", "text/csv", key="dl_csv")
    xlsx.download_button(
        tr("download_xlsx"),
        as_bytes(table, ".xlsx"),
        f"{stem}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="dl_xlsx",
    )
    others = [lang for lang in ("zh", "de", "en") if lang != language]
    second = html.selectbox(
        tr("dossier_second_language"),
        others,
        key="dossier_language",
        format_func=lambda lang: {"de": "Deutsch", "zh": "中文", "en": "English"}[lang],
    )
    context = DossierContext(
        heading=shortlist.name,
        author=state.author() or shortlist.author,
        dataset=shortlist.dataset,
        model=current.fitted_.encoder_name,
        weights_version=current.weights_.version,
        fictional=is_fictional or shortlist.dataset == "demo",
    )
    html.download_button(
        tr("download_html"),
        render_dossier(scored, context, (language, second)).encode("utf-8"),
        f"{stem}.html",
        "text/html",
        key="dl_html",
    )


def render() -> None:
    current = matcher()
    st.title(tr("page_shortlist"))
    shortlist = choose_shortlist()
    if shortlist is None:
        st.info(tr("shortlist_empty"))
        return
    may_write = writable(shortlist)
    st.markdown(f"**{plain(owner_text(shortlist))}**")
    if not may_write:
        st.info(pt("shortlist.read_only"))
    st.caption(
        md(
            "shortlist_meta",
            entries=shortlist.entries,
            created=f"{shortlist.created_at:%Y-%m-%d}",
            author=shortlist.author or "—",
        )
    )
    entries = store().entries(shortlist.id)
    history = store().outcome_history()
    if not entries:
        st.info(tr("shortlist_empty"))
    else:
        scored = score_items(current, shortlist_items(entries, history))
        table = items_table(scored, state.language())[list(SHOWN_COLUMNS)]
        headers = {c: column_header(c, state.language()) for c in table.columns}
        edited = st.data_editor(
            table.rename(columns=headers),
            key=f"shortlist_editor_{shortlist.id}",
            hide_index=True,
            num_rows="fixed",
            disabled=[h for c, h in headers.items() if c != "note" or not may_write],
        )
        if may_write:
            if st.button(tr("save_notes"), key="save_notes") and save_notes(entries, list(edited[headers["note"]])):
                st.rerun()
            names = pair_labels(entries, current)
            remove = st.multiselect(tr("remove"), list(names), format_func=names.get, key="shortlist_remove")
            if remove and st.button(tr("remove"), key="shortlist_remove_button"):
                for entry_id in remove:
                    store().remove_entry(entry_id)
                st.rerun()
        downloads(shortlist, scored, current, fictional(entries, current))
        if may_write:
            outcome_form(shortlist, entries, history, current)
    labels = labels_from(history)
    if len(labels):
        st.download_button(
            tr("download_labels"), as_bytes(labels, ".csv"), "isa-outcome-labels.csv", "text/csv", key="dl_labels"
        )
    if not may_write:
        return
    with st.expander(tr("shortlist_rename")):
        name = st.text_input(tr("shortlist_rename"), value=shortlist.name, key=f"rename_{shortlist.id}", max_chars=200)
        if st.button(tr("shortlist_rename"), key="rename_button") and name.strip() and name != shortlist.name:
            store().rename_shortlist(shortlist.id, name)
            st.rerun()
        if st.checkbox(tr("shortlist_delete"), key=f"confirm_delete_{shortlist.id}") and st.button(
            tr("shortlist_delete"), key="delete_button"
        ):
            store().delete_shortlist(shortlist.id)
            st.session_state.pop(state.SHORTLIST_ID, None)
            st.toast(tr("shortlist_deleted"))
            st.rerun()
