"""Agencies, accounts, sign-in and the permission checks, on SQLite and a real PostgreSQL server."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import text
from store.platform_helpers import LOCAL, PASSWORD, alliance

from matchmaker.errors import ConflictError, ParameterError
from matchmaker.store.accounts import Accounts, AccountSettings
from matchmaker.store.audit import audit_log
from matchmaker.store.permissions import (
    ACTIONS,
    Actor,
    AuthenticationError,
    PermissionDeniedError,
    Resource,
    can,
    require,
)
from matchmaker.store.shortlists import ShortlistStore


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'platform.sqlite'}"
    return request.getfixturevalue("postgres_server")()


def test_a_password_is_stored_only_as_an_argon2_hash_and_signs_in(url):
    engine, accounts, _, _ = alliance(url)
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT password_hash FROM users WHERE login = 'hamburg-editor'")).scalar()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    signed = accounts.sign_in("hamburg-editor", PASSWORD)
    assert accounts.actor_for(signed.token) == Actor("hamburg-editor", "hamburg", "editor")
    with engine.connect() as connection:
        tokens = connection.execute(text("SELECT token_hash FROM user_sessions")).scalars().all()
    assert tokens and signed.token not in tokens  # only its hash is kept


def test_wrong_passwords_unknown_logins_and_expired_or_ended_sessions_are_refused(url):
    _, accounts, _, _ = alliance(url)
    for login, password in (("hamburg-editor", "wrong password!"), ("nobody", PASSWORD), ("hamburg-editor", "")):
        with pytest.raises(AuthenticationError, match="Wrong login or password"):
            accounts.sign_in(login, password)
    start = dt.datetime(2026, 12, 1, 9, 0)
    signed = accounts.sign_in("foshan-editor", PASSWORD, at=start)
    assert accounts.actor_for(signed.token, at=start + dt.timedelta(hours=7, minutes=59)).login == "foshan-editor"
    with pytest.raises(AuthenticationError, match="expired"):
        accounts.actor_for(signed.token, at=start + dt.timedelta(hours=8))
    other = accounts.sign_in("foshan-editor", PASSWORD)
    accounts.sign_out(other.token)
    with pytest.raises(AuthenticationError, match="unknown or was ended"):
        accounts.actor_for(other.token)
    with pytest.raises(AuthenticationError):
        accounts.actor_for("made-up-token")


def test_repeated_failures_lock_the_account_for_a_while_even_for_the_right_password(url):
    engine, _, _, _ = alliance(url)
    accounts = Accounts(engine, AccountSettings(max_failures=3, lock_minutes=10))
    at = dt.datetime(2026, 12, 1, 9, 0)
    for _ in range(3):
        with pytest.raises(AuthenticationError, match="Wrong"):
            accounts.sign_in("hamburg-viewer", "guess guess guess", at=at)
    with pytest.raises(AuthenticationError, match="locked .* until 2026-12-01 09:10"):
        accounts.sign_in("hamburg-viewer", PASSWORD, at=at + dt.timedelta(minutes=9))
    assert accounts.sign_in("hamburg-viewer", PASSWORD, at=at + dt.timedelta(minutes=10)).actor.role == "viewer"
    # a success resets the count: two more failures do not lock
    for _ in range(2):
        with pytest.raises(AuthenticationError, match="Wrong"):
            accounts.sign_in("hamburg-viewer", "guess", at=at + dt.timedelta(minutes=11))
    assert accounts.sign_in("hamburg-viewer", PASSWORD, at=at + dt.timedelta(minutes=11)).token
    assert "user.lock" in set(audit_log(engine, LOCAL)["action"])


def test_who_may_create_agencies_and_accounts(url):
    _, accounts, _, actors = alliance(url)
    admin = actors["hamburg-agency-admin"]
    accounts.add_user(admin, "new.editor", agency="hamburg", role="editor", password=PASSWORD)
    with pytest.raises(PermissionDeniedError, match="agency-admin"):
        accounts.add_user(admin, "intruder", agency="foshan", role="editor", password=PASSWORD)
    with pytest.raises(PermissionDeniedError):
        accounts.add_user(admin, "boss", agency="hamburg", role="alliance-admin", password=PASSWORD)
    with pytest.raises(PermissionDeniedError, match="alliance-admin"):
        accounts.add_agency(admin, "koeln", name="Köln", country="DE")
    with pytest.raises(ParameterError, match="at least 10 characters"):
        accounts.add_user(LOCAL, "short", agency="hamburg", role="viewer", password="123")
    with pytest.raises(ParameterError, match="Valid roles"):
        accounts.add_user(LOCAL, "x.y", agency="hamburg", role="owner", password=PASSWORD)
    with pytest.raises(ConflictError, match="taken"):
        accounts.add_user(LOCAL, "hamburg-editor", agency="hamburg", role="viewer", password=PASSWORD)
    with pytest.raises(ConflictError, match="exists already"):
        accounts.add_agency(LOCAL, "hamburg", name="again", country="DE")
    assert [u.login for u in accounts.users(admin)] == sorted(
        ["hamburg-agency-admin", "hamburg-editor", "hamburg-viewer", "new.editor"]
    )
    with pytest.raises(PermissionDeniedError):
        accounts.users(actors["hamburg-editor"])
    assert accounts.agency("foshan").display_name("en") == "Foshan Investment Promotion"


def test_shortlists_belong_to_a_user_and_agency_and_are_shared_only_on_purpose(url):
    engine, _, _, actors = alliance(url)
    legacy = ShortlistStore(engine).create_shortlist("Local list")  # the local mode's (no owner)
    anna = ShortlistStore(engine, actors["hamburg-editor"])
    trip = anna.create_shortlist("Delegation Foshan", author="Anna")
    anna.add_entry(trip.id, "DE1", "CN1", note="Termin im Mai")
    assert (trip.owner, trip.agency) == ("hamburg-editor", "hamburg")

    colleague = ShortlistStore(engine, actors["hamburg-viewer"])  # same agency: reads, cannot write
    assert [s.id for s in colleague.shortlists()] == [trip.id]
    assert colleague.entries(trip.id)[0].note == "Termin im Mai"
    with pytest.raises(PermissionDeniedError, match="only reads"):
        colleague.add_entry(trip.id, "DE2", "CN2")
    with pytest.raises(PermissionDeniedError, match="only reads"):
        colleague.rename_shortlist(trip.id, "mine now")

    foshan = ShortlistStore(engine, actors["foshan-editor"])
    assert foshan.shortlists() == []
    for attempt in (
        lambda: foshan.entries(trip.id),
        lambda: foshan.shortlist(trip.id),
        lambda: foshan.rename_shortlist(trip.id, "x"),
        lambda: foshan.delete_shortlist(trip.id),
        lambda: foshan.add_entry(trip.id, "DE9", "CN9"),
        lambda: foshan.entries(legacy.id),
    ):
        with pytest.raises(PermissionDeniedError):
            attempt()
    anna.share(trip.id, "foshan")
    assert [s.id for s in foshan.shortlists()] == [trip.id]
    assert len(foshan.entries(trip.id)) == 1
    with pytest.raises(PermissionDeniedError):  # shared read-only
        foshan.update_note(foshan.entries(trip.id)[0].id, "overwritten", 1)
    anna.share(trip.id, "foshan", shared=False)
    assert foshan.shortlists() == []
    assert {s.id for s in ShortlistStore(engine).shortlists()} == {legacy.id, trip.id}  # the local mode sees all
    log = audit_log(engine, LOCAL)
    assert {"shortlist.create", "shortlist.add", "shortlist.share", "shortlist.unshare"} <= set(log["action"])
    assert set(log[log["action"] == "shortlist.share"]["actor"]) == {"hamburg-editor"}
    with pytest.raises(PermissionDeniedError, match="alliance-admin"):
        audit_log(engine, actors["hamburg-agency-admin"])


def test_an_agency_reads_only_the_outcomes_of_shortlists_it_may_read(url):
    engine, _, _, actors = alliance(url)
    anna = ShortlistStore(engine, actors["hamburg-editor"])
    trip = anna.create_shortlist("Delegation Foshan", author="Anna")
    anna.record_outcome("DE1", "CN1", "met", note="Vertraulich: Preisvorstellung 2 Mio.", shortlist_id=trip.id)
    assert list(ShortlistStore(engine, actors["hamburg-viewer"]).outcome_history()["note"]) == [
        "Vertraulich: Preisvorstellung 2 Mio."
    ]
    foshan = ShortlistStore(engine, actors["foshan-editor"])
    assert foshan.outcome_history().empty and foshan.outcome_labels().empty
    anna.share(trip.id, "foshan")
    assert len(foshan.outcome_history()) == 1
    assert len(ShortlistStore(engine).outcome_history()) == 1  # the local mode reads every step


@pytest.mark.parametrize(
    "role, action, allowed",
    [
        ("viewer", "registry.read", True),
        ("viewer", "company.write", False),
        ("editor", "company.write", True),
        ("editor", "company.erase", False),
        ("agency-admin", "company.erase", True),
        ("alliance-admin", "audit.read", True),
        ("agency-admin", "audit.read", False),
    ],
)
def test_roles_on_their_own_agency(role, action, allowed):
    assert can(Actor("x", "hamburg", role), action, Resource(agency="hamburg")) is allowed


@pytest.mark.parametrize("action", ACTIONS)
def test_every_refusal_says_what_was_refused_in_words(action):
    """A viewer of another agency is refused everything but reading the registry; each refusal names
    the action as words ("may not read the contact of CN1"), never its key ("contact.read")."""
    viewer = Actor("gast", "hamburg", "viewer")
    resource = Resource(agency="foshan", contact_consent=False)
    if can(viewer, action, resource):
        assert action == "registry.read"
        return
    with pytest.raises(PermissionDeniedError) as refused:
        require(viewer, action, resource, what="the record CN1")
    message = str(refused.value)
    assert action not in message and action.replace(".", " ") not in message, message
    assert re.search(r"may not [a-z ]+ the record CN1: ", message), message
    with pytest.raises(PermissionDeniedError) as unnamed:
        require(viewer, action, resource)
    assert re.search(r"may not [a-z ]+: ", str(unnamed.value)), str(unnamed.value)


def test_no_role_changes_another_agencys_companies_and_contacts_need_consent():
    boss = Actor("boss", "hamburg", "alliance-admin")
    assert not can(boss, "company.write", Resource(agency="foshan"))
    assert can(boss, "company.erase", Resource(agency="foshan"))
    assert not can(boss, "contact.read", Resource(agency="foshan", contact_consent=True))
    assert can(
        boss, "contact.read", Resource(agency="foshan", contact_consent=True, introduced_to=frozenset({"hamburg"}))
    )
    assert not can(Actor.local_mode(), "contact.read", Resource(agency="foshan", contact_consent=False))
    assert not can(Actor("own", "foshan", "editor"), "contact.read", Resource(agency="foshan", contact_consent=False))
