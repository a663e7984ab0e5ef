"""The alliance platform: agencies, users and sessions; the shared profile registry (companies,
versions, imports); the audit log; introductions; shortlists with an owner and an agency.

Shortlists from before get neither: they are the single-user local mode's (see permissions).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

OLD_STATUSES = ("suggested", "contacted", "met", "agreement", "declined")
STATUSES = (*OLD_STATUSES, "proposed", "accepted")
INTRODUCTION_STATUSES = ("proposed", "accepted", "declined", "contacted", "met", "agreement", "withdrawn")
ROLES = ("viewer", "editor", "agency-admin", "alliance-admin")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ('" + "', '".join(values) + "')"


def upgrade() -> None:
    op.create_table(
        "agencies",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(40), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_de", sa.String(200), nullable=False, server_default=""),
        sa.Column("name_zh", sa.String(200), nullable=False, server_default=""),
        sa.Column("name_en", sa.String(200), nullable=False, server_default=""),
        sa.Column("country", sa.String(2), nullable=False, server_default=""),
        sa.Column("city", sa.String(200), nullable=False, server_default=""),
        sa.Column("email", sa.String(320), nullable=False, server_default=""),
        sa.Column("hidden", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.CheckConstraint(_in("country", ("DE", "CN", "")), name="ck_agency_country"),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("login", sa.String(120), nullable=False, unique=True),
        sa.Column("agency", sa.String(40), sa.ForeignKey("agencies.key"), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("password_hash", sa.String(300), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("failed_sign_ins", sa.Integer, nullable=False, server_default="0"),
        sa.Column("locked_until", sa.DateTime, nullable=True),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.CheckConstraint(_in("role", ROLES), name="ck_user_role"),
    )
    op.create_table(
        "user_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("login", sa.String(120), sa.ForeignKey("users.login", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_sessions_login", "user_sessions", ["login"])
    op.create_table(
        "imports",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("agency", sa.String(40), sa.ForeignKey("agencies.key"), nullable=False),
        sa.Column("author", sa.String(120), nullable=False, server_default=""),
        sa.Column("source", sa.String(500), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("added", sa.Integer, nullable=False, server_default="0"),
        sa.Column("changed", sa.Integer, nullable=False, server_default="0"),
        sa.Column("unchanged", sa.Integer, nullable=False, server_default="0"),
        sa.Column("refused", sa.Integer, nullable=False, server_default="0"),
        sa.Column("undone_at", sa.DateTime, nullable=True),
        sa.Column("undone_by", sa.String(120), nullable=False, server_default=""),
    )
    op.create_table(
        "import_items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("import_id", sa.Integer, sa.ForeignKey("imports.id", ondelete="CASCADE"), nullable=False),
        sa.Column("company_id", sa.String(200), nullable=False),
        sa.Column("action", sa.String(10), nullable=False),
        sa.Column("detail", sa.String(200), nullable=False, server_default=""),
        sa.CheckConstraint(_in("action", ("added", "changed", "unchanged", "refused")), name="ck_import_action"),
    )
    op.create_index("ix_import_items_import", "import_items", ["import_id"])
    op.create_index("ix_import_items_company", "import_items", ["company_id"])
    op.create_table(
        "companies",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("company_id", sa.String(200), nullable=False, unique=True),
        sa.Column("agency", sa.String(40), sa.ForeignKey("agencies.key"), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("profile", sa.Text, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("import_id", sa.Integer, sa.ForeignKey("imports.id", ondelete="SET NULL"), nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("verified_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_companies_agency", "companies", ["agency"])
    op.create_table(
        "company_versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("company_id", sa.String(200), nullable=False),
        sa.Column("agency", sa.String(40), sa.ForeignKey("agencies.key"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("profile", sa.Text, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("import_id", sa.Integer, sa.ForeignKey("imports.id", ondelete="SET NULL"), nullable=True),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("company_id", "version", name="uq_company_version"),
    )
    state = op.create_table(
        "registry_state",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("revision", sa.Integer, nullable=False, server_default="0"),
    )
    op.bulk_insert(state, [{"id": 1, "revision": 0}])
    op.create_table(
        "erased_outcomes",
        sa.Column("status", sa.String(20), primary_key=True),
        sa.Column("count", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("agency", sa.String(40), nullable=False, server_default=""),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("resource", sa.String(60), nullable=False),
        sa.Column("resource_id", sa.String(200), nullable=False, server_default=""),
        sa.Column("detail", sa.Text, nullable=False, server_default=""),
    )
    op.create_index("ix_audit_at", "audit_events", ["at"])
    op.create_table(
        "introductions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("from_agency", sa.String(40), sa.ForeignKey("agencies.key"), nullable=False),
        sa.Column("to_agency", sa.String(40), sa.ForeignKey("agencies.key"), nullable=False),
        sa.Column("source_id", sa.String(200), nullable=False),
        sa.Column("target_id", sa.String(200), nullable=False),
        sa.Column("message", sa.Text, nullable=False, server_default=""),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("answer_note", sa.Text, nullable=False, server_default=""),
        sa.Column("score", sa.Float, nullable=True),
        sa.Column("details", sa.Text, nullable=False, server_default=""),
        sa.Column("proposed_by", sa.String(120), nullable=False, server_default=""),
        sa.Column("proposed_at", sa.DateTime, nullable=False),
        sa.Column("answered_by", sa.String(120), nullable=False, server_default=""),
        sa.Column("answered_at", sa.DateTime, nullable=True),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.CheckConstraint(_in("status", INTRODUCTION_STATUSES), name="ck_introduction_status"),
    )
    op.create_index("ix_introductions_to", "introductions", ["to_agency", "status"])
    op.create_index("ix_introductions_pair", "introductions", ["source_id", "target_id"])
    with op.batch_alter_table("shortlists") as batch:
        batch.add_column(sa.Column("owner", sa.String(120), nullable=True))
        batch.add_column(sa.Column("agency", sa.String(40), nullable=True))
        batch.create_foreign_key("fk_shortlists_owner", "users", ["owner"], ["login"], ondelete="SET NULL")
        batch.create_foreign_key("fk_shortlists_agency", "agencies", ["agency"], ["key"], ondelete="SET NULL")
    op.create_table(
        "shortlist_shares",
        sa.Column("shortlist_id", sa.Integer, sa.ForeignKey("shortlists.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("agency", sa.String(40), sa.ForeignKey("agencies.key", ondelete="CASCADE"), primary_key=True),
    )
    with op.batch_alter_table("outcome_events") as batch:
        batch.add_column(sa.Column("introduction_id", sa.Integer, nullable=True))
        batch.create_foreign_key(
            "fk_outcomes_introduction", "introductions", ["introduction_id"], ["id"], ondelete="SET NULL"
        )
        batch.drop_constraint("ck_outcome_status", type_="check")
        batch.create_check_constraint("ck_outcome_status", _in("status", STATUSES))


def downgrade() -> None:
    with op.batch_alter_table("outcome_events") as batch:
        batch.drop_constraint("ck_outcome_status", type_="check")
        batch.create_check_constraint("ck_outcome_status", _in("status", OLD_STATUSES))
        batch.drop_constraint("fk_outcomes_introduction", type_="foreignkey")
        batch.drop_column("introduction_id")
    op.drop_table("shortlist_shares")
    with op.batch_alter_table("shortlists") as batch:
        batch.drop_constraint("fk_shortlists_agency", type_="foreignkey")
        batch.drop_constraint("fk_shortlists_owner", type_="foreignkey")
        batch.drop_column("agency")
        batch.drop_column("owner")
    for index, table in (
        ("ix_introductions_pair", "introductions"),
        ("ix_introductions_to", "introductions"),
        ("ix_audit_at", "audit_events"),
        ("ix_companies_agency", "companies"),
        ("ix_import_items_company", "import_items"),
        ("ix_import_items_import", "import_items"),
        ("ix_sessions_login", "user_sessions"),
    ):
        op.drop_index(index, table_name=table)
    for table in (
        "introductions",
        "audit_events",
        "erased_outcomes",
        "registry_state",
        "company_versions",
        "companies",
        "import_items",
        "imports",
        "user_sessions",
        "users",
        "agencies",
    ):
        op.drop_table(table)
