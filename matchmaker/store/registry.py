"""The shared profile registry: every agency's companies in the database, with versions.

An import (:meth:`Registry.import_profiles`) takes a validated profiles table (the caller reads and
validates the file, e.g. with :func:`matchmaker.io.profiles.load_profiles`) and writes it in one
transaction: a process killed half-way leaves the registry as it was. Rows are matched by ``id``:
a new id is *added*, an id of the importing agency with other content *changed* (a new version),
one with the same content *unchanged* (nothing is written, so importing a file twice changes
nothing), and an id another agency owns is *refused* (its row is left untouched; ids are unique
across the registry, so the matcher, shortlists and outcomes can name a company by its id).

An import can be reviewed (:meth:`Registry.review_import`) and undone (:meth:`Registry.undo_import`:
the companies it added are removed, those it changed get their previous version back). Erasure on
request (:meth:`Registry.erase_company`) removes a company from every table and keeps only a count
of its outcomes per status. :meth:`Registry.profiles` gives the registry as one profiles table for
the matcher; :meth:`Registry.fingerprint` changes exactly when that table's content may have.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, delete, insert, or_, select, update
from sqlalchemy.orm import Session

from matchmaker import vocab as V
from matchmaker.errors import ConflictError, NotFoundError, ParameterError
from matchmaker.store import audit
from matchmaker.store.accounts import DEMO_AGENCY, Accounts
from matchmaker.store.database import database_errors, get_or_missing, new_session
from matchmaker.store.permissions import Actor, Resource, can, require
from matchmaker.store.schema import (
    Agency,
    AuditEvent,
    Company,
    CompanyVersion,
    Entry,
    ErasedOutcome,
    Import,
    ImportItem,
    Introduction,
    OutcomeEvent,
    RegistryState,
    bump_revision,
    now,
)

# Columns the profile reader derives; recomputed from the stored row whenever it is read again.
DERIVED_COLUMNS = frozenset(
    {"row", V.CITY_KEY, V.NACE_DIVISION, V.FOCUS_KEYS, V.FOCUS_INFERRED, V.COOPERATION_KEYS, V.SIZE_BAND, V.TEXT}
)
CONTACT_COLUMNS = (V.CONTACT_NAME, V.CONTACT_EMAIL)
DEMO_SOURCE = "demo companies"  # the source of the shipped demo's import (the dashboard shows it translated)
AGENCY_COLUMN = "agency"  # added to Registry.profiles(): the owning agency's key
ACCEPTED = ("accepted", "contacted", "met", "agreement")  # introduction steps after the owner said yes
_CHUNK = 900  # ids per IN (...) query, below every database's parameter limit


@dataclass(frozen=True)
class ImportResult:
    """What an import (or its undo) did; ``refused`` pairs each id with the agency that owns it."""

    import_id: int
    agency: str
    added: tuple[str, ...]
    changed: tuple[str, ...]
    unchanged: tuple[str, ...]
    refused: tuple[tuple[str, str], ...] = ()

    @property
    def usable(self) -> int:
        """Rows that are now the agency's (added, changed or unchanged)."""
        return len(self.added) + len(self.changed) + len(self.unchanged)


@dataclass(frozen=True)
class ImportRecord:
    id: int
    agency: str
    author: str
    source: str
    created_at: dt.datetime
    added: int
    changed: int
    unchanged: int
    refused: int
    undone_at: dt.datetime | None


@dataclass(frozen=True)
class CompanyRecord:
    company_id: str
    agency: str
    country: str
    name: str
    version: int
    import_id: int | None
    updated_at: dt.datetime
    verified_at: dt.datetime


@dataclass(frozen=True)
class Contact:
    company_id: str
    name: str
    email: str


def profile_cells(row: dict) -> dict[str, str]:
    """A table row as stored: text cells, empty ones and derived columns left out."""
    cells = {}
    for column, value in row.items():
        if column in DERIVED_COLUMNS or value is None:
            continue
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, float) and math.isnan(value):
            continue
        elif isinstance(value, (list, tuple)):
            text = "; ".join(str(v) for v in value)
        else:
            text = str(value)
        if text.strip():
            cells[str(column)] = text
    return cells


