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

Every failure of the database is one of our errors (:func:`database_errors`): a damaged file, or a
SQLite database of another program, is a :class:`CorruptDatabaseError` that names the file and how
to recover (restore the backup :func:`backup_database` made, or move the file aside to start anew);
a read-only file, a locked one, a full disk or an unreachable server a :class:`DatabaseError` that
says so. A foreign SQLite file is never migrated (that would add our tables to it).
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from matchmaker.errors import CorruptDatabaseError, DatabaseError, FileAccessError, NotFoundError

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
    database = sqlite_file(parsed)
    if database is not None:
        folder = database.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseError(
                f"Cannot create the folder {folder} for the database {database}: {exc.strerror or exc}. "
                "Choose a path you may write to (--database sqlite:////path/to/matchmaker.sqlite or "
                "MATCHMAKER_DATABASE_URL)."
            ) from exc
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
    version of ISA Matchmaker, :class:`CorruptDatabaseError` when a SQLite file is damaged or
    belongs to another program."""
    engine = create_database_engine(url)
    _check_sqlite_file(engine)
    with database_errors(engine, "open"):
        upgrade(engine)
    return engine


def sqlite_file(url: URL | str) -> Path | None:
    """The file of a SQLite URL; None for other databases and for an in-memory one."""
    parsed = make_url(url) if isinstance(url, str) else url
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return None
    if str(parsed.query.get("uri", "")).lower() == "true" and database.startswith("file:"):
        database = database.removeprefix("file:").split("?")[0]  # sqlite:///file:/path/db?mode=ro&uri=true
        if database.startswith("//"):
            database = database[2:]
        if not database or database == ":memory:" or "mode=memory" in str(parsed.query):
            return None
    return Path(database).expanduser()


def _name(engine: Engine) -> str:
    path = sqlite_file(engine.url)
    return str(path) if path else engine.url.render_as_string(hide_password=True)


def _recovery(path: str) -> str:
    return (
        f"To recover, stop the dashboard and either restore your latest backup (made with `matchmaker backup "
        f"--out FILE`): move {path} and any {path}-wal and {path}-shm aside, then copy the backup to {path}; "
        f"or move {path} aside (e.g. rename it to {path}.damaged) to start with a new, empty database."
    )


def _check_sqlite_file(engine: Engine) -> None:
    """Refuse a damaged file, and a SQLite database of another program (tables but none of ours).
    Read through a read-only connection, so a refused file is left exactly as it was."""
    path = sqlite_file(engine.url)
    if path is None or not path.is_file() or path.stat().st_size == 0:
        return  # a new database
    try:
        with _closing(
            sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        ) as raw:
            problems = [row[0] for row in raw.execute("PRAGMA quick_check").fetchall()]
            tables = {row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        raise _translated(str(exc), str(path), "open") from exc
    if problems != ["ok"]:
        raise CorruptDatabaseError(
            f"The database file {path} is damaged (SQLite's check says: {'; '.join(problems[:3])}). "
            + _recovery(str(path))
        )
    tables = {t for t in tables if not t.startswith("sqlite_")}
    if tables and "alembic_version" not in tables:
        shown = ", ".join(sorted(tables)[:8])
        raise CorruptDatabaseError(
            f"The file {path} is a SQLite database of another program (its tables: {shown}), not one of ISA "
            f"Matchmaker; it was left unchanged. Point --database or MATCHMAKER_DATABASE_URL to another file, or "
            f"move {path} aside to start with a new, empty database at that path."
        )


@contextmanager
def database_errors(engine: Engine, action: str = "use") -> Iterator[None]:
    """Run the body; a database failure becomes a :class:`DatabaseError` (or a
    :class:`CorruptDatabaseError`) that names the database and the fix."""
    try:
        yield
    except DBAPIError as exc:
        raise database_error(exc, engine, action) from exc


def database_error(exc: DBAPIError, engine: Engine, action: str = "use") -> DatabaseError:
    """Our error for a driver's error ``exc`` on ``engine`` (see :func:`database_errors`)."""
    return _translated(str(exc.orig if exc.orig is not None else exc).strip(), _name(engine), action)


