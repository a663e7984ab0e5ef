"""The database behind shortlists and outcomes: an engine for any SQLAlchemy URL, migrated to the
newest schema on open.

SQLite is the default (one file in the user's data folder, see :mod:`matchmaker.config`); a shared
server works with any SQLAlchemy URL, e.g. ``postgresql+psycopg://user@host/isa``.

SQLite is opened for several writers: write-ahead log (readers never block the writer), a 30 s
busy timeout, foreign keys on, ``synchronous=FULL`` (a committed change survives a crash of the
process or the machine), and every transaction starts with ``BEGIN IMMEDIATE``, so two writers
queue instead of failing half-way with "database is locked".

The schema is owned by the Alembic migrations in ``matchmaker/migrations``; :func:`open_database`
upgrades an older database in place and refuses one written by a newer version of the product.
"""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.pool import NullPool

from matchmaker.errors import DatabaseError

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_MS = 30_000


def create_database_engine(url: str) -> Engine:
    """An engine for ``url`` with the SQLite settings above; no migration (see :func:`open_database`)."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseError(
            f"'{url}' is not a database URL. Expected e.g. sqlite:////path/to/matchmaker.sqlite "
            "or postgresql+psycopg://user@host/isa."
        ) from exc
    if parsed.get_backend_name() != "sqlite":
        try:
            return create_engine(parsed, pool_pre_ping=True)
        except NoSuchModuleError as exc:
            raise DatabaseError(
                f"No driver for '{parsed.drivername}' is installed. Install it (for PostgreSQL: "
                "pip install 'psycopg[binary]') or use a sqlite:/// URL."
            ) from exc
    database = parsed.database or ""
    if database and database != ":memory:":
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    # NullPool: a connection per transaction, so no pooled connection keeps a stale snapshot or a
    # file handle after the file was replaced; opening a SQLite file costs microseconds.
    engine = create_engine(parsed, poolclass=NullPool, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN itself (pysqlite would defer it).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", "foreign_keys=ON", f"busy_timeout={BUSY_TIMEOUT_MS}", "synchronous=FULL"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def open_database(url: str) -> Engine:
    """An engine for ``url`` whose schema is at the newest revision (upgraded if it was older).

    Raises :class:`DatabaseError` when the database cannot be reached or was written by a newer
    version of ISA Matchmaker."""
    engine = create_database_engine(url)
    try:
        upgrade(engine)
    except OperationalError as exc:
        raise DatabaseError(
            f"Cannot open the database {engine.url.render_as_string(hide_password=True)}: "
            f"{exc.orig}. Check the path or server, or set MATCHMAKER_DATABASE_URL."
        ) from exc
    return engine


def _alembic_config():
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the schema to ``revision`` (default: the newest) in one transaction."""
    from alembic import command
    from alembic.script import ScriptDirectory

    config = _alembic_config()
    scripts = ScriptDirectory.from_config(config)
    head = scripts.get_current_head()
    current = current_revision(engine)
    if current is not None and current not in {script.revision for script in scripts.walk_revisions()}:
        raise DatabaseError(
            f"The database {engine.url.render_as_string(hide_password=True)} has schema revision "
            f"'{current}', which this version of ISA Matchmaker does not know (newest known: "
            f"'{head}'). Update ISA Matchmaker, or point MATCHMAKER_DATABASE_URL elsewhere."
        )
    if revision in ("head", head) and current == head:
        return
    log.info("migrating %s from %s to %s", engine.url.render_as_string(hide_password=True), current, revision)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
