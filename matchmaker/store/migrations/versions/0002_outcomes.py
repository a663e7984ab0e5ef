"""Outcomes per German-Chinese pair: suggested -> contacted -> met -> agreement, or declined.

Every recorded step is kept (an event log), so the history of a pair is never overwritten.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

STATUSES = ("suggested", "contacted", "met", "agreement", "declined")


def upgrade() -> None:
    op.create_table(
        "outcome_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("de_id", sa.String(200), nullable=False),
        sa.Column("cn_id", sa.String(200), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("happened_on", sa.Date, nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("author", sa.String(120), nullable=False, server_default=""),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
        sa.Column("shortlist_id", sa.Integer, sa.ForeignKey("shortlists.id", ondelete="SET NULL"), nullable=True),
        sa.CheckConstraint("status IN ('" + "', '".join(STATUSES) + "')", name="ck_outcome_status"),
    )
    op.create_index("ix_outcomes_pair", "outcome_events", ["de_id", "cn_id"])


def downgrade() -> None:
    op.drop_index("ix_outcomes_pair", table_name="outcome_events")
    op.drop_table("outcome_events")