def _translated(reason: str, path: str, action: str) -> DatabaseError:
    lowered = reason.lower()
    if any(s in lowered for s in ("not a database", "malformed", "file is encrypted", "disk image")):
        return CorruptDatabaseError(
            f"The database file {path} is damaged or is no database ({reason}); the shortlists in it cannot be "
            "read. " + _recovery(path)
        )
    if "readonly" in lowered or "read-only" in lowered:
        return DatabaseError(
            f"The database {path} is read-only, so nothing can be saved ({reason}). Make the file and its folder "
            "writable for this user (chmod u+w), or point --database or MATCHMAKER_DATABASE_URL to a database you "
            "may write."
        )
    if "locked" in lowered or "busy" in lowered:
        return DatabaseError(
            f"The database {path} stayed locked by another program for {BUSY_TIMEOUT_MS // 1000} s; nothing was "
            "saved. Try again; if it stays locked, close the other program that holds it."
        )
    if "disk is full" in lowered or "disk i/o" in lowered or "no space" in lowered:
        return DatabaseError(
            f"The disk of the database {path} is full or failing ({reason}); nothing was saved. Free some space "
            "(or move the database to another disk) and try again."
        )
    if "unable to open" in lowered:
        return DatabaseError(
            f"Cannot {action} the database {path}: {reason}. The file or its folder cannot be opened (no "
            "permission, or the path is a folder). Check the path, or set --database or MATCHMAKER_DATABASE_URL."
        )
    return DatabaseError(
        f"Cannot {action} the database {path}: {reason}. Check the path or server, or set --database or "
        "MATCHMAKER_DATABASE_URL."
    )


def backup_database(url: str, out: Path | str) -> Path:
    """Copy the SQLite database of ``url`` to ``out`` with SQLite's online backup (consistent while
    others write; ``out`` is replaced only once the copy is complete and checked).

    Restore: stop the dashboard, move the database file and any ``-wal`` and ``-shm`` files beside
    it aside, and copy the backup to the database's path (or point MATCHMAKER_DATABASE_URL at it)."""
    source = sqlite_file(url)
    if source is None:
        raise DatabaseError(
            f"`matchmaker backup` copies a SQLite database file; {make_url(url).render_as_string(hide_password=True)} "
            "is none. For PostgreSQL use its own tool: pg_dump --format=custom --file=isa.dump DATABASE."
        )
    target = Path(out).expanduser()
    if not source.is_file():
        raise DatabaseError(
            f"There is no database at {source} to back up. Check --database or MATCHMAKER_DATABASE_URL."
        )
    if target.exists() and target.resolve() == source.resolve():
        raise DatabaseError(f"The backup {target} would overwrite the database itself. Choose another file.")
    partial = target.with_name(f".{target.name}.partial")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with _closing(
            sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        ) as live:
            problems = [row[0] for row in live.execute("PRAGMA quick_check").fetchall()]
            if problems != ["ok"]:
                raise CorruptDatabaseError(
                    f"The database file {source} is damaged (SQLite's check says: {'; '.join(problems[:3])}); a "
                    "backup of it would be damaged too. " + _recovery(str(source))
                )
            partial.write_bytes(b"")  # the folder is writable (an OSError names the reason otherwise)
            with _closing(sqlite3.connect(partial)) as copy:
                live.backup(copy)
                copy.execute("PRAGMA journal_mode=DELETE")
        os.replace(partial, target)
    except sqlite3.DatabaseError as exc:
        _remove(partial)
        raise _translated(str(exc), str(source), "back up") from exc
    except OSError as exc:
        _remove(partial)
        raise FileAccessError(
            f"Cannot write the backup {target}: {exc.strerror or exc}. Choose a file in a folder you may write to."
        ) from exc
    return target


def _remove(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass  # nothing was written there


@contextmanager
def _closing(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    try:
        yield connection
    finally:
        connection.close()


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


def new_session(engine: Engine) -> Session:
    """A session for one unit of work of a store; its objects stay readable after the commit (the
    stores build their records from them)."""
    return Session(engine, expire_on_commit=False)


def get_or_missing(session: Session, model: type, key: object, missing: str):
    """The row of ``model`` with primary key ``key``; :class:`NotFoundError` saying ``missing`` when
    there is none."""
    found = session.get(model, key)
    if found is None:
        raise NotFoundError(missing)
    return found
