"""The shortlist of this session: notes, removal, CSV and Excel downloads (safe cells only)."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from matchmaker import config as C
from matchmaker.exports import released_contact, write_table
from matchmaker.ui import state
from matchmaker.ui.common import matcher, tr


def shortlist_table(fitted) -> pd.DataFrame:
    profiles = fitted.profiles_.set_index(C.ID)
    rows = []
    for entry in state.shortlist():
        if entry["source_id"] not in profiles.index or entry["target_id"] not in profiles.index:
            continue
        scored = fitted.score_pairs([entry["source_id"]], [entry["target_id"]]).iloc[0]
        partner = profiles.loc[entry["target_id"]]
        rows.append({"company": profiles.loc[entry["source_id"]][C.NAME], "partner": partner[C.NAME],
                     "partner_city": partner[C.CITY], "score": round(float(scored[C.SCORE]), 4), "note": entry["note"],
                     "contact_email": released_contact(partner)["contact_email"]})
    return pd.DataFrame(rows)


def as_bytes(frame: pd.DataFrame, suffix: str) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = write_table(frame, Path(folder) / f"shortlist{suffix}")
        return path.read_bytes()


def render() -> None:
    fitted = matcher()
    st.title(tr("page_shortlist"))
    if not state.shortlist():
        st.info(tr("shortlist_empty"))
        return
    table = shortlist_table(fitted)
    headers = {c: tr(f"column_{c}") for c in table.columns}
    edited = st.data_editor(table.rename(columns=headers), key="shortlist_editor", hide_index=True, num_rows="fixed",
                            disabled=[h for c, h in headers.items() if c != "note"])
    edited = edited.rename(columns={h: c for c, h in headers.items()})
    for entry, note in zip(state.shortlist(), edited["note"]):
        entry["note"] = str(note or "")
    remove = st.multiselect(tr("remove"), list(range(len(table))), format_func=lambda i: table.iloc[i]["partner"], key="shortlist_remove")
    if remove and st.button(tr("remove"), key="shortlist_remove_button"):
        st.session_state[state.SHORTLIST] = [e for i, e in enumerate(state.shortlist()) if i not in remove]
        st.rerun()
    left, right = st.columns(2)
    readable = edited.rename(columns=headers)
    left.download_button(tr("download_csv"), as_bytes(readable, ".csv"), "isa-shortlist.csv", "text/csv", key="dl_csv")
    right.download_button(tr("download_xlsx"), as_bytes(readable, ".xlsx"), "isa-shortlist.xlsx",
                          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="dl_xlsx")
