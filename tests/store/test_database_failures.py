"""Every way the shortlist database can fail is one of our errors, naming the database and the fix:
damaged files (random bytes, cut off, a page overwritten), a SQLite file of another program (left
unchanged), a read-only file on the first write, an unreachable server; and the online backup with
the documented restore."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys

import pytest
from helpers import without_file_permission_override

from matchmaker.errors import CorruptDatabaseError, DatabaseError, FileAccessError
from matchmaker.store.database import backup_database, sqlite_file
from matchmaker.store.shortlists import ShortlistStore


def filled(path) -> str:
    url = f"sqlite:///{path}"
    store = ShortlistStore.open(url)
    trip = store.create_shortlist("Delegation Foshan", author="Anna")
    for i in range(200):
        store.add_entry(trip.id, f"DE{i}", "CN1", note="Termin " * 40)
    store.record_outcome("DE1", "CN1", "met")
    store.engine.dispose()
    return url


def damage(path, how: str) -> None:
    data = path.read_bytes()
    if how == "random bytes":
        path.write_bytes(os.urandom(len(data)))
    elif how == "cut off":
        path.write_bytes(data[: len(data) // 3])
    else:  # a page in the middle overwritten, the header intact
        page = 4096 * (len(data) // 4096 // 2)
        path.write_bytes(data[:page] + b"\xab" * 512 + data[page + 512 :])


CALLS = {
    "list": lambda s: s.shortlists(),
    "entries": lambda s: s.entries(1),
    "add": lambda s: s.add_entry(1, "DE9", "CN9"),
    "note": lambda s: s.update_note(1, "x", 1),
    "outcome": lambda s: s.record_outcome("DE1", "CN1", "met"),
    "history": lambda s: s.outcome_history(),
}


@pytest.mark.parametrize("how", ["random bytes", "cut off", "damaged page"])
def test_a_damaged_file_names_itself_and_how_to_recover(tmp_path, how):
    path = tmp_path / "matchmaker.sqlite"
    url = filled(path)
    damage(path, how)
    with pytest.raises(CorruptDatabaseError) as info:
        store = ShortlistStore.open(url)
        for call in CALLS.values():
            call(store)
    message = str(info.value)
    assert str(path) in message and "matchmaker backup" in message and f"{path}.damaged" in message


def test_damage_found_after_opening_is_our_error_in_every_method(tmp_path):
    path = tmp_path / "matchmaker.sqlite"
    url = filled(path)
    store = ShortlistStore.open(url)  # opened (and checked) while intact, then damaged under it
    data = path.read_bytes()
    path.write_bytes(data[:4096] + b"\xab" * (len(data) - 4096))  # every page but the schema's
    for call in CALLS.values():
        with pytest.raises(DatabaseError, match=str(path)):
            call(store)


def test_a_database_of_another_program_is_refused_and_left_unchanged(tmp_path):
    path = tmp_path / "crm.sqlite"
    with sqlite3.connect(path) as other:
        other.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
        other.execute("INSERT INTO customers (name) VALUES ('Rheinwerk')")
    before = hashlib.sha1(path.read_bytes()).hexdigest()
    with pytest.raises(CorruptDatabaseError, match="another program .*customers.*left unchanged"):
        ShortlistStore.open(f"sqlite:///{path}")
    assert hashlib.sha1(path.read_bytes()).hexdigest() == before


def test_a_read_only_database_says_so_on_the_first_write(tmp_path):
    path = tmp_path / "matchmaker.sqlite"
    filled(path)
    store = ShortlistStore.open(f"sqlite:///file:{path}?mode=ro&uri=true")
    assert [s.name for s in store.shortlists()] == ["Delegation Foshan"]  # reading works
    with pytest.raises(DatabaseError, match="read-only, so nothing can be saved") as info:
        store.create_shortlist("Messe")
    assert str(path) in str(info.value) and not isinstance(info.value, CorruptDatabaseError)


WRITE = """
import sys
from matchmaker.errors import DatabaseError
from matchmaker.store.shortlists import ShortlistStore
try:
    ShortlistStore.open(sys.argv[1]).create_shortlist("Messe")
except DatabaseError as exc:
    print(type(exc).__name__, exc)
