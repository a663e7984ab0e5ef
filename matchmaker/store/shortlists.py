"""Saved shortlists, their suggestions and notes, and the outcomes of German-Chinese pairs.

A :class:`ShortlistStore` is the only way the CLI and the dashboard read or write them. It hands
out plain frozen records (:class:`ShortlistRecord`, :class:`EntryRecord`) and DataFrames, never
live ORM objects, so no caller holds a database session.

Concurrency: each method is one transaction. Adding is idempotent (the same pair twice in one
shortlist stays one entry). Notes are saved against the version the writer read: when a colleague
saved in between, :class:`ConflictError` says so and nothing is overwritten. Outcomes are an
append-only event log per pair, so two people recording at once both keep their record.

Outcomes as labels: the latest recorded status of each pair becomes a grade for the evaluation
(agreement 3, met 2, contacted 1, declined 0; "suggested" is no judgement and gives no label).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Literal, get_args

import pandas as pd
from sqlalchemy import (
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
    func,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship
from sqlalchemy.orm.exc import StaleDataError

from matchmaker import vocab as V
from matchmaker.errors import ConflictError, NotFoundError, ParameterError
from matchmaker.store.database import database_errors

Status = Literal["suggested", "contacted", "met", "agreement", "declined"]
STATUSES: tuple[Status, ...] = get_args(Status)
GRADE_OF_STATUS: dict[str, int] = {"agreement": 3, "met": 2, "contacted": 1, "declined": 0}
LABEL_COLUMNS = (V.DE_ID, V.CN_ID, V.GRADE, "outcome", "happened_on", "note", "author")


def _now() -> dt.datetime:
    """UTC, without tzinfo: SQLite stores no zone, so every timestamp here is UTC by convention."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


class Base(DeclarativeBase):
    pass


