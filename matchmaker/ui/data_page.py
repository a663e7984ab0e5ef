"""Your data: the registry's companies by agency, an upload validated and then imported as the
user's agency's companies, the agency's imports with review and undo, the demo companies shown or hidden.

What a user may do is the permission module's to say (:func:`matchmaker.store.permissions.can`
before offering, the store's own checks when writing)."""

from __future__ import annotations

from collections import Counter

import pandas as pd
import streamlit as st

from matchmaker.errors import ConflictError, NotFoundError, ParameterError
from matchmaker.i18n import t
from matchmaker.store.accounts import DEMO_AGENCY
from matchmaker.store.permissions import LOCAL_LOGIN, Actor, PermissionDeniedError, Resource, can
from matchmaker.store.registry import DEMO_SOURCE, ImportResult
from matchmaker.ui import alliance, resources, state
from matchmaker.ui.common import actor, plain, pmd, pt, tr

SHOWN_ISSUES = 200  # findings listed in the page; `matchmaker validate FILE` lists them all


def shown_source(source: str) -> str:
    """An import's source as the reader reads it: the shipped demo's in the reader's language."""
    return pt("data.demo_source") if source == DEMO_SOURCE else source


def shown_author(login: str) -> str:
    """An import's author: the local mode's placeholder login in the reader's language."""
    return pt("mode.local_owner") if login == LOCAL_LOGIN else login


def source_caption() -> None:
    """Which companies are matched: the registry's, counted per agency (hidden agencies left out)."""
    language = state.language()
    agencies = alliance.agencies()
    counts = Counter(c.agency for c in alliance.registry().companies() if not agencies[c.agency].hidden)
    parts = [f"{alliance.agency_name(key, language)}: {n}" for key, n in sorted(counts.items())]
    st.caption(
        tr("data_source") + ": " + pmd("data.registry", total=sum(counts.values()), agencies="; ".join(parts) or "—")
    )


def demo_switch(who: Actor) -> None:
    """Show or hide the fictional demo companies (who may is the permission module's call)."""
    demo = alliance.agencies().get(DEMO_AGENCY)
    if demo is None or not can(who, "agency.hide"):
        return

    def changed() -> None:
        alliance.accounts().set_hidden(who, DEMO_AGENCY, not st.session_state["data_show_demo"])

    st.session_state["data_show_demo"] = not demo.hidden  # the database's value, whoever changed it
    st.toggle(pt("data.show_demo"), key="data_show_demo", on_change=changed, help=pt("data.show_demo_help"))


def agency_form(who: Actor, expanded: bool) -> None:
    """Local mode: register the agency whose companies are imported (once)."""
    with st.expander(pt("data.new_agency"), expanded=expanded), st.form("new_agency"):
        key = st.text_input(pt("data.agency_key"), value="" if not expanded else "local", key="new_agency_key")
        name = st.text_input(pt("data.agency_name"), key="new_agency_name", max_chars=200)
        country = st.selectbox(
            pt("data.agency_country"), ("DE", "CN"), format_func=lambda c: tr(f"country_{c}"), key="new_agency_country"
        )
        city = st.text_input(pt("data.agency_city"), key="new_agency_city", max_chars=200)
        if st.form_submit_button(pt("data.agency_create"), key="new_agency_create"):
            try:
                alliance.accounts().add_agency(who, key.strip(), name=name, country=country, city=city)
            except (ParameterError, ConflictError) as exc:
                st.warning(plain(exc))
                return
            st.session_state[state.IMPORT_AGENCY] = key.strip()
            st.rerun()


def import_agency(who: Actor) -> str | None:
    """The agency an upload is imported as: the signed-in user's (if their role writes), in the
    local mode one the user chooses or registers; None when there is none to import as."""
    language = state.language()
    if not who.local:
        if can(who, "company.write", Resource(agency=who.agency)):
            return who.agency
        st.info(pt("data.read_only", role=pt(f"role.{who.role}")))
        return None
    own = [a for a in alliance.agencies().values() if a.key != DEMO_AGENCY]
    if not own:
        st.info(pt("data.local_agency_first"))
        agency_form(who, expanded=True)
        return None
    names = {a.key: a.display_name(language) for a in own}
    if st.session_state.get(state.IMPORT_AGENCY) not in names:
        st.session_state[state.IMPORT_AGENCY] = next(iter(names))
    chosen = st.selectbox(pt("data.import_as"), list(names), format_func=names.get, key=state.IMPORT_AGENCY)
    agency_form(who, expanded=False)
    return chosen


