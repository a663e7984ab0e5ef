"""Shortlists and their suggestions, with notes, authors and dates.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shortlists",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("author", sa.String(120), nullable=False, server_default=""),
        sa.Column("dataset", sa.String(200), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    )
    op.create_table(
        "shortlist_entries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("shortlist_id", sa.Integer, sa.ForeignKey("shortlists.id", ondelete="CASCADE"), nullable=False),
        sa.Column("source_id", sa.String(200), nullable=False),
        sa.Column("target_id", sa.String(200), nullable=False),
        sa.Column("source_name", sa.String(500), nullable=False, server_default=""),
        sa.Column("target_name", sa.String(500), nullable=False, server_default=""),
        sa.Column("score", sa.Float, nullable=True),
        sa.Column("model", sa.String(200), nullable=False, server_default=""),
        sa.Column("weights_version", sa.String(200), nullable=False, server_default=""),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("author", sa.String(120), nullable=False, server_default=""),
        sa.Column("added_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.UniqueConstraint("shortlist_id", "source_id", "target_id", name="uq_entry_pair"),
    )
    op.create_index("ix_entries_shortlist", "shortlist_entries", ["shortlist_id"])


def downgrade() -> None:
    op.drop_index("ix_entries_shortlist", table_name="shortlist_entries")
    op.drop_table("shortlist_entries")
    op.drop_table("shortlists")
