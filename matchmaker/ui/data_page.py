"""Your own data: upload a profiles file, read its validation report, use it or go back to the demo."""

from __future__ import annotations

import streamlit as st

from matchmaker.ui import resources, state
from matchmaker.ui.common import md, tr

SHOWN_ISSUES = 200  # findings listed in the page; `matchmaker validate FILE` lists them all


def render() -> None:
    st.title(tr("page_data"))
    upload = state.upload()
    st.caption(tr("data_source") + ": " + (md("uploaded_data", name=upload[0]) if upload else tr("demo_data")))
    if upload and st.button(tr("use_demo"), key="use_demo"):
        st.session_state[state.UPLOAD] = None
        st.rerun()
    limits = resources.upload_limits()
    file = st.file_uploader(
        tr("upload"),
        type=["csv", "xlsx", "txt", "tsv", "parquet"],
        key="uploader",
        help=tr("upload_limit", mb=f"{limits.max_bytes / 2**20:g}", rows=f"{limits.max_rows:,}"),
    )
    if file is None:
        return
    content = file.getvalue()
    profiles = resources.validate_upload(file.name, content)
    report = profiles.report
    language = state.language()
    if report.usable:
        st.session_state[state.UPLOAD] = (file.name, content)
        st.success(tr("upload_ok", rows=report.rows))
    else:
        st.error(tr("upload_bad"))
    st.text(report.summary(language))
    issues = report.sorted_issues()
    # one text block, at most SHOWN_ISSUES lines: a file with 100,000 problems must not become 100,000 elements
    st.text("\n".join(issue.render(language) for issue in issues[:SHOWN_ISSUES]))
    if len(issues) > SHOWN_ISSUES:
        st.caption(tr("more_issues", shown=SHOWN_ISSUES, total=len(issues)))