def import_summary(result: ImportResult) -> None:
    language = state.language()
    summary = t(
        "platform.registry.import_summary",
        language,
        added=len(result.added),
        changed=len(result.changed),
        unchanged=len(result.unchanged),
        refused=len(result.refused),
    )
    (st.success if result.usable else st.warning)(pmd("data.imported", id=result.import_id) + " " + plain(summary))
    if result.refused:
        st.text(
            "\n".join(
                pt("data.refused_row", id=company, agency=alliance.agency_name(owner, language))
                for company, owner in result.refused[:SHOWN_ISSUES]
            )
        )


def upload(who: Actor, agency: str) -> None:
    """Upload, the validation report (every finding at once), then the import as ``agency``."""
    limits = resources.upload_limits()
    file = st.file_uploader(
        tr("upload"),
        type=["csv", "xlsx", "txt", "tsv", "parquet", "json", "jsonl"],
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
        st.success(pt("data.valid", rows=report.rows))
    else:
        st.error(pt("data.invalid"))
    st.text(report.summary(language))
    issues = report.sorted_issues()
    # one text block, at most SHOWN_ISSUES lines: a file with 100,000 problems must not become 100,000 elements
    st.text("\n".join(issue.render(language) for issue in issues[:SHOWN_ISSUES]))
    if len(issues) > SHOWN_ISSUES:
        st.caption(tr("more_issues", shown=SHOWN_ISSUES, total=len(issues)))
    if not report.usable:
        return
    done = st.session_state.setdefault(state.IMPORTED, {})
    digest = f"{agency}:{resources.content_key(content)}"  # a rerun with the same file imports nothing
    if digest not in done:
        label = pt("data.import", rows=report.rows, agency=alliance.agency_name(agency, language))
        if not st.button(label, key="data_import", type="primary"):
            return
        try:
            done[digest] = alliance.registry().import_profiles(who, agency, profiles.table, source=file.name)
        except (ParameterError, PermissionDeniedError, NotFoundError) as exc:
            st.warning(plain(exc))
            return
        st.rerun()  # the counts above and the list of imports below show the import
    import_summary(done[digest])
    if alliance.demo_in_use() and can(who, "agency.hide"):
        st.info(pt("data.demo_still_shown"))


def imports_section(who: Actor) -> None:
    """The agency's imports (every import in the local mode): review one, undo it."""
    language = state.language()
    records = alliance.registry().imports(None if who.local else who.agency)
    if not records:
        return
    st.subheader(pt("data.imports"))
    table = pd.DataFrame(
        {
            pt("data.column.id"): [r.id for r in records],
            pt("data.column.agency"): [alliance.agency_name(r.agency, language) for r in records],
            pt("data.column.at"): [f"{r.created_at:%Y-%m-%d %H:%M}" for r in records],
            pt("data.column.author"): [shown_author(r.author) for r in records],
            pt("data.column.source"): [shown_source(r.source) for r in records],
            pt("data.action.added"): [r.added for r in records],
            pt("data.action.changed"): [r.changed for r in records],
            pt("data.action.unchanged"): [r.unchanged for r in records],
            pt("data.action.refused"): [r.refused for r in records],
            pt("data.column.undone"): [f"{r.undone_at:%Y-%m-%d %H:%M}" if r.undone_at else "" for r in records],
        }
    )
    st.dataframe(table, hide_index=True, key="imports_table")
    by_id = {r.id: r for r in records}
    chosen = st.selectbox(
        pt("data.review"),
        list(by_id),
        format_func=lambda i: f"#{i} · {shown_source(by_id[i].source)} · {by_id[i].created_at:%Y-%m-%d %H:%M}",
        key="import_review",
    )
    review = alliance.registry().review_import(chosen)
    review["action"] = review["action"].map(lambda a: pt(f"data.action.{a}"))
    with st.expander(pmd("data.review_of", id=chosen, n=len(review))):
        st.dataframe(review, hide_index=True, key="import_review_table")
    record = by_id[chosen]
    if record.undone_at is not None or not can(who, "company.write", Resource(agency=record.agency)):
        return
    if st.checkbox(pt("data.undo_confirm", id=chosen), key=f"undo_confirm_{chosen}") and st.button(
        t("platform.registry.undo", language), key="undo_import"
    ):
        try:
            result = alliance.registry().undo_import(who, chosen)
        except (ConflictError, PermissionDeniedError, NotFoundError) as exc:
            st.warning(plain(exc))
            return
        st.toast(pt("data.undone", id=chosen, removed=len(result.added), restored=len(result.changed)))
        st.rerun()


def render() -> None:
    who = actor()
    st.title(tr("page_data"))
    source_caption()
    demo_switch(who)
    agency = import_agency(who)
    if agency is not None:
        upload(who, agency)
    imports_section(who)
    stale = alliance.registry().stale(agency=None if who.local else who.agency)
    if stale:
        months = alliance.environment().verify_months
        st.caption(pt("data.stale", n=len(stale), months=months))