"""


def test_a_file_without_write_permission_says_so_on_the_first_write(tmp_path):
    folder = tmp_path / "shared"
    folder.mkdir()
    path = folder / "matchmaker.sqlite"
    url = filled(path)
    path.chmod(0o444)
    folder.chmod(0o555)
    try:
        done = subprocess.run(
            without_file_permission_override([sys.executable, "-c", WRITE, url]), capture_output=True, text=True
        )
    finally:
        folder.chmod(0o755)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert done.stdout.startswith("DatabaseError") and str(path) in done.stdout, done.stdout


def test_an_unreachable_postgresql_database_is_our_error(postgres_server):
    url = postgres_server().rsplit("?", 1)
    missing = url[0].rsplit("/", 1)[0] + "/no_such_database?" + url[1]
    with pytest.raises(DatabaseError, match="Cannot open the database .*no_such_database"):
        ShortlistStore.open(missing)


def test_backup_restores_a_damaged_database_as_documented(tmp_path):
    path = tmp_path / "matchmaker.sqlite"
    url = filled(path)
    copy = backup_database(url, tmp_path / "backups" / "matchmaker-2026-05-01.sqlite")
    with sqlite3.connect(copy) as check:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert check.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
    damage(path, "random bytes")
    with pytest.raises(CorruptDatabaseError):
        ShortlistStore.open(url)
    # the documented restore: move the file and its -wal/-shm aside, copy the backup in its place
    for suffix in ("", "-wal", "-shm"):
        if (tmp_path / f"matchmaker.sqlite{suffix}").exists():
            (tmp_path / f"matchmaker.sqlite{suffix}").rename(tmp_path / f"matchmaker.sqlite{suffix}.damaged")
    shutil.copy(copy, path)
    store = ShortlistStore.open(url)
    assert [s.entries for s in store.shortlists()] == [200] and len(store.outcome_history()) == 1


BUSY_WRITER = """
import sys
from matchmaker.store.shortlists import ShortlistStore
store = ShortlistStore.open(sys.argv[1])
trip = store.create_shortlist("Busy")
print("started", flush=True)
for i in range(400):
    store.add_entry(trip.id, f"W{i}", "CN1")
print("done", flush=True)
"""


def test_a_backup_taken_while_someone_writes_is_consistent(tmp_path):
    path = tmp_path / "matchmaker.sqlite"
    url = filled(path)
    writer = subprocess.Popen([sys.executable, "-c", BUSY_WRITER, url], stdout=subprocess.PIPE, text=True)
    assert writer.stdout.readline().strip() == "started"
    copy = backup_database(url, tmp_path / "during.sqlite")
    writer.wait(timeout=300)
    assert writer.returncode == 0
    with sqlite3.connect(copy) as check:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        busy = check.execute(
            "SELECT count(*) FROM shortlist_entries e JOIN shortlists s ON s.id = e.shortlist_id WHERE s.name = 'Busy'"
        ).fetchone()[0]
    assert 0 <= busy <= 400
    assert [s.entries for s in ShortlistStore.open(f"sqlite:///{copy}").shortlists()][-1] == 200


def test_backup_refuses_what_it_cannot_copy(tmp_path, postgres_server):
    with pytest.raises(DatabaseError, match="pg_dump"):
        backup_database(postgres_server(), tmp_path / "x.sqlite")
    with pytest.raises(DatabaseError, match="no database at"):
        backup_database(f"sqlite:///{tmp_path / 'none.sqlite'}", tmp_path / "x.sqlite")
    url = filled(tmp_path / "matchmaker.sqlite")
    with pytest.raises(DatabaseError, match="overwrite the database itself"):
        backup_database(url, tmp_path / "matchmaker.sqlite")
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(FileAccessError, match="Cannot write the backup"):
        backup_database(url, tmp_path / "a-file" / "backup.sqlite")
    assert not list(tmp_path.glob("**/.*.partial"))


def test_sqlite_file_of_each_url():
    assert str(sqlite_file("sqlite:////data/isa.sqlite")) == "/data/isa.sqlite"
    assert str(sqlite_file("sqlite:///file:/data/isa.sqlite?mode=ro&uri=true")) == "/data/isa.sqlite"
    assert sqlite_file("sqlite://") is None and sqlite_file("postgresql+psycopg://u@h/isa") is None