def content_hash(cells: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(cells, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def months_before(at: dt.datetime, months: int) -> dt.datetime:
    """``at`` moved back by whole calendar months (the day clipped to the shorter month)."""
    year, month = divmod(at.year * 12 + at.month - 1 - months, 12)
    month += 1
    days = [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    return at.replace(year=year, month=month, day=min(at.day, days[month - 1]))


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _record(c: Company) -> CompanyRecord:
    return CompanyRecord(c.company_id, c.agency, c.country, c.name, c.version, c.import_id, c.updated_at, c.verified_at)


class Registry:
    """The shared registry behind ``engine``; ``verify_months``: after how many months without
    verification a profile is flagged (:meth:`stale`)."""

    def __init__(self, engine: Engine, verify_months: int = 12) -> None:
        self.engine = engine
        self.verify_months = verify_months

    # --- import --------------------------------------------------------------------------------
    def import_profiles(self, actor: Actor, agency: str, table: pd.DataFrame, source: str = "") -> ImportResult:
        """Write ``table`` (validated profiles: an ``id``, ``name`` and ``country`` per row) as
        ``agency``'s companies, all in one transaction (see the module docstring)."""
        require(actor, "company.write", Resource(agency=agency), what=f"the companies of agency '{agency}'")
        Accounts(self.engine).agency(agency)
        missing = [c for c in (V.ID, V.NAME, V.COUNTRY) if c not in table.columns]
        if missing:
            raise ParameterError(
                f"The profiles table lacks the column(s) {', '.join(missing)}. Validate the file first."
            )
        if table.empty:
            raise ParameterError("The profiles table has no companies; nothing to import.")
        rows: dict[str, dict[str, str]] = {}
        for record in table.to_dict("records"):
            cells = profile_cells(record)
            company_id = cells.get(V.ID, "")
            if not company_id or company_id in rows:
                raise ParameterError(
                    f"Every company needs its own id; got {'an empty' if not company_id else 'a repeated'} id "
                    f"{company_id!r}. Validate the file first (matchmaker validate FILE)."
                )
            rows[company_id] = cells
        ids = list(rows)
        at = now()
        with database_errors(self.engine, "save to"), new_session(self.engine) as session, session.begin():
            bump_revision(session)
            existing = {
                c.company_id: c
                for chunk in _chunks(ids)
                for c in session.execute(
                    select(Company.id, Company.company_id, Company.agency, Company.content_hash, Company.version).where(
                        Company.company_id.in_(chunk)
                    )
                )
            }
            added, changed, unchanged, refused = [], [], [], []
            for company_id, cells in rows.items():
                found = existing.get(company_id)
                if found is None:
                    added.append(company_id)
                elif found.agency != agency:
                    refused.append((company_id, found.agency))
                elif found.content_hash == content_hash(cells):
                    unchanged.append(company_id)
                else:
                    changed.append(company_id)
            batch = Import(
                agency=agency,
                author=actor.login,
                source=source[:500],
                created_at=at,
                added=len(added),
                changed=len(changed),
                unchanged=len(unchanged),
                refused=len(refused),
            )
            session.add(batch)
            session.flush()
            items = [{"import_id": batch.id, "company_id": i, "action": "added", "detail": ""} for i in added]
            items += [{"import_id": batch.id, "company_id": i, "action": "changed", "detail": ""} for i in changed]
            items += [{"import_id": batch.id, "company_id": i, "action": "unchanged", "detail": ""} for i in unchanged]
            items += [{"import_id": batch.id, "company_id": i, "action": "refused", "detail": o} for i, o in refused]
            session.execute(insert(ImportItem), items)

            def fields(company_id: str) -> dict:
                cells = rows[company_id]
                return {
                    "country": cells.get(V.COUNTRY, "")[:2],
                    "name": cells.get(V.NAME, "")[:500],
                    "profile": json.dumps(cells, ensure_ascii=False, sort_keys=True),
                    "content_hash": content_hash(cells),
                    "import_id": batch.id,
                    "updated_at": at,
                    "verified_at": at,
                }

            if added:
                session.execute(
                    insert(Company),
                    [{"company_id": i, "agency": agency, "version": 1, "created_at": at, **fields(i)} for i in added],
                )
            if changed:
                session.execute(
                    update(Company),
                    [{"id": existing[i].id, "version": existing[i].version + 1, **fields(i)} for i in changed],
                )
            versions = [(i, 1) for i in added] + [(i, existing[i].version + 1) for i in changed]
            if versions:
                session.execute(
                    insert(CompanyVersion),
                    [
                        {
                            "company_id": i,
                            "agency": agency,
                            "version": v,
                            "profile": fields(i)["profile"],
                            "content_hash": fields(i)["content_hash"],
                            "import_id": batch.id,
                            "recorded_at": at,
                        }
                        for i, v in versions
                    ],
                )
            detail = f"{source}: {len(added)} added, {len(changed)} changed, {len(unchanged)} unchanged, {len(refused)} refused"
            audit.record(session, actor, "import", "import", batch.id, detail)
        return ImportResult(batch.id, agency, tuple(added), tuple(changed), tuple(unchanged), tuple(refused))

    def imports(self, agency: str | None = None) -> list[ImportRecord]:
        """The imports, newest first (of one agency when given)."""
        with database_errors(self.engine, "read"), new_session(self.engine) as session:
            query = select(Import).order_by(Import.id.desc())
            if agency:
                query = query.where(Import.agency == agency)
            return [
                ImportRecord(
                    i.id,
                    i.agency,
                    i.author,
                    i.source,
                    i.created_at,
                    i.added,
                    i.changed,
                    i.unchanged,
                    i.refused,
                    i.undone_at,
                )
                for i in session.scalars(query)
            ]

    def review_import(self, import_id: int) -> pd.DataFrame:
        """What one import did: ``company_id, action (added|changed|unchanged|refused), detail``."""
        with database_errors(self.engine, "read"), new_session(self.engine) as session:
            self._import(session, import_id)
            rows = session.execute(
                select(ImportItem.company_id, ImportItem.action, ImportItem.detail)
                .where(ImportItem.import_id == import_id)
                .order_by(ImportItem.id)
            ).all()
        return pd.DataFrame(rows, columns=["company_id", "action", "detail"])

    def undo_import(self, actor: Actor, import_id: int) -> ImportResult:
        """Remove the companies ``import_id`` added and give those it changed their previous version.

        Refused (:class:`ConflictError`) when the import was undone already, or when a later import
        changed one of its companies (undo that one first)."""
        with database_errors(self.engine, "save to"), new_session(self.engine) as session, session.begin():
            batch = self._import(session, import_id)
            require(actor, "company.write", Resource(agency=batch.agency), what=f"import {import_id}")
            if batch.undone_at is not None:
                raise ConflictError(f"Import {import_id} was undone already ({batch.undone_at:%Y-%m-%d %H:%M} UTC).")
            bump_revision(session)
            items = session.execute(
                select(ImportItem.company_id, ImportItem.action).where(
                    ImportItem.import_id == import_id, ImportItem.action.in_(("added", "changed"))
                )
            ).all()
            current = {
                c.company_id: c
                for chunk in _chunks([i.company_id for i in items])
                for c in session.scalars(select(Company).where(Company.company_id.in_(chunk)))
            }
            later = sorted({c.import_id for c in current.values() if c.import_id != import_id and c.import_id})
            if later:
                raise ConflictError(
                    f"Import {import_id} cannot be undone: later imports ({', '.join(map(str, later))}) changed some of "
                    f"its companies. Undo those first (matchmaker import --undo {later[-1]})."
                )
            removed, restored = [], []
            for company_id, action in items:
                company = current.get(company_id)
                if company is None:  # erased since
                    continue
                session.execute(
                    delete(CompanyVersion).where(
                        CompanyVersion.company_id == company_id, CompanyVersion.import_id == import_id
                    )
                )
                if action == "added":
                    session.delete(company)
                    removed.append(company_id)
                    continue
                previous = session.scalars(
                    select(CompanyVersion)
                    .where(CompanyVersion.company_id == company_id, CompanyVersion.version < company.version)
                    .order_by(CompanyVersion.version.desc())
                ).first()
                if previous is None:
                    continue
                cells = json.loads(previous.profile)
                company.profile, company.content_hash, company.version = (
                    previous.profile,
                    previous.content_hash,
                    previous.version,
                )
                company.import_id, company.updated_at = previous.import_id, previous.recorded_at
                company.name, company.country = cells.get(V.NAME, "")[:500], cells.get(V.COUNTRY, "")[:2]
                restored.append(company_id)
            batch.undone_at, batch.undone_by = now(), actor.login
            audit.record(
                session, actor, "import.undo", "import", import_id, f"{len(removed)} removed, {len(restored)} restored"
            )
        return ImportResult(import_id, batch.agency, tuple(removed), tuple(restored), ())

    @staticmethod
    def _import(session: Session, import_id: int) -> Import:
        missing = f"There is no import {import_id}. `matchmaker imports` lists them."
        return get_or_missing(session, Import, import_id, missing)

    # --- reading -------------------------------------------------------------------------------
    def companies(self, agency: str | None = None) -> list[CompanyRecord]:
        with database_errors(self.engine, "read"), new_session(self.engine) as session:
            query = select(Company).order_by(Company.company_id)
            if agency:
                query = query.where(Company.agency == agency)
            return [_record(c) for c in session.scalars(query)]

    def company(self, company_id: str) -> CompanyRecord:
        with database_errors(self.engine, "read"), new_session(self.engine) as session:
            found = session.scalars(select(Company).where(Company.company_id == company_id)).first()
        if found is None:
            raise NotFoundError(
                f"There is no company '{company_id}' in the registry. Check the id (`matchmaker import` adds companies)."
            )
        return _record(found)

    def versions(self, company_id: str) -> pd.DataFrame:
        """Every stored version of a company: ``version, import_id, recorded_at`` and the profile's cells."""
        with database_errors(self.engine, "read"), new_session(self.engine) as session:
            found = session.scalars(
                select(CompanyVersion).where(CompanyVersion.company_id == company_id).order_by(CompanyVersion.version)
            ).all()
        return pd.DataFrame(
            [
                {"version": v.version, "import_id": v.import_id, "recorded_at": v.recorded_at, **json.loads(v.profile)}
                for v in found
            ]
        )

    def profiles(
        self, actor: Actor | None = None, *, include_demo: bool = True, include_hidden: bool = False
    ) -> pd.DataFrame:
        """Every company of the registry as one profiles table (contract columns, extras, and
        ``agency``), sorted by id, ready for ``Matcher.fit``. Contact name and e-mail are filled in only
        where ``actor`` may read them (:func:`~matchmaker.store.permissions.can` ``contact.read``),
        blank for everyone else and when ``actor`` is None."""
        with database_errors(self.engine, "read"), new_session(self.engine) as session:
            query = select(Company.profile, Company.agency).join(Agency, Agency.key == Company.agency)
            if not include_demo:
                query = query.where(Agency.key != DEMO_AGENCY)
            if not include_hidden:
                query = query.where(Agency.hidden.is_(False))
            rows = [{**json.loads(profile), AGENCY_COLUMN: agency} for profile, agency in session.execute(query)]
            introduced = self._introduced(session) if actor is not None else {}
        for row in rows:
            visible = actor is not None and can(
                actor,
                "contact.read",
                Resource(
                    agency=row[AGENCY_COLUMN],
                    contact_consent=_consented(row.get(V.CONTACT_CONSENT, "")),
                    introduced_to=introduced.get(row[V.ID], frozenset()),
                ),
            )
            if not visible:
                for column in CONTACT_COLUMNS:
                    row.pop(column, None)
        columns = [*V.REQUIRED_COLUMNS, *V.OPTIONAL_COLUMNS]
        extras = sorted({k for row in rows for k in row} - set(columns) - {AGENCY_COLUMN})
        frame = pd.DataFrame(rows, columns=[*columns, *extras, AGENCY_COLUMN]).fillna("")
        return frame.sort_values(V.ID, kind="stable").reset_index(drop=True)

    @staticmethod
    def _introduced(session: Session) -> dict[str, frozenset[str]]:
        """Per company id: the agencies that may see its contact through an accepted introduction."""
        found: dict[str, set[str]] = {}
        for source, target, a, b in session.execute(
            select(
                Introduction.source_id, Introduction.target_id, Introduction.from_agency, Introduction.to_agency
            ).where(Introduction.status.in_(ACCEPTED))
        ):
            found.setdefault(target, set()).add(a)
            found.setdefault(source, set()).add(b)
        return {k: frozenset(v) for k, v in found.items()}

    def contact(self, actor: Actor, company_id: str) -> Contact:
        """A company's contact, where ``actor`` may read it (else :class:`PermissionDeniedError`)."""
        with database_errors(self.engine, "read"), new_session(self.engine) as session:
            found = session.scalars(select(Company).where(Company.company_id == company_id)).first()
            if found is None:
                raise NotFoundError(f"There is no company '{company_id}' in the registry.")
            cells = json.loads(found.profile)
            resource = Resource(
                agency=found.agency,
                contact_consent=_consented(cells.get(V.CONTACT_CONSENT, "")),
                introduced_to=self._introduced(session).get(company_id, frozenset()),
            )
        require(actor, "contact.read", resource, what=f"the contact of {company_id}")
        return Contact(company_id, cells.get(V.CONTACT_NAME, ""), cells.get(V.CONTACT_EMAIL, ""))

    def fingerprint(self) -> str:
        """A short text that changes whenever the registry's content does (one indexed read): refit
        the matcher only when it differs from the one of the last fit."""
        with database_errors(self.engine, "read"), new_session(self.engine) as session:
            revision = session.scalar(select(RegistryState.revision).where(RegistryState.id == 1)) or 0
        return f"registry-r{revision}"

    def stale(
        self, months: int | None = None, agency: str | None = None, *, at: dt.datetime | None = None
    ) -> list[CompanyRecord]:
        """Companies not verified (imported with a change, or marked verified) for ``months``
        (default: this registry's ``verify_months``), the longest unverified first."""
        cutoff = months_before(at or now(), self.verify_months if months is None else months)
        with database_errors(self.engine, "read"), new_session(self.engine) as session:
            query = (
                select(Company).where(Company.verified_at < cutoff).order_by(Company.verified_at, Company.company_id)
            )
            if agency:
                query = query.where(Company.agency == agency)
            return [_record(c) for c in session.scalars(query)]

    def mark_verified(self, actor: Actor, company_ids: Iterable[str], *, at: dt.datetime | None = None) -> int:
        """Record that the owning agency checked these profiles today; returns how many."""
        ids = list(dict.fromkeys(company_ids))
        with database_errors(self.engine, "save to"), new_session(self.engine) as session, session.begin():
            found = {
                c.company_id: c
                for chunk in _chunks(ids)
                for c in session.scalars(select(Company).where(Company.company_id.in_(chunk)))
            }
            unknown = [i for i in ids if i not in found]
            if unknown:
                raise NotFoundError(f"Not in the registry: {', '.join(unknown[:10])}. Check the ids.")
            for company in found.values():
                require(actor, "company.write", Resource(agency=company.agency), what=company.company_id)
                company.verified_at = at or now()
            audit.record(session, actor, "company.verify", "company", "", f"{len(found)} companies")
        return len(found)

    # --- erasure -------------------------------------------------------------------------------
    def erase_company(self, actor: Actor, company_id: str) -> dict[str, int]:
        """Remove a company and everything that names it: its profile and versions, import records,
        shortlist entries, introductions and outcomes (counted per status in ``erased_outcomes``),
        and its name, id and contacts from notes and the audit log. Returns rows removed per table."""
        with database_errors(self.engine, "save to"), new_session(self.engine) as session, session.begin():
            company = session.scalars(select(Company).where(Company.company_id == company_id)).first()
            if company is None:
                raise NotFoundError(f"There is no company '{company_id}' in the registry (erased already?).")
            require(actor, "company.erase", Resource(agency=company.agency), what=company_id)
            bump_revision(session)
            agency, cells = company.agency, json.loads(company.profile)
            versions = session.scalars(
                select(CompanyVersion.profile).where(CompanyVersion.company_id == company_id)
            ).all()
            terms = _identifying_terms([cells, *map(json.loads, versions)])
            removed: dict[str, int] = {}
            pair = or_(OutcomeEvent.de_id == company_id, OutcomeEvent.cn_id == company_id)
            for (status,) in session.execute(select(OutcomeEvent.status).where(pair)):
                counted = session.get(ErasedOutcome, status)
                if counted is None:
                    session.add(ErasedOutcome(status=status, count=1))
                    session.flush()
                else:
                    counted.count += 1
            for table, condition in (
                (OutcomeEvent, pair),
                (Introduction, or_(Introduction.source_id == company_id, Introduction.target_id == company_id)),
                (Entry, or_(Entry.source_id == company_id, Entry.target_id == company_id)),
                (ImportItem, ImportItem.company_id == company_id),
                (CompanyVersion, CompanyVersion.company_id == company_id),
                (Company, Company.company_id == company_id),
            ):
                removed[table.__tablename__] = session.execute(delete(table).where(condition)).rowcount or 0
            removed["scrubbed"] = _scrub(session, company_id, terms)
            audit.record(session, actor, "company.erase", "company", "", f"a company of agency {agency} erased")
        return removed

    def seed_demo(self, actor: Actor, table: pd.DataFrame) -> ImportResult | None:
        """Put the demo companies into the registry as agency "demo", once (on first start): None
        when the demo agency existed already (hidden or not; erased demo companies stay erased)."""
        _, created = Accounts(self.engine).ensure_demo_agency(actor)
        if not created:
            return None
        return self.import_profiles(actor, DEMO_AGENCY, table, source=DEMO_SOURCE)


def _consented(value: str) -> bool:
    return str(value).strip().lower() in ("true", "1", "yes", "ja", "是", "y", "x")


def _identifying_terms(profiles: list[dict[str, str]]) -> list[str]:
    columns = (V.NAME, V.NAME_LOCAL, V.NAME_EN, V.CONTACT_NAME, V.CONTACT_EMAIL)
    return sorted({p[c] for p in profiles for c in columns if len(p.get(c, "").strip()) >= 3}, key=len, reverse=True)


def _scrub(session: Session, company_id: str, terms: list[str]) -> int:
    """Replace the company's id (as a whole word), names and contacts in free-text cells."""
    erased = "(erased)"
    id_pattern = re.compile(rf"(?<![\w-]){re.escape(company_id)}(?![\w-])")
    changed = 0
    for model, columns in (
        (Entry, ("note", "source_name", "target_name")),
        (OutcomeEvent, ("note",)),
        (Introduction, ("message", "answer_note")),
        (AuditEvent, ("detail", "resource_id")),
    ):
        for column in columns:
            attribute = getattr(model, column)
            needles = [company_id, *terms]
            like = or_(*[attribute.contains(n, autoescape=True) for n in needles])
            for key, text in session.execute(select(model.id, attribute).where(like)).all():
                cleaned = id_pattern.sub(erased, text)
                for term in terms:
                    cleaned = cleaned.replace(term, erased)
                if cleaned != text:
                    session.execute(update(model).where(model.id == key).values({column: cleaned}))
                    changed += 1
    return changed
