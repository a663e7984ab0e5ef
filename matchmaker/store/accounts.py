"""Agencies, user accounts, passwords and sessions.

Passwords are hashed with Argon2id (argon2-cffi) and never stored, logged or shown; a session is a
random token of which only the SHA-256 is stored, valid until it expires. After
``max_failures`` wrong passwords in a row an account is locked for ``lock_minutes`` (even the right
password is refused then), and an unknown login costs as much time as a known one, so neither
guessing nor probing for logins pays.

>>> accounts = Accounts(open_database(url))
>>> accounts.add_agency(Actor.local_mode(), "hamburg", name="Hamburg Invest", country="DE", city="Hamburg")
>>> accounts.add_user(Actor.local_mode(), "anna", agency="hamburg", role="editor", password="...")
>>> signed = accounts.sign_in("anna", "...")      # signed.token goes into the browser session
>>> actor = accounts.actor_for(signed.token)       # raises AuthenticationError once expired
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, delete, select, update
from sqlalchemy.exc import IntegrityError

from matchmaker.errors import ConflictError, NotFoundError, ParameterError
from matchmaker.store import audit
from matchmaker.store.database import database_errors, new_session
from matchmaker.store.permissions import RANK, Actor, AuthenticationError, Resource, require
from matchmaker.store.schema import ROLES, Agency, User, UserSession, bump_revision, now

KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{1,39}$")
LOGIN_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,119}$")
MIN_PASSWORD = 10
DEMO_AGENCY = "demo"
_HASHER = PasswordHasher()
_DUMMY_HASH = _HASHER.hash(secrets.token_hex(16))  # verified against for unknown logins (same cost)


@dataclass(frozen=True)
class AccountSettings:
    """Session lifetime and the lock after repeated failures (defaults: 8 h, 5 failures, 15 min)."""

    session_hours: float = 8.0
    max_failures: int = 5
    lock_minutes: float = 15.0


@dataclass(frozen=True)
class AgencyRecord:
    key: str
    name: str
    name_de: str
    name_zh: str
    name_en: str
    country: str
    city: str
    email: str
    hidden: bool

    def display_name(self, language: str) -> str:
        """The agency's name in ``language`` (de, zh, en), else its main name."""
        return {"de": self.name_de, "zh": self.name_zh, "en": self.name_en}.get(language) or self.name


@dataclass(frozen=True)
class UserRecord:
    login: str
    agency: str
    role: str
    created_at: dt.datetime
    locked_until: dt.datetime | None
    active: bool


@dataclass(frozen=True)
class SignedIn:
    """A session: give ``token`` back to :meth:`Accounts.actor_for` until ``expires_at`` (UTC)."""

    token: str
    actor: Actor
    expires_at: dt.datetime


