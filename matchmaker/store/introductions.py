"""Introductions with consent on both sides.

Agency A proposes introducing its company to company X of agency B with a short message
(:func:`message_template` gives the bilingual text to start from); B accepts or declines with a
note; after that either agency records the next steps (contacted, met, agreement). Every step is
also an outcome event of the German-Chinese pair, so it feeds the labelled pairs
(:func:`matchmaker.store.shortlists.labels_from`). Contacts become visible to both agencies only
once B accepted, and only for companies whose ``contact_consent`` is true
(:meth:`matchmaker.store.registry.Registry.contact`). Each step can notify the other agency by
e-mail (:class:`~matchmaker.store.notify.Notifier`), in that agency's language.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Engine, func, or_, select
from sqlalchemy.orm import Session

from matchmaker import vocab as V
from matchmaker.errors import ConflictError, NotFoundError, ParameterError
from matchmaker.i18n import t
from matchmaker.store import audit
from matchmaker.store.database import database_errors, get_or_missing, new_session
from matchmaker.store.notify import Notifier
from matchmaker.store.permissions import Actor, Resource, require
from matchmaker.store.schema import Agency, Company, Introduction, OutcomeEvent, now

Step = Literal["contacted", "met", "agreement"]
STEPS: tuple[Step, ...] = ("contacted", "met", "agreement")
OPEN = ("proposed", "accepted", "contacted", "met")  # a new proposal for the pair waits until these end


@dataclass(frozen=True)
class IntroductionRecord:
    id: int
    from_agency: str
    to_agency: str
    source_id: str
    target_id: str
    message: str
    status: str
    answer_note: str
    score: float | None
    details: dict
    proposed_by: str
    proposed_at: dt.datetime
    answered_by: str
    answered_at: dt.datetime | None


def _record(i: Introduction) -> IntroductionRecord:
    return IntroductionRecord(
        i.id,
        i.from_agency,
        i.to_agency,
        i.source_id,
        i.target_id,
        i.message,
        i.status,
        i.answer_note,
        i.score,
        json.loads(i.details) if i.details else {},
        i.proposed_by,
        i.proposed_at,
        i.answered_by,
        i.answered_at,
    )


def language_of(country: str) -> V.Language:
    """The language an agency reads its notifications in: German for DE, Chinese for CN, else English."""
    return {"DE": "de", "CN": "zh"}.get(country, "en")  # type: ignore[return-value]


def message_template(source_name: str, target_name: str, languages: tuple[V.Language, V.Language]) -> str:
    """The proposal's starting text in both agencies' languages (one after the other)."""
    texts = [
        t("platform.introduction.template", lang, source=source_name, target=target_name)
        for lang in dict.fromkeys(languages)
    ]
    return "\n\n".join(texts)


class Introductions:
    """Introductions between agencies in the database behind ``engine``."""

    def __init__(self, engine: Engine, notifier: Notifier | None = None) -> None:
        self.engine = engine
        self.notifier = notifier or Notifier(None)

    def propose(
        self,
        actor: Actor,
        source_id: str,
        target_id: str,
        message: str,
        *,
        score: float | None = None,
        details: dict | None = None,
    ) -> IntroductionRecord:
        """Agency of ``source_id`` proposes meeting ``target_id``'s agency; ``details``: what the
        dashboard shows the other side (score components, reasons), as JSON-able values."""
        message = (message or "").strip()
        if not message or len(message) > 5000:
            raise ParameterError(f"A proposal needs a message of 1 to 5000 characters. Got {len(message)}.")
        at = now()
        with database_errors(self.engine, "save to"), new_session(self.engine) as session, session.begin():
            source, target = self._company(session, source_id), self._company(session, target_id)
            require(actor, "introduction.propose", Resource(agency=source.agency), what=f"for {source_id}")
            if source.agency == target.agency:
                raise ParameterError(
                    f"{source_id} and {target_id} both belong to agency '{source.agency}'; no introduction is needed."
                )
            if {source.country, target.country} != set(V.COUNTRIES):
                raise ParameterError(
                    f"An introduction pairs a German and a Chinese company. Got {source.country} and {target.country}."
                )
            pending = session.scalars(
                select(Introduction.id).where(
                    or_(
                        (Introduction.source_id == source_id) & (Introduction.target_id == target_id),
                        (Introduction.source_id == target_id) & (Introduction.target_id == source_id),
                    ),
                    Introduction.status.in_(OPEN),
                )
            ).first()
            if pending is not None:
                raise ConflictError(
                    f"Introduction {pending} between {source_id} and {target_id} is still open; answer or continue it."
                )
            intro = Introduction(
                from_agency=source.agency,
                to_agency=target.agency,
                source_id=source_id,
                target_id=target_id,
                message=message,
                status="proposed",
                score=None if score is None else float(score),
                details=json.dumps(details or {}, ensure_ascii=False, default=str),
                proposed_by=actor.login,
                proposed_at=at,
                updated_at=at,
            )
            session.add(intro)
            session.flush()
            self._outcome(session, intro, "proposed", message[:200], actor)
            audit.record(
                session, actor, "introduction.propose", "introduction", intro.id, f"{source_id} -> {target_id}"
            )
            record = _record(intro)
        self._notify(record.to_agency, "proposed", record)
        return record

    def answer(self, actor: Actor, introduction_id: int, accept: bool, note: str = "") -> IntroductionRecord:
        """The receiving agency accepts or declines a proposal (with a note)."""
        with database_errors(self.engine, "save to"), new_session(self.engine) as session, session.begin():
            intro = self._get(session, introduction_id)
            require(
                actor, "introduction.answer", Resource(agency=intro.to_agency), what=f"introduction {introduction_id}"
            )
            if intro.status != "proposed":
                raise ConflictError(f"Introduction {introduction_id} was answered already ({intro.status}).")
            intro.status = "accepted" if accept else "declined"
            intro.answer_note, intro.answered_by = (note or "")[:5000], actor.login
            intro.answered_at = intro.updated_at = now()
            self._outcome(session, intro, intro.status, intro.answer_note, actor)
            audit.record(
                session,
                actor,
                f"introduction.{intro.status}",
                "introduction",
                intro.id,
                f"{intro.source_id} -> {intro.target_id}",
            )
            record = _record(intro)
        self._notify(record.from_agency, record.status, record)
        return record

    def progress(
        self, actor: Actor, introduction_id: int, step: str, note: str = "", happened_on: dt.date | None = None
    ) -> IntroductionRecord:
        """Record the next step of an accepted introduction: contacted, met or agreement."""
        if step not in STEPS:
            raise ParameterError(f"Unknown step {step!r}. Valid steps after acceptance: {', '.join(STEPS)}.")
        with database_errors(self.engine, "save to"), new_session(self.engine) as session, session.begin():
            intro = self._get(session, introduction_id)
            resource = Resource(agency=intro.from_agency, shared_with=frozenset({intro.to_agency}))
            require(actor, "introduction.progress", resource, what=f"introduction {introduction_id}")
            if intro.status not in ("accepted", *STEPS):
                raise ConflictError(
                    f"Introduction {introduction_id} is {intro.status}; steps follow only an accepted one."
                )
            intro.status, intro.updated_at = step, now()
            self._outcome(session, intro, step, note, actor, happened_on)
            audit.record(
                session,
                actor,
                f"introduction.{step}",
                "introduction",
                intro.id,
                f"{intro.source_id} -> {intro.target_id}",
            )
            return _record(intro)

    def list(self, actor: Actor, direction: Literal["incoming", "outgoing", "all"] = "all") -> list[IntroductionRecord]:
        """The actor's agency's introductions (every one in the local mode), newest first."""
        with database_errors(self.engine, "read"), new_session(self.engine) as session:
            query = select(Introduction).order_by(Introduction.id.desc())
            if not actor.local:
                incoming, outgoing = Introduction.to_agency == actor.agency, Introduction.from_agency == actor.agency
                query = query.where(
                    {"incoming": incoming, "outgoing": outgoing}.get(direction, or_(incoming, outgoing))
                )
            return [_record(i) for i in session.scalars(query)]

    def get(self, actor: Actor, introduction_id: int) -> IntroductionRecord:
        with database_errors(self.engine, "read"), new_session(self.engine) as session:
            intro = self._get(session, introduction_id)
        resource = Resource(agency=intro.from_agency, shared_with=frozenset({intro.to_agency}))
        require(actor, "introduction.read", resource, what=f"introduction {introduction_id}")
        return _record(intro)

    def open_count(self, agency: str) -> int:
        """Proposals waiting for ``agency``'s answer (the sidebar's count)."""
        with database_errors(self.engine, "read"), new_session(self.engine) as session:
            return (
                session.scalar(
                    select(func.count(Introduction.id)).where(
                        Introduction.to_agency == agency, Introduction.status == "proposed"
                    )
                )
                or 0
            )

    # --- helpers --------------------------------------------------------------------------------
    @staticmethod
    def _company(session: Session, company_id: str) -> Company:
        found = session.scalars(select(Company).where(Company.company_id == company_id)).first()
        if found is None:
            raise NotFoundError(f"There is no company '{company_id}' in the registry. Check the id.")
        return found

    @staticmethod
    def _get(session: Session, introduction_id: int) -> Introduction:
        missing = f"There is no introduction {introduction_id}. `matchmaker introductions` lists them."
        return get_or_missing(session, Introduction, introduction_id, missing)

    def _outcome(
        self, session, intro: Introduction, status: str, note: str, actor: Actor, on: dt.date | None = None
    ) -> None:
        countries = dict(
            session.execute(
                select(Company.company_id, Company.country).where(
                    Company.company_id.in_((intro.source_id, intro.target_id))
                )
            ).all()
        )
        de, cn = (
            (intro.source_id, intro.target_id)
            if countries.get(intro.source_id) == "DE"
            else (intro.target_id, intro.source_id)
        )
        session.add(
            OutcomeEvent(
                de_id=de,
                cn_id=cn,
                status=status,
                happened_on=on or dt.date.today(),
                note=(note or "")[:20_000],
                author=actor.login,
                recorded_at=now(),
                introduction_id=intro.id,
            )
        )

    def _notify(self, agency_key: str, status: str, record: IntroductionRecord) -> bool:
        with database_errors(self.engine, "read"), new_session(self.engine) as session:
            agency = session.scalars(select(Agency).where(Agency.key == agency_key)).first()
        if agency is None or not agency.email:
            return False
        language = language_of(agency.country)
        params = {
            "id": record.id,
            "source": record.source_id,
            "target": record.target_id,
            "from": record.from_agency,
            "to": record.to_agency,
            "note": record.answer_note or "-",
            "message": record.message,
        }
        subject = t(f"platform.notify.{status}_subject", language, **params)
        body = t(f"platform.notify.{status}_body", language, **params)
        return self.notifier.send(agency.email, subject, body)
