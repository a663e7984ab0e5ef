"""Introductions between agencies: proposed from a finder card, answered and followed up here.

Agency A proposes introducing its company to agency B's company (:func:`propose_button` on a
suggestion card, with the bilingual template as the message). B sees the proposal among its incoming
ones, in its reader's language, with the score and the explanation A saw (stored with the proposal,
rendered again in B's language), and accepts or declines with a note; then either agency records
contacted, met, agreement. Contacts are shown only once B accepted, and only through
:meth:`Registry.contact`, which checks consent and the right. Every right is the store's to decide.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from matchmaker import vocab as V
from matchmaker.errors import ConflictError, NotFoundError, ParameterError
from matchmaker.i18n import t
from matchmaker.scoring.explain import Explanation
from matchmaker.store.introductions import STEPS, IntroductionRecord, language_of, message_template
from matchmaker.store.permissions import Actor, PermissionDeniedError, Resource, can
from matchmaker.store.registry import ACCEPTED, AGENCY_COLUMN
from matchmaker.ui import alliance, state
from matchmaker.ui.common import actor, company_label, matcher, plain, pmd, pt


def title() -> str:
    return pt("introductions.title")


# --- proposing, from a finder card --------------------------------------------------------------
def proposable(who: Actor, source: pd.Series, partner: pd.Series) -> bool:
    """Whether the card offers a proposal: the user may propose for the source's agency (the
    permission module decides) and the partner belongs to another agency."""
    source_agency, partner_agency = source.get(AGENCY_COLUMN, ""), partner.get(AGENCY_COLUMN, "")
    if not source_agency or not partner_agency or source_agency == partner_agency:
        return False
    return can(who, "introduction.propose", Resource(agency=source_agency))


def propose_button(source: pd.Series, partner: pd.Series, score: float, explanation: Explanation, extra: dict) -> None:
    """A "propose an introduction" button on a suggestion card, where the user may propose one."""
    who = actor()
    if not proposable(who, source, partner):
        return
    agencies = alliance.agencies()
    languages = tuple(language_of(agencies[a].country) for a in (source[AGENCY_COLUMN], partner[AGENCY_COLUMN]))
    key = f"propose_{source[V.ID]}_{partner[V.ID]}"
    with st.popover(pt("introductions.propose"), icon=":material/handshake:", key=f"{key}_open"):
        st.caption(
            pmd("introductions.propose_to", agency=alliance.agency_name(partner[AGENCY_COLUMN], state.language()))
        )
        with st.form(key, clear_on_submit=False):
            message = st.text_area(
                pt("introductions.message"),
                value=message_template(source[V.NAME], partner[V.NAME], languages),  # type: ignore[arg-type]
                key=f"{key}_message",
                max_chars=5000,
                height=220,
            )
            sent = st.form_submit_button(pt("introductions.send"), key=f"{key}_send")
    if not sent:
        return
    details = {"explanation": explanation.as_record(), **extra}
    try:
        record = alliance.introductions().propose(
            who, source[V.ID], partner[V.ID], message, score=score, details=details
        )
    except (ConflictError, ParameterError, PermissionDeniedError, NotFoundError) as exc:
        st.warning(plain(exc))
        return
    st.success(
        pmd("introductions.proposed", id=record.id, agency=alliance.agency_name(record.to_agency, state.language()))
    )


# --- the page -----------------------------------------------------------------------------------
def company_text(profiles: pd.DataFrame, company_id: str) -> str:
    """The company as the reader sees it (name in the reader's script, city), else its id."""
    if company_id in profiles.index:
        return company_label(profiles.loc[company_id])
    try:
        return alliance.registry().company(company_id).name
    except NotFoundError:
        return company_id


def explanation_lines(record: IntroductionRecord, names: tuple[str, str]) -> list[str]:
    """The explanation the proposer saw, in the reader's language."""
    stored = record.details.get("explanation")
    if not isinstance(stored, dict):
        return []
    return Explanation.from_record(stored).render(state.language(), names)


def contacts(record: IntroductionRecord, who: Actor, names: dict[str, str]) -> None:
    """Both companies' contacts once the receiving agency accepted; each only with its consent."""
    if record.status not in ACCEPTED:
        st.caption(t("platform.introduction.contacts_hidden", state.language()))
        return
    st.markdown(f"**{pt('introductions.contacts')}**")
    for company_id in (record.source_id, record.target_id):
        try:
            contact = alliance.registry().contact(who, company_id)
        except PermissionDeniedError:
            st.caption(pmd("introductions.no_consent", company=names[company_id]))
        except NotFoundError:
            st.caption(pmd("introductions.erased", company=company_id))
        else:
            st.text(f"{names[company_id]}: {contact.name or '—'} <{contact.email or '—'}>")


def answer_form(record: IntroductionRecord, who: Actor) -> None:
    if record.status != "proposed" or not can(who, "introduction.answer", Resource(agency=record.to_agency)):
        return
    with st.form(f"answer_{record.id}"):
        note = st.text_area(t("platform.introduction.note", state.language()), key=f"answer_note_{record.id}")
        accept, decline = st.columns(2)
        accepted = accept.form_submit_button(
            t("platform.introduction.accept", state.language()), key=f"answer_{record.id}_accept"
        )
        declined = decline.form_submit_button(
            t("platform.introduction.decline", state.language()), key=f"answer_{record.id}_decline"
        )
    if accepted or declined:
        try:
            alliance.introductions().answer(who, record.id, accept=accepted, note=note)
        except (ConflictError, PermissionDeniedError, NotFoundError) as exc:
            st.warning(plain(exc))
            return
        st.rerun()


def progress_form(record: IntroductionRecord, who: Actor) -> None:
    resource = Resource(agency=record.from_agency, shared_with=frozenset({record.to_agency}))
    if record.status not in ("accepted", "contacted", "met") or not can(who, "introduction.progress", resource):
        return
    later = STEPS[STEPS.index(record.status) + 1 :] if record.status in STEPS else STEPS
    with st.form(f"progress_{record.id}"):
        step = st.selectbox(
            pt("introductions.next_step"),
            later,
            format_func=lambda s: t(f"outcome.{s}", state.language()),
            key=f"progress_step_{record.id}",
        )
        note = st.text_input(pt("introductions.step_note"), key=f"progress_note_{record.id}", max_chars=5000)
        if st.form_submit_button(pt("introductions.record_step"), key=f"progress_{record.id}_save"):
            try:
                alliance.introductions().progress(who, record.id, step, note)
            except (ConflictError, ParameterError, PermissionDeniedError, NotFoundError) as exc:
                st.warning(plain(exc))
                return
            st.rerun()


def show(record: IntroductionRecord, who: Actor, profiles: pd.DataFrame, incoming: bool) -> None:
    language = state.language()
    names = {i: company_text(profiles, i) for i in (record.source_id, record.target_id)}
    status = t(f"outcome.{record.status}", language)
    score = f" · {pt('introductions.score')} {record.score:.3f}" if record.score is not None else ""
    heading = f"#{record.id} · {plain(names[record.source_id])} → {plain(names[record.target_id])} · {status}{score}"
    # open where the reader has something to do or to read: a proposal to answer, fresh contacts
    with st.expander(heading, expanded=(incoming and record.status == "proposed") or record.status == "accepted"):
        st.caption(
            pmd(
                "introductions.meta",
                source_agency=alliance.agency_name(record.from_agency, language),
                target_agency=alliance.agency_name(record.to_agency, language),
                by=record.proposed_by,
                at=f"{record.proposed_at:%Y-%m-%d %H:%M}",
            )
        )
        st.markdown(f"**{pt('introductions.message')}**")
        st.text(record.message)
        lines = explanation_lines(record, (names[record.source_id], names[record.target_id]))
        if lines:
            st.markdown(f"**{pt('introductions.why')}**")
            st.text("\n".join(f"• {line}" for line in lines))
        if record.answered_at is not None:
            st.caption(
                pmd(
                    "introductions.answered",
                    status=status,
                    by=record.answered_by,
                    at=f"{record.answered_at:%Y-%m-%d %H:%M}",
                )
            )
            if record.answer_note:
                st.text(record.answer_note)
        contacts(record, who, names)
        answer_form(record, who)
        progress_form(record, who)


def listing(records: list[IntroductionRecord], who: Actor, profiles: pd.DataFrame, incoming: bool) -> None:
    if not records:
        st.info(pt("introductions.none_incoming" if incoming else "introductions.none_outgoing"))
        return
    for record in records:
        show(record, who, profiles, incoming)


def render() -> None:
    who = actor()
    current = matcher()
    profiles = current.fitted_.profiles.set_index(V.ID, drop=False)
    st.title(title())
    st.caption(pt("introductions.intro"))
    if who.local:  # one user plays every agency: one list
        st.caption(pt("introductions.local"))
        listing(alliance.introductions().list(who), who, profiles, incoming=True)
        return
    open_count = alliance.open_proposals(who)
    incoming, outgoing = st.tabs([pt("introductions.incoming", count=open_count), pt("introductions.outgoing")])
    with incoming:
        listing(alliance.introductions().list(who, "incoming"), who, profiles, incoming=True)
    with outgoing:
        listing(alliance.introductions().list(who, "outgoing"), who, profiles, incoming=False)
