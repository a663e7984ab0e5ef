"""The database schema: every table of the store, on one declarative ``Base``.

The Alembic migrations in ``migrations/versions`` create exactly these tables (a test compares
them). Agencies, users and companies are referred to by their stable text keys (agency ``key``,
user ``login``, company ``company_id``), so a record read from one table names its owner directly.

Timestamps are UTC without tzinfo (SQLite stores no zone), see :func:`now`.
"""

from __future__ import annotations

import datetime as dt
from typing import get_args

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from matchmaker.store.permissions import Role

# Steps of a German-Chinese pair. The first five are recorded by hand (shortlist page, CLI);
# "proposed" and "accepted" are recorded by an introduction between two agencies.
OUTCOME_STATUSES = ("suggested", "contacted", "met", "agreement", "declined", "proposed", "accepted")
INTRODUCTION_STATUSES = ("proposed", "accepted", "declined", "contacted", "met", "agreement", "withdrawn")
IMPORT_ACTIONS = ("added", "changed", "unchanged", "refused")
ROLES = get_args(Role)


def now() -> dt.datetime:
    """UTC, without tzinfo and microseconds (every timestamp of the store)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def _in(column: str, values: tuple[str, ...], name: str) -> CheckConstraint:
    return CheckConstraint(f"{column} IN ('" + "', '".join(values) + "')", name=name)


class Base(DeclarativeBase):
    pass


# --- agencies and accounts ------------------------------------------------------------------------
class Agency(Base):
    __tablename__ = "agencies"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_de: Mapped[str] = mapped_column(String(200), server_default="")
    name_zh: Mapped[str] = mapped_column(String(200), server_default="")
    name_en: Mapped[str] = mapped_column(String(200), server_default="")
    country: Mapped[str] = mapped_column(String(2), server_default="")  # "" only for the demo agency
    city: Mapped[str] = mapped_column(String(200), server_default="")
    email: Mapped[str] = mapped_column(String(320), server_default="")  # where notifications go
    hidden: Mapped[bool] = mapped_column(Boolean, server_default=false())
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    __table_args__ = (_in("country", ("DE", "CN", ""), "ck_agency_country"),)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(120), unique=True)
    agency: Mapped[str] = mapped_column(ForeignKey("agencies.key"))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    failed_sign_ins: Mapped[int] = mapped_column(Integer, server_default="0")
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, server_default=true())
    __table_args__ = (_in("role", ROLES, "ck_user_role"),)


class UserSession(Base):
    __tablename__ = "user_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the token, never the token
    login: Mapped[str] = mapped_column(ForeignKey("users.login", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    __table_args__ = (Index("ix_sessions_login", "login"),)


# --- the registry -----------------------------------------------------------------------------------
class Import(Base):
    __tablename__ = "imports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency: Mapped[str] = mapped_column(ForeignKey("agencies.key"))
    author: Mapped[str] = mapped_column(String(120), server_default="")
    source: Mapped[str] = mapped_column(String(500), server_default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    added: Mapped[int] = mapped_column(Integer, server_default="0")
    changed: Mapped[int] = mapped_column(Integer, server_default="0")
    unchanged: Mapped[int] = mapped_column(Integer, server_default="0")
    refused: Mapped[int] = mapped_column(Integer, server_default="0")
    undone_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    undone_by: Mapped[str] = mapped_column(String(120), server_default="")


class ImportItem(Base):
    __tablename__ = "import_items"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.id", ondelete="CASCADE"))
    company_id: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(10))
    detail: Mapped[str] = mapped_column(String(200), server_default="")
    __table_args__ = (
        _in("action", IMPORT_ACTIONS, "ck_import_action"),
        Index("ix_import_items_import", "import_id"),
        Index("ix_import_items_company", "company_id"),
    )


class Company(Base):
    """A company's current profile. ``profile`` is the row as imported (JSON object of text cells)."""

    __tablename__ = "companies"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[str] = mapped_column(String(200), unique=True)
    agency: Mapped[str] = mapped_column(ForeignKey("agencies.key"))
    country: Mapped[str] = mapped_column(String(2))
    name: Mapped[str] = mapped_column(String(500))
    profile: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    verified_at: Mapped[dt.datetime] = mapped_column(DateTime)
    __table_args__ = (Index("ix_companies_agency", "agency"),)


class CompanyVersion(Base):
    """Every version a company had (the current one included); undo restores the previous one."""

    __tablename__ = "company_versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[str] = mapped_column(String(200))
    agency: Mapped[str] = mapped_column(ForeignKey("agencies.key"))
    version: Mapped[int] = mapped_column(Integer)
    profile: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id", ondelete="SET NULL"), nullable=True)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)
    __table_args__ = (UniqueConstraint("company_id", "version", name="uq_company_version"),)


class RegistryState(Base):
    """One row: ``revision`` grows with every change of the registry's content (the fingerprint)."""

    __tablename__ = "registry_state"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, server_default="0")


class ErasedOutcome(Base):
    """What is left of erased companies' outcomes: a count per status, nothing that names anyone."""

    __tablename__ = "erased_outcomes"
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, server_default="0")