class Shortlist(Base):
    __tablename__ = "shortlists"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    author: Mapped[str] = mapped_column(String(120), server_default="")
    dataset: Mapped[str] = mapped_column(String(200), server_default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    entries: Mapped[list[Entry]] = relationship(
        back_populates="shortlist", cascade="all, delete-orphan", passive_deletes=True, order_by="Entry.id"
    )
    __mapper_args__ = {"version_id_col": version}


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
    __table_args__ = (
        CheckConstraint("status IN ('" + "', '".join(STATUSES) + "')", name="ck_outcome_status"),
        Index("ix_outcomes_pair", "de_id", "cn_id"),
    )


@dataclass(frozen=True)
class ShortlistRecord:
    id: int
    name: str
    author: str
    dataset: str
    created_at: dt.datetime
    updated_at: dt.datetime
    entries: int


@dataclass(frozen=True)
class EntryRecord:
    """One suggestion on a shortlist. ``version`` is what a note edit must quote back."""

    id: int
    shortlist_id: int
    source_id: str
    target_id: str
    source_name: str
    target_name: str
    score: float | None
    model: str
    weights_version: str
    note: str
    author: str
    added_at: dt.datetime
    updated_at: dt.datetime
    version: int


def _entry_record(entry: Entry) -> EntryRecord:
    return EntryRecord(
        entry.id,
        entry.shortlist_id,
        entry.source_id,
        entry.target_id,
        entry.source_name,
        entry.target_name,
        entry.score,
        entry.model,
        entry.weights_version,
        entry.note,
        entry.author,
        entry.added_at,
        entry.updated_at,
        entry.version,
    )


def _text(value: object, what: str, limit: int) -> str:
    text = "" if value is None else str(value)
    if len(text) > limit:
        raise ParameterError(f"The {what} may have at most {limit} characters. Got {len(text)}; shorten it.")
    return text


def check_status(status: str) -> Status:
    if status not in STATUSES:
        raise ParameterError(f"Unknown outcome '{status}'. Valid outcomes: {', '.join(STATUSES)}.")
    return status  # type: ignore[return-value]


def latest_steps(history: pd.DataFrame) -> pd.DataFrame:
    """The latest step of each pair in an :meth:`ShortlistStore.outcome_history` table (oldest first)."""
    return history.drop_duplicates([V.DE_ID, V.CN_ID], keep="last").reset_index(drop=True)


def labels_from(history: pd.DataFrame) -> pd.DataFrame:
    """Labelled pairs ``de_id, cn_id, grade, outcome, happened_on, note, author``: one row per pair
    whose latest status is a judgement (see the module docstring)."""
    latest = latest_steps(history)
    judged = latest[latest["status"].isin(list(GRADE_OF_STATUS))]
    labels = judged.assign(grade=judged["status"].map(GRADE_OF_STATUS), outcome=judged["status"])
    return labels[list(LABEL_COLUMNS)].reset_index(drop=True)


def _guarded(action: str):
    """A store method whose database failures (a damaged, read-only, locked or unreachable database)
    raise our :class:`~matchmaker.errors.DatabaseError` naming the database and the fix."""

    def decorate(method):
        @functools.wraps(method)
        def guarded(self, *args, **kwargs):
            with database_errors(self.engine, action):
                return method(self, *args, **kwargs)

        return guarded

    return decorate


class ShortlistStore:
    """Shortlists and outcomes in the database behind ``engine`` (see :mod:`matchmaker.store.database`).

    >>> store = ShortlistStore.open("sqlite:///shortlists.sqlite")
    >>> trip = store.create_shortlist("Delegation Foshan, May", author="A. Weber")
    >>> store.add_entry(trip.id, "DE0001", "CN0042", author="A. Weber", score=0.71)
    """

    def __init__(self, engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str) -> ShortlistStore:
        from matchmaker.store.database import open_database

        return cls(open_database(url))

    def _session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    # --- shortlists ---------------------------------------------------------------------------
    @_guarded("save to")
    def create_shortlist(self, name: str, author: str = "", dataset: str = "") -> ShortlistRecord:
        name = _text(name, "shortlist name", 200).strip()
        if not name:
            raise ParameterError(
                "A shortlist needs a name. Got an empty name; type one, e.g. 'Delegation Foshan, May'."
            )
        now = _now()
        with self._session() as session, session.begin():
            shortlist = Shortlist(
                name=name,
                author=_text(author, "author", 120),
                dataset=_text(dataset, "dataset", 200),
                created_at=now,
                updated_at=now,
            )
            session.add(shortlist)
            session.flush()
            return ShortlistRecord(shortlist.id, shortlist.name, shortlist.author, shortlist.dataset, now, now, 0)

    @_guarded("read")
    def shortlists(self) -> list[ShortlistRecord]:
        """All shortlists, the most recently changed first."""
        counts = select(Entry.shortlist_id, func.count(Entry.id).label("n")).group_by(Entry.shortlist_id).subquery()
        query = (
            select(Shortlist, func.coalesce(counts.c.n, 0))
            .outerjoin(counts, counts.c.shortlist_id == Shortlist.id)
            .order_by(Shortlist.updated_at.desc(), Shortlist.id.desc())
        )
        with self._session() as session:
            return [
                ShortlistRecord(s.id, s.name, s.author, s.dataset, s.created_at, s.updated_at, n)
                for s, n in session.execute(query)
            ]

    def shortlist(self, shortlist_id: int) -> ShortlistRecord:
        for record in self.shortlists():
            if record.id == shortlist_id:
                return record
        raise NotFoundError(
            f"Shortlist {shortlist_id} does not exist (any more). Pick one of the saved shortlists (`matchmaker shortlists` lists them)."
        )

    @_guarded("save to")
    def rename_shortlist(self, shortlist_id: int, name: str) -> None:
        name = _text(name, "shortlist name", 200).strip()
        if not name:
            raise ParameterError("A shortlist needs a name. Got an empty name.")
        with self._session() as session, session.begin():
            shortlist = self._get(session, Shortlist, shortlist_id)
            shortlist.name, shortlist.updated_at = name, _now()

    @_guarded("save to")
    def delete_shortlist(self, shortlist_id: int) -> None:
        """Delete a shortlist and its entries; recorded outcomes stay (they belong to the pairs)."""
        with self._session() as session, session.begin():
            session.delete(self._get(session, Shortlist, shortlist_id))

    # --- entries ------------------------------------------------------------------------------
    @_guarded("save to")
    def add_entry(
        self,
        shortlist_id: int,
        source_id: str,
        target_id: str,
        *,
        author: str = "",
        source_name: str = "",
        target_name: str = "",
        score: float | None = None,
        model: str = "",
        weights_version: str = "",
        note: str = "",
    ) -> EntryRecord:
        """Put the pair on the shortlist; when it is already there, return the existing entry."""
        now = _now()
        try:
            with self._session() as session, session.begin():
                shortlist = self._get(session, Shortlist, shortlist_id)
                entry = Entry(
                    shortlist_id=shortlist_id,
                    source_id=str(source_id),
                    target_id=str(target_id),
                    source_name=_text(source_name, "company name", 500),
                    target_name=_text(target_name, "company name", 500),
                    score=None if score is None else float(score),
                    model=_text(model, "model", 200),
                    weights_version=_text(weights_version, "weights version", 200),
                    note=_text(note, "note", 20_000),
                    author=_text(author, "author", 120),
                    added_at=now,
                    updated_at=now,
                )
                session.add(entry)
                session.flush()
                session.execute(Shortlist.__table__.update().where(Shortlist.id == shortlist.id).values(updated_at=now))
                return _entry_record(entry)
        except IntegrityError:
            with self._session() as session:
                existing = session.scalars(
                    select(Entry).where(
                        Entry.shortlist_id == shortlist_id,
                        Entry.source_id == str(source_id),
                        Entry.target_id == str(target_id),
                    )
                ).first()
                if existing is None:
                    raise
                return _entry_record(existing)

    @_guarded("read")
    def entries(self, shortlist_id: int) -> list[EntryRecord]:
        with self._session() as session:
            self._get(session, Shortlist, shortlist_id)
            return [
                _entry_record(e)
                for e in session.scalars(select(Entry).where(Entry.shortlist_id == shortlist_id).order_by(Entry.id))
            ]

    @_guarded("save to")
    def update_note(self, entry_id: int, note: str, expected_version: int, author: str = "") -> EntryRecord:
        """Save ``note`` if the entry is still at ``expected_version``; else :class:`ConflictError`."""
        note = _text(note, "note", 20_000)
        try:
            with self._session() as session, session.begin():
                entry = self._get(session, Entry, entry_id)
                if entry.version != expected_version:
                    raise ConflictError(self._conflict(entry))
                entry.note, entry.updated_at = note, _now()
                if author:
                    entry.author = _text(author, "author", 120)
                session.flush()
                return _entry_record(entry)
        except StaleDataError:
            with self._session() as session:
                raise ConflictError(self._conflict(self._get(session, Entry, entry_id))) from None

    @staticmethod
    def _conflict(entry: Entry) -> str:
        return (
            f"The note on {entry.source_name or entry.source_id} → {entry.target_name or entry.target_id} was changed by "
            f"{entry.author or 'someone else'} at {entry.updated_at:%Y-%m-%d %H:%M} UTC after you opened it. Your text "
            f"was not saved; reload, then add your change to theirs. Their note: {entry.note!r}"
        )

    @_guarded("save to")
    def remove_entry(self, entry_id: int) -> None:
        with self._session() as session, session.begin():
            session.delete(self._get(session, Entry, entry_id))

    # --- outcomes -----------------------------------------------------------------------------
    @_guarded("save to")
    def record_outcome(
        self,
        de_id: str,
        cn_id: str,
        status: str,
        *,
        happened_on: dt.date | None = None,
        note: str = "",
        author: str = "",
        shortlist_id: int | None = None,
    ) -> int:
        """Append one step of a pair's history; returns the event id."""
        status = check_status(status)
        happened_on = happened_on or dt.date.today()
        if not isinstance(happened_on, dt.date):
            raise ParameterError(f"The outcome date must be a date. Got {happened_on!r} instead.")
        if happened_on > dt.date.today() + dt.timedelta(days=1):
            raise ParameterError(
                f"An outcome records what happened; its date cannot lie in the future. Got {happened_on}; "
                "record it on the day it happens."
            )
        with self._session() as session, session.begin():
            event = OutcomeEvent(
                de_id=str(de_id),
                cn_id=str(cn_id),
                status=status,
                happened_on=happened_on,
                note=_text(note, "note", 20_000),
                author=_text(author, "author", 120),
                recorded_at=_now(),
                shortlist_id=shortlist_id,
            )
            session.add(event)
            session.flush()
            return event.id

    @_guarded("read")
    def outcome_history(self) -> pd.DataFrame:
        """Every recorded step, oldest first: de_id, cn_id, status, happened_on, note, author, recorded_at, shortlist_id."""
        columns = ["id", V.DE_ID, V.CN_ID, "status", "happened_on", "note", "author", "recorded_at", "shortlist_id"]
        with self._session() as session:
            rows = session.execute(
                select(*[getattr(OutcomeEvent, c) for c in columns]).order_by(
                    OutcomeEvent.happened_on, OutcomeEvent.recorded_at, OutcomeEvent.id
                )
            ).all()
        return pd.DataFrame(rows, columns=columns)

    def outcome_labels(self) -> pd.DataFrame:
        """Labelled pairs for the evaluation (see :func:`labels_from`)."""
        return labels_from(self.outcome_history())

    # --- helpers ------------------------------------------------------------------------------
    @staticmethod
    def _get(session: Session, model: type, key: int):
        found = session.get(model, key)
        if found is None:
            what = {Shortlist: "Shortlist", Entry: "Shortlist entry"}.get(model, model.__name__)
            raise NotFoundError(
                f"{what} {key} does not exist (any more); someone may have removed it. Reload the page."
            )
        return found
