"""Signing in and out, and the sidebar's account box: which mode, who is signed in, open proposals."""

from __future__ import annotations

import streamlit as st

from matchmaker.store.permissions import Actor, AuthenticationError
from matchmaker.ui import alliance, state
from matchmaker.ui.common import pmd, pt


def problem_text(reason: str, until=None) -> str:
    """Why a sign-in or a session was refused, in the reader's language (never the password)."""
    if reason == "locked":
        return pt("sign_in.locked", until=f"{until:%Y-%m-%d %H:%M}" if until else "—")
    if reason in ("expired", "ended"):
        return pt(f"sign_in.{reason}")
    return pt("sign_in.refused")


def sign_in_page() -> None:
    """The only thing a shared server shows before sign-in."""
    st.title(pt("sign_in.title"))
    st.caption(pt("sign_in.intro"))
    problem = st.session_state.get(state.SIGN_IN_PROBLEM)
    if problem:
        st.warning(problem_text(problem["reason"], problem.get("until")))
    # cleared on submit, so the password does not stay in the session's widget state
    with st.form("sign_in", clear_on_submit=True):
        login = st.text_input(pt("sign_in.login"), key="sign_in_login", max_chars=120)
        password = st.text_input(pt("sign_in.password"), type="password", key="sign_in_password", max_chars=1000)
        submitted = st.form_submit_button(pt("sign_in.submit"), key="sign_in_submit")
    if not submitted:
        return
    try:
        alliance.sign_in(login.strip(), password)
    except AuthenticationError as exc:
        st.session_state.pop(state.SIGN_IN_PROBLEM, None)
        st.error(problem_text(exc.reason, exc.until))
        return
    st.rerun()


def sidebar(who: Actor, language: str) -> None:
    """The mode (clearly the local one where it is), the signed-in user with a sign-out button,
    and the count of open incoming proposals."""
    if who.local:
        st.sidebar.info(pt("mode.local"), icon=":material/computer:")
    else:
        agency = alliance.agency_name(who.agency, language)
        st.sidebar.success(
            pmd("mode.shared", login=who.login, agency=agency, role=pt(f"role.{who.role}")), icon=":material/group:"
        )
        if st.sidebar.button(pt("sign_in.sign_out"), key="sign_out"):
            alliance.sign_out()
            st.rerun()
    count = alliance.open_proposals(who)
    if count:
        st.sidebar.warning(pt("introductions.open_count", count=count), icon=":material/mail:")