def _agency_record(a: Agency) -> AgencyRecord:
    return AgencyRecord(a.key, a.name, a.name_de, a.name_zh, a.name_en, a.country, a.city, a.email, bool(a.hidden))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Accounts:
    """Agencies, users and sessions in the database behind ``engine``."""

    def __init__(self, engine: Engine, settings: AccountSettings | None = None) -> None:
        self.engine = engine
        self.settings = settings or AccountSettings()

    # --- agencies ------------------------------------------------------------------------------
    def add_agency(
        self,
        actor: Actor,
        key: str,
        *,
        name: str,
        country: str,
        name_de: str = "",
        name_zh: str = "",
        name_en: str = "",
        city: str = "",
        email: str = "",
    ) -> AgencyRecord:
        """Register an agency. ``key``: 2-40 of a-z, 0-9, '-' and '_' (e.g. ``foshan``); ``country``: DE or CN."""
        require(actor, "agency.create", what=f"agency '{key}'")
        if not KEY_PATTERN.match(key or ""):
            raise ParameterError(
                f"An agency key is 2-40 lower-case letters, digits, '-' or '_', starting with a letter or digit. "
                f"Got {key!r}; e.g. 'hamburg' or 'foshan'."
            )
        if country not in ("DE", "CN"):
            raise ParameterError(f"An agency's country must be DE or CN. Got {country!r}.")
        if not (name or "").strip():
            raise ParameterError("An agency needs a name (--name). Got an empty name.")
        if email and "@" not in email:
            raise ParameterError(f"The agency's notification address must be an e-mail address. Got {email!r}.")
        return self._insert_agency(actor, key, name.strip(), country, name_de, name_zh, name_en, city, email)

    def _insert_agency(self, actor, key, name, country, name_de="", name_zh="", name_en="", city="", email=""):
        fields = dict(name=name[:200], name_de=name_de[:200], name_zh=name_zh[:200], name_en=name_en[:200])
        with database_errors(self.engine, "save to"):
            try:
                with new_session(self.engine) as session, session.begin():
                    agency = Agency(
                        key=key, country=country, city=city[:200], email=email[:320], created_at=now(), **fields
                    )
                    session.add(agency)
                    session.flush()
                    audit.record(session, actor, "agency.create", "agency", key, f"country {country or '-'}")
                    return _agency_record(agency)
            except IntegrityError:
                raise ConflictError(f"The agency '{key}' exists already (`matchmaker agency list` shows it).") from None

    def ensure_demo_agency(self, actor: Actor) -> tuple[AgencyRecord, bool]:
        """The "demo" agency (fictional demo companies), created when missing; (record, created)."""
        existing = self.agencies(include_hidden=True)
        for agency in existing:
            if agency.key == DEMO_AGENCY:
                return agency, False
        names = {"name_de": "Demodaten (fiktiv)", "name_zh": "演示数据（虚构）", "name_en": "Demo data (fictional)"}
        try:
            return self._insert_agency(actor, DEMO_AGENCY, "Demo data (fictional)", "", **names), True
        except ConflictError:  # another process created it in between
            return self.agency(DEMO_AGENCY), False

    def agencies(self, include_hidden: bool = True) -> list[AgencyRecord]:
        with database_errors(self.engine, "read"), new_session(self.engine) as session:
            query = select(Agency).order_by(Agency.key)
            if not include_hidden:
                query = query.where(Agency.hidden.is_(False))
            return [_agency_record(a) for a in session.scalars(query)]

    def agency(self, key: str) -> AgencyRecord:
        for agency in self.agencies():
            if agency.key == key:
                return agency
        raise NotFoundError(
            f"There is no agency '{key}'. Register it with `matchmaker agency add {key} --name ... --country DE|CN`."
        )

    def set_hidden(self, actor: Actor, key: str, hidden: bool) -> None:
        """Hide an agency's companies from the registry's profiles (e.g. the demo agency), or show them again."""
        require(actor, "agency.hide", what=f"agency '{key}'")
        self.agency(key)
        with database_errors(self.engine, "save to"), new_session(self.engine) as session, session.begin():
            session.execute(update(Agency).where(Agency.key == key).values(hidden=hidden))
            bump_revision(session)
            audit.record(session, actor, "agency.hide" if hidden else "agency.show", "agency", key)

    # --- users ---------------------------------------------------------------------------------
    def add_user(self, actor: Actor, login: str, *, agency: str, role: str, password: str) -> UserRecord:
        if role not in ROLES:
            raise ParameterError(f"Unknown role {role!r}. Valid roles: {', '.join(ROLES)}.")
        require(actor, "user.create", Resource(agency=agency, role=role), what=f"account '{login}'")
        if not LOGIN_PATTERN.match(login or ""):
            raise ParameterError(
                f"A login is 2-120 letters, digits, '.', '_', '@' or '-'. Got {login!r}; e.g. 'anna.weber'."
            )
        if len(password or "") < MIN_PASSWORD:
            raise ParameterError(
                f"A password needs at least {MIN_PASSWORD} characters. Got {len(password or '')}; choose a longer one."
            )
        self.agency(agency)
        created = now()
        with database_errors(self.engine, "save to"):
            try:
                with new_session(self.engine) as session, session.begin():
                    hashed = _HASHER.hash(password)
                    session.add(User(login=login, agency=agency, role=role, password_hash=hashed, created_at=created))
                    audit.record(session, actor, "user.create", "user", login, f"agency {agency}, role {role}")
            except IntegrityError:
                raise ConflictError(f"The login '{login}' is taken. Choose another one.") from None
        return UserRecord(login, agency, role, created, None, True)

    def users(self, actor: Actor) -> list[UserRecord]:
        """Accounts the actor may list: all for an alliance admin, its agency's for an agency admin."""
        require(actor, "user.list", Resource(agency=actor.agency))
        with database_errors(self.engine, "read"), new_session(self.engine) as session:
            query = select(User).order_by(User.agency, User.login)
            if not actor.local and RANK[actor.role] < RANK["alliance-admin"]:
                query = query.where(User.agency == actor.agency)
            return [
                UserRecord(u.login, u.agency, u.role, u.created_at, u.locked_until, bool(u.active))
                for u in session.scalars(query)
            ]

    # --- sign-in and sessions ------------------------------------------------------------------
    def sign_in(self, login: str, password: str, *, at: dt.datetime | None = None) -> SignedIn:
        """Check the password and open a session; :class:`AuthenticationError` when refused."""
        at = at or now()
        refused = AuthenticationError("Wrong login or password. Check both and try again.")
        failure: AuthenticationError | None = None
        with database_errors(self.engine, "read"), new_session(self.engine) as session, session.begin():
            user = session.scalars(select(User).where(User.login == login)).first()
            if user is None or not user.active:
                _verify(_DUMMY_HASH, password)
                raise refused
            if user.locked_until is not None and user.locked_until > at:
                raise AuthenticationError(
                    f"The account '{login}' is locked after {self.settings.max_failures} wrong passwords, until "
                    f"{user.locked_until:%Y-%m-%d %H:%M} UTC. Try again then, or ask an agency admin.",
                    reason="locked",
                    until=user.locked_until,
                )
            if not _verify(user.password_hash, password):
                failure = refused
                user.failed_sign_ins += 1
                if user.failed_sign_ins >= self.settings.max_failures:
                    user.locked_until = at + dt.timedelta(minutes=self.settings.lock_minutes)
                    user.failed_sign_ins = 0
                    audit.record(session, Actor(login, user.agency, user.role), "user.lock", "user", login)
            else:
                user.failed_sign_ins, user.locked_until = 0, None
                if _HASHER.check_needs_rehash(user.password_hash):
                    user.password_hash = _HASHER.hash(password)
                token = secrets.token_urlsafe(32)
                expires = at + dt.timedelta(hours=self.settings.session_hours)
                session.add(UserSession(token_hash=_token_hash(token), login=login, created_at=at, expires_at=expires))
                actor = Actor(user.login, user.agency, user.role)  # type: ignore[arg-type]
        if failure is not None:  # raised after the commit, so the failure count is kept
            raise failure
        return SignedIn(token, actor, expires)

    def actor_for(self, token: str, *, at: dt.datetime | None = None) -> Actor:
        """The user of a live session; :class:`AuthenticationError` when unknown, ended or expired."""
        at = at or now()
        with database_errors(self.engine, "read"), new_session(self.engine) as session:
            found = session.execute(
                select(UserSession.expires_at, User)
                .join(User, User.login == UserSession.login)
                .where(UserSession.token_hash == _token_hash(token or ""))
            ).first()
        if found is None:
            raise AuthenticationError("The session is unknown or was ended. Sign in again.", reason="ended")
        expires, user = found
        if expires <= at or not user.active:
            raise AuthenticationError(
                f"The session expired at {expires:%Y-%m-%d %H:%M} UTC. Sign in again.", reason="expired"
            )
        return Actor(user.login, user.agency, user.role)  # type: ignore[arg-type]

    def sign_out(self, token: str) -> None:
        with database_errors(self.engine, "save to"), new_session(self.engine) as session, session.begin():
            session.execute(delete(UserSession).where(UserSession.token_hash == _token_hash(token or "")))

    def purge_sessions(self, *, at: dt.datetime | None = None) -> int:
        """Delete expired sessions; returns how many."""
        with database_errors(self.engine, "save to"), new_session(self.engine) as session, session.begin():
            done = session.execute(delete(UserSession).where(UserSession.expires_at <= (at or now())))
            return done.rowcount or 0


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return False
