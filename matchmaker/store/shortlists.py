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
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from matchmaker import vocab as V
from matchmaker.errors import ConflictError, NotFoundError, ParameterError
from matchmaker.store import audit
from matchmaker.store.database import database_errors, get_or_missing, new_session
from matchmaker.store.permissions import Actor, Resource, can, require
from matchmaker.store.schema import Base, Entry, Introduction, OutcomeEvent, Shortlist, ShortlistShare, now

__all__ = ["Base", "ShortlistStore", "ShortlistRecord", "EntryRecord", "STATUSES", "labels_from", "latest_steps"]

Status = Literal["suggested", "contacted", "met", "agreement", "declined"]
STATUSES: tuple[Status, ...] = get_args(Status)
# "accepted": the partner's agency agreed to an introduction (matchmaker.store.introductions), as
# strong a sign as a first contact; "proposed", like "suggested", is no judgement yet.
GRADE_OF_STATUS: dict[str, int] = {"agreement": 3, "met": 2, "contacted": 1, "accepted": 1, "declined": 0}
LABEL_COLUMNS = (V.DE_ID, V.CN_ID, V.GRADE, "outcome", "happened_on", "note", "author")


def _now() -> dt.datetime:
    return now()


@dataclass(frozen=True)
class ShortlistRecord:
    id: int
    name: str
    author: str
    dataset: str
    created_at: dt.datetime
    updated_at: dt.datetime
    entries: int
    owner: str | None = None  # None with agency None: a shortlist of the local mode
    agency: str | None = None
    shared_with: tuple[str, ...] = ()

    def resource(self) -> Resource:
        """What the permission checks need to know about this shortlist."""
        return Resource(agency=self.agency, owner=self.owner, shared_with=frozenset(self.shared_with))


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
    """Shortlists and outcomes in the database behind ``engine`` (see :mod:`matchmaker.store.database`),
    as ``actor`` sees them (default: the single-user local mode, which sees and changes everything).

    A signed-in user's new shortlist belongs to that user and agency; the agency reads it, the owner
    (and the agency's admin) changes it, another agency reads it only once it is shared with it
    (:meth:`share`). Every change is written to the audit log.

    >>> store = ShortlistStore.open("sqlite:///shortlists.sqlite")
    >>> trip = store.create_shortlist("Delegation Foshan, May", author="A. Weber")
    >>> store.add_entry(trip.id, "DE0001", "CN0042", author="A. Weber", score=0.71)
    """

    def __init__(self, engine, actor: Actor | None = None) -> None:
        self.engine = engine
        self.actor = actor or Actor.local_mode()

    @classmethod
    def open(cls, url: str, actor: Actor | None = None) -> ShortlistStore:
        from matchmaker.store.database import open_database

        return cls(open_database(url), actor)

    def _require(self, session: Session, shortlist: Shortlist, action: str) -> None:
        shared = frozenset(
            session.scalars(select(ShortlistShare.agency).where(ShortlistShare.shortlist_id == shortlist.id))
        )
        resource = Resource(agency=shortlist.agency, owner=shortlist.owner, shared_with=shared)
        require(self.actor, action, resource, what=f"shortlist {shortlist.id} ('{shortlist.name}')")  # type: ignore[arg-type]

    def _audit(self, session: Session, action: str, resource_id: object, detail: str = "") -> None:
        audit.record(session, self.actor, action, "shortlist", resource_id, detail)

    # --- shortlists ---------------------------------------------------------------------------
    @_guarded("save to")
    def create_shortlist(self, name: str, author: str = "", dataset: str = "") -> ShortlistRecord:
        name = _text(name, "shortlist name", 200).strip()
        if not name:
            raise ParameterError(
                "A shortlist needs a name. Got an empty name; type one, e.g. 'Delegation Foshan, May'."
            )
        require(self.actor, "shortlist.create", what="a shortlist")
        now = _now()
        owner, agency = (None, None) if self.actor.local else (self.actor.login, self.actor.agency)
        with new_session(self.engine) as session, session.begin():
            shortlist = Shortlist(
                name=name,
                author=_text(author, "author", 120),
                dataset=_text(dataset, "dataset", 200),
                created_at=now,
                updated_at=now,
                owner=owner,
                agency=agency,
            )
            session.add(shortlist)
            session.flush()
            self._audit(session, "shortlist.create", shortlist.id)
            return ShortlistRecord(
                shortlist.id, shortlist.name, shortlist.author, shortlist.dataset, now, now, 0, owner, agency
            )

    @_guarded("read")
    def shortlists(self) -> list[ShortlistRecord]:
        """The shortlists the actor may read, the most recently changed first."""
        counts = select(Entry.shortlist_id, func.count(Entry.id).label("n")).group_by(Entry.shortlist_id).subquery()
        query = (
            select(Shortlist, func.coalesce(counts.c.n, 0))
            .outerjoin(counts, counts.c.shortlist_id == Shortlist.id)
            .order_by(Shortlist.updated_at.desc(), Shortlist.id.desc())
        )
        with new_session(self.engine) as session:
            shares: dict[int, list[str]] = {}
            for shortlist_id, agency in session.execute(select(ShortlistShare.shortlist_id, ShortlistShare.agency)):
                shares.setdefault(shortlist_id, []).append(agency)
            records = [
                ShortlistRecord(
                    s.id,
                    s.name,
                    s.author,
                    s.dataset,
                    s.created_at,
                    s.updated_at,
                    n,
                    s.owner,
                    s.agency,
                    tuple(sorted(shares.get(s.id, ()))),
                )
                for s, n in session.execute(query)
            ]
        return [r for r in records if can(self.actor, "shortlist.read", r.resource())]

    def shortlist(self, shortlist_id: int) -> ShortlistRecord:
        for record in self.shortlists():
            if record.id == shortlist_id:
                return record
        with new_session(self.engine) as session:
            found = session.get(Shortlist, shortlist_id)
            if found is not None:  # there, but not the actor's to read
                self._require(session, found, "shortlist.read")
        raise NotFoundError(
            f"Shortlist {shortlist_id} does not exist (any more). Pick one of the saved shortlists (`matchmaker shortlists` lists them)."
        )

    @_guarded("save to")
    def rename_shortlist(self, shortlist_id: int, name: str) -> None:
        name = _text(name, "shortlist name", 200).strip()
        if not name:
            raise ParameterError("A shortlist needs a name. Got an empty name.")
        with new_session(self.engine) as session, session.begin():
            shortlist = self._get(session, Shortlist, shortlist_id)
            self._require(session, shortlist, "shortlist.write")
            shortlist.name, shortlist.updated_at = name, _now()
            self._audit(session, "shortlist.rename", shortlist_id)

    @_guarded("save to")
    def delete_shortlist(self, shortlist_id: int) -> None:
        """Delete a shortlist and its entries; recorded outcomes stay (they belong to the pairs)."""
        with new_session(self.engine) as session, session.begin():
            shortlist = self._get(session, Shortlist, shortlist_id)
            self._require(session, shortlist, "shortlist.write")
            session.delete(shortlist)
            self._audit(session, "shortlist.delete", shortlist_id)

    @_guarded("save to")
    def share(self, shortlist_id: int, agency: str, shared: bool = True) -> None:
        """Let ``agency`` read the shortlist (``shared=False``: no longer)."""
        with new_session(self.engine) as session, session.begin():
            shortlist = self._get(session, Shortlist, shortlist_id)
            self._require(session, shortlist, "shortlist.write")
            session.execute(
                delete(ShortlistShare).where(
                    ShortlistShare.shortlist_id == shortlist_id, ShortlistShare.agency == agency
                )
            )
            if shared:
                session.add(ShortlistShare(shortlist_id=shortlist_id, agency=agency))
            self._audit(session, "shortlist.share" if shared else "shortlist.unshare", shortlist_id, f"agency {agency}")

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
            with new_session(self.engine) as session, session.begin():
                shortlist = self._get(session, Shortlist, shortlist_id)
                self._require(session, shortlist, "shortlist.write")
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
                self._audit(session, "shortlist.add", shortlist_id, f"{entry.source_id} -> {entry.target_id}")
                return _entry_record(entry)
        except IntegrityError:
            with new_session(self.engine) as session:
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
        with new_session(self.engine) as session:
            self._require(session, self._get(session, Shortlist, shortlist_id), "shortlist.read")
            return [
                _entry_record(e)
                for e in session.scalars(select(Entry).where(Entry.shortlist_id == shortlist_id).order_by(Entry.id))
            ]

    @_guarded("save to")
    def update_note(self, entry_id: int, note: str, expected_version: int, author: str = "") -> EntryRecord:
        """Save ``note`` if the entry is still at ``expected_version``; else :class:`ConflictError`."""
        note = _text(note, "note", 20_000)
        try:
            with new_session(self.engine) as session, session.begin():
                entry = self._get(session, Entry, entry_id)
                self._require(session, entry.shortlist, "shortlist.write")
                if entry.version != expected_version:
                    raise ConflictError(self._conflict(entry))
                entry.note, entry.updated_at = note, _now()
                if author:
                    entry.author = _text(author, "author", 120)
                session.flush()
                self._audit(session, "shortlist.note", entry.shortlist_id, f"entry {entry_id}")
                return _entry_record(entry)
        except StaleDataError:
            with new_session(self.engine) as session:
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
        with new_session(self.engine) as session, session.begin():
            entry = self._get(session, Entry, entry_id)
            self._require(session, entry.shortlist, "shortlist.write")
            session.delete(entry)
            self._audit(session, "shortlist.remove", entry.shortlist_id, f"entry {entry_id}")

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
        with new_session(self.engine) as session, session.begin():
            if shortlist_id is not None:
                self._require(session, self._get(session, Shortlist, shortlist_id), "shortlist.write")
            else:
                require(self.actor, "shortlist.create", what="an outcome")
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
            audit.record(
                session, self.actor, "outcome.record", "outcome", event.id, f"{event.de_id} -> {event.cn_id}: {status}"
            )
            return event.id

    @_guarded("read")
    def outcome_history(self) -> pd.DataFrame:
        """Every recorded step the actor may read, oldest first: de_id, cn_id, status, happened_on,
        note, author, recorded_at, shortlist_id. A step belongs to a shortlist (readable as the
        shortlist is) or to an introduction (readable by its two agencies); the local mode and an
        alliance admin read every step; a step recorded outside both (e.g. by the command line)
        stays readable by everyone, as before accounts existed."""
        columns = ["id", V.DE_ID, V.CN_ID, "status", "happened_on", "note", "author", "recorded_at", "shortlist_id"]
        with new_session(self.engine) as session:
            rows = session.execute(
                select(*[getattr(OutcomeEvent, c) for c in columns], Introduction.from_agency, Introduction.to_agency)
                .outerjoin(Introduction, Introduction.id == OutcomeEvent.introduction_id)
                .order_by(OutcomeEvent.happened_on, OutcomeEvent.recorded_at, OutcomeEvent.id)
            ).all()
        everything = self.actor.local or self.actor.role == "alliance-admin"
        readable = None if everything else {record.id for record in self.shortlists()}
        shown = [
            row[: len(columns)]
            for row in rows
            if readable is None
            or row[len(columns) - 1] in readable
            or self.actor.agency in (row[len(columns)], row[len(columns) + 1])
            or (row[len(columns) - 1] is None and row[len(columns)] is None)
        ]
        return pd.DataFrame(shown, columns=columns)

    def outcome_labels(self) -> pd.DataFrame:
        """Labelled pairs for the evaluation (see :func:`labels_from`)."""
        return labels_from(self.outcome_history())

    # --- helpers ------------------------------------------------------------------------------
    @staticmethod
    def _get(session: Session, model: type, key: int):
        what = {Shortlist: "Shortlist", Entry: "Shortlist entry"}.get(model, model.__name__)
        missing = f"{what} {key} does not exist (any more); someone may have removed it. Reload the page."
        return get_or_missing(session, model, key, missing)
