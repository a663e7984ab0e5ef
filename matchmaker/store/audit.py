"""Who changed what, and when: one row per change, written in the transaction of the change.

:func:`record` is called by every writing method of the store; :func:`audit_log` reads the table
for the alliance admin (``matchmaker audit --out FILE.csv``). Details never carry profile text or
contacts, only ids and counts, so erasing a company only has to blank its id here.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from matchmaker.store.database import database_errors
from matchmaker.store.permissions import Actor, require
from matchmaker.store.schema import AuditEvent, now

AUDIT_COLUMNS = ("id", "at", "actor", "agency", "action", "resource", "resource_id", "detail")


def record(
    session: Session, actor: Actor, action: str, resource: str, resource_id: object = "", detail: str = ""
) -> None:
    """Add one audit row to ``session`` (committed with the change it describes)."""
    session.add(
        AuditEvent(
            at=now(),
            actor=actor.login[:120],
            agency=(actor.agency or "")[:40],
            action=action[:60],
            resource=resource[:60],
            resource_id=str(resource_id)[:200],
            detail=detail,
        )
    )


def audit_log(engine: Engine, actor: Actor) -> pd.DataFrame:
    """Every audit row, oldest first (``AUDIT_COLUMNS``); needs ``audit.read`` (alliance admin)."""
    require(actor, "audit.read", what="the audit log")
    with database_errors(engine, "read"), Session(engine) as session:
        rows = session.execute(select(*[getattr(AuditEvent, c) for c in AUDIT_COLUMNS]).order_by(AuditEvent.id)).all()
    return pd.DataFrame(rows, columns=list(AUDIT_COLUMNS))
