"""The alliance platform as the dashboard sees it: the database, who is signed in, the shared registry.

Every right is decided by :mod:`matchmaker.store.permissions` (called here or by the store methods
this module hands out); nothing in the dashboard decides one on its own.

The mode comes from the environment (:attr:`matchmaker.config.Environment.mode`): ``local`` (one
user on one machine, no sign-in, :meth:`Actor.local_mode`) or ``shared`` (every user signs in; the
session token lives in ``st.session_state`` only, never in the URL).

The matcher is fitted on the registry's profiles (every agency's companies) through
:func:`matchmaker.ui.resources.fitted_matcher`, with the registry serialised as CSV bytes named
``registry-<revision>.csv``: a fitted matcher, and its snapshot on disk, are reused until
:meth:`Registry.fingerprint` changes. A matcher is shared by every user of the server, so in the
shared mode it is fitted without contact data (each reader sees contacts through
:meth:`Registry.contact`, which checks the right); the local mode may read every consented contact.

(Not named ``platform.py``: Streamlit puts this folder on ``sys.path``, where it would hide the
standard library's ``platform``.)
"""

from __future__ import annotations

from typing import Literal

import streamlit as st
from sqlalchemy import Engine

from matchmaker import config as C
from matchmaker.errors import ParameterError
from matchmaker.i18n import t
from matchmaker.scoring.matcher import Matcher
from matchmaker.store.accounts import DEMO_AGENCY, Accounts, AccountSettings, AgencyRecord
from matchmaker.store.database import open_database
from matchmaker.store.introductions import Introductions
from matchmaker.store.notify import Notifier, SmtpSettings
from matchmaker.store.permissions import Actor, AuthenticationError
from matchmaker.store.registry import Registry
from matchmaker.ui import resources, state

Mode = Literal["local", "shared"]
MODES: tuple[Mode, ...] = ("local", "shared")


def environment() -> C.Environment:
    return C.Environment.read()


def mode() -> Mode:
    """The configured mode; a value other than ``local`` or ``shared`` is refused (a typo must not
    open a shared server without sign-in)."""
    configured = environment().mode
    if configured not in MODES:
        raise ParameterError(
            f"MATCHMAKER_MODE must be one of {', '.join(MODES)}. Got {configured!r}; "
            "set MATCHMAKER_MODE=shared on a server (sign-in required) or leave it unset on one machine."
        )
    return configured  # type: ignore[return-value]


@st.cache_resource(show_spinner=False)
def _database(url: str) -> Engine:
    """The migrated database behind ``url``, opened once per server, with the demo companies put
    into the registry as agency "demo" on first start."""
    engine = open_database(url)
    if not any(a.key == DEMO_AGENCY for a in Accounts(engine).agencies()):
        from matchmaker.io.profiles import load_profiles

        # a set-up step of the product (first start), not an action of whoever opened the page
        Registry(engine).seed_demo(Actor.local_mode(), load_profiles(C.DEMO_PROFILES).table)
    return engine


def engine() -> Engine:
    return _database(environment().database_url)


def accounts() -> Accounts:
    env = environment()
    settings = AccountSettings(env.session_hours, env.max_failed_sign_ins, env.lock_minutes)
    return Accounts(engine(), settings)


def registry() -> Registry:
    return Registry(engine(), verify_months=environment().verify_months)


def introductions() -> Introductions:
    env = environment()
    smtp = (
        SmtpSettings(env.smtp_host, env.smtp_port, env.smtp_sender, env.smtp_user, env.smtp_password, env.smtp_starttls)
        if env.smtp_host
        else None
    )
    return Introductions(engine(), Notifier(smtp))


# --- who acts -----------------------------------------------------------------------------------
def actor() -> Actor | None:
    """Who uses the dashboard: the local mode, the signed-in user, or None (sign in first). A
    session that expired or was ended is dropped, and the reason kept for the sign-in form."""
    if mode() == "local":
        return Actor.local_mode()
    token = st.session_state.get(state.SESSION_TOKEN)
    if not token:
        return None
    try:
        return accounts().actor_for(token)
    except AuthenticationError as exc:
        st.session_state.pop(state.SESSION_TOKEN, None)
        st.session_state[state.SIGN_IN_PROBLEM] = {"reason": exc.reason, "until": exc.until}
        return None


def current_actor() -> Actor:
    """:func:`actor` for a page: a page is never drawn for someone not signed in."""
    found = actor()
    if found is None:
        st.stop()
    return found


def sign_in(login: str, password: str) -> None:
    """Open a session (its token kept in this browser session only); AuthenticationError if refused."""
    signed = accounts().sign_in(login, password)
    st.session_state[state.SESSION_TOKEN] = signed.token
    st.session_state.pop(state.SIGN_IN_PROBLEM, None)


def sign_out() -> None:
    token = st.session_state.pop(state.SESSION_TOKEN, None)
    if token:
        accounts().sign_out(token)
    for key in state.PER_USER:
        st.session_state.pop(key, None)


# --- agencies -----------------------------------------------------------------------------------
def agencies() -> dict[str, AgencyRecord]:
    return {a.key: a for a in accounts().agencies()}


def agency_name(key: str | None, language: str) -> str:
    if not key:
        return t("dashboard.mode.local_owner", language)  # type: ignore[arg-type]
    found = agencies().get(key)
    return found.display_name(language) if found else key


# --- the registry's profiles and the matcher over them ----------------------------------------
@st.cache_data(show_spinner=False, max_entries=4)
def _registry_csv(url: str, fingerprint: str, with_contacts: bool) -> bytes | None:
    """The registry's profiles at ``fingerprint`` as CSV bytes (None when it holds no company)."""
    table = Registry(_database(url)).profiles(Actor.local_mode() if with_contacts else None)
    return None if table.empty else table.to_csv(index=False).encode("utf-8")


def fingerprint() -> str:
    return registry().fingerprint()


def registry_csv() -> tuple[str, bytes | None]:
    """(``registry-<revision>.csv``, the registry's profiles as CSV bytes, or None when empty)."""
    current = fingerprint()
    content = _registry_csv(environment().database_url, current, mode() == "local")
    return f"{current}.csv", content


def fitted_matcher() -> Matcher | None:
    """The matcher over every agency's companies, refitted only when the registry changed; None
    when the registry holds no company to match."""
    name, content = registry_csv()
    if content is None:
        return None
    env = environment()
    return resources.fitted_matcher(name, content, env.model, str(env.cache_dir))


@st.cache_data(show_spinner=False, max_entries=8)
def _demo_in_use(url: str, fingerprint: str) -> bool:
    engine = _database(url)
    demo = next((a for a in Accounts(engine).agencies() if a.key == DEMO_AGENCY), None)
    return demo is not None and not demo.hidden and bool(Registry(engine).companies(DEMO_AGENCY))


def demo_in_use() -> bool:
    """Whether the fictional demo companies are among the companies matched (not hidden, not erased)."""
    return _demo_in_use(environment().database_url, fingerprint())


def open_proposals(who: Actor) -> int:
    """Proposals waiting for an answer from the actor's agency (every agency's in the local mode)."""
    if who.local:
        return sum(1 for i in introductions().list(who) if i.status == "proposed")
    return introductions().open_count(who.agency or "")