class AuditEvent(Base):
    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(120))
    agency: Mapped[str] = mapped_column(String(40), server_default="")
    action: Mapped[str] = mapped_column(String(60))
    resource: Mapped[str] = mapped_column(String(60))
    resource_id: Mapped[str] = mapped_column(String(200), server_default="")
    detail: Mapped[str] = mapped_column(Text, server_default="")
    __table_args__ = (Index("ix_audit_at", "at"),)


# --- shortlists, outcomes, introductions -------------------------------------------------------------
class Shortlist(Base):
    """``owner`` and ``agency`` NULL: a shortlist of the single-user local mode (and of databases
    from before accounts existed)."""

    __tablename__ = "shortlists"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    author: Mapped[str] = mapped_column(String(120), server_default="")
    dataset: Mapped[str] = mapped_column(String(200), server_default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    owner: Mapped[str | None] = mapped_column(ForeignKey("users.login", ondelete="SET NULL"), nullable=True)
    agency: Mapped[str | None] = mapped_column(ForeignKey("agencies.key", ondelete="SET NULL"), nullable=True)
    entries: Mapped[list[Entry]] = relationship(
        back_populates="shortlist", cascade="all, delete-orphan", passive_deletes=True, order_by="Entry.id"
    )
    __mapper_args__ = {"version_id_col": version}


class ShortlistShare(Base):
    """A shortlist shared on purpose with another agency (read-only there)."""

    __tablename__ = "shortlist_shares"
    shortlist_id: Mapped[int] = mapped_column(ForeignKey("shortlists.id", ondelete="CASCADE"), primary_key=True)
    agency: Mapped[str] = mapped_column(ForeignKey("agencies.key", ondelete="CASCADE"), primary_key=True)


class Entry(Base):
    __tablename__ = "shortlist_entries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shortlist_id: Mapped[int] = mapped_column(ForeignKey("shortlists.id", ondelete="CASCADE"))
    source_id: Mapped[str] = mapped_column(String(200))
    target_id: Mapped[str] = mapped_column(String(200))
    source_name: Mapped[str] = mapped_column(String(500), server_default="")
    target_name: Mapped[str] = mapped_column(String(500), server_default="")
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    model: Mapped[str] = mapped_column(String(200), server_default="")
    weights_version: Mapped[str] = mapped_column(String(200), server_default="")
    note: Mapped[str] = mapped_column(Text, server_default="")
    author: Mapped[str] = mapped_column(String(120), server_default="")
    added_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    shortlist: Mapped[Shortlist] = relationship(back_populates="entries")
    __table_args__ = (
        UniqueConstraint("shortlist_id", "source_id", "target_id", name="uq_entry_pair"),
        Index("ix_entries_shortlist", "shortlist_id"),
    )
    __mapper_args__ = {"version_id_col": version}


class Introduction(Base):
    """Agency ``from_agency`` proposes introducing its company ``source_id`` to ``target_id`` of
    ``to_agency``; contacts are shown only once ``to_agency`` accepted (see permissions)."""

    __tablename__ = "introductions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    from_agency: Mapped[str] = mapped_column(ForeignKey("agencies.key"))
    to_agency: Mapped[str] = mapped_column(ForeignKey("agencies.key"))
    source_id: Mapped[str] = mapped_column(String(200))
    target_id: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text, server_default="")
    status: Mapped[str] = mapped_column(String(20))
    answer_note: Mapped[str] = mapped_column(Text, server_default="")
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    details: Mapped[str] = mapped_column(Text, server_default="")  # JSON the dashboard shows (components, reasons)
    proposed_by: Mapped[str] = mapped_column(String(120), server_default="")
    proposed_at: Mapped[dt.datetime] = mapped_column(DateTime)
    answered_by: Mapped[str] = mapped_column(String(120), server_default="")
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    __table_args__ = (
        _in("status", INTRODUCTION_STATUSES, "ck_introduction_status"),
        Index("ix_introductions_to", "to_agency", "status"),
        Index("ix_introductions_pair", "source_id", "target_id"),
    )


class OutcomeEvent(Base):
    __tablename__ = "outcome_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    de_id: Mapped[str] = mapped_column(String(200))
    cn_id: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    happened_on: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, server_default="")
    author: Mapped[str] = mapped_column(String(120), server_default="")
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)
    shortlist_id: Mapped[int | None] = mapped_column(ForeignKey("shortlists.id", ondelete="SET NULL"), nullable=True)
    introduction_id: Mapped[int | None] = mapped_column(
        ForeignKey("introductions.id", ondelete="SET NULL"), nullable=True
    )
    __table_args__ = (
        _in("status", OUTCOME_STATUSES, "ck_outcome_status"),
        Index("ix_outcomes_pair", "de_id", "cn_id"),
    )


def bump_revision(session) -> int:
    """Advance the registry's revision in ``session``'s transaction. Called first by every writer of
    the registry: on PostgreSQL the row lock it takes queues concurrent writers (SQLite's
    ``BEGIN IMMEDIATE`` does so already), so each sees the others' committed rows."""
    from sqlalchemy import select, update

    session.execute(update(RegistryState).where(RegistryState.id == 1).values(revision=RegistryState.revision + 1))
    return session.scalar(select(RegistryState.revision).where(RegistryState.id == 1)) or 0
