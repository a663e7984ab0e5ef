"""The commands when the file system or the database fails under them: one message that names the
file and the fix, exit 1 for an unusable profiles file and 2 for everything else, never a traceback."""

from __future__ import annotations

import csv
import os
import shutil
import sqlite3
import subprocess
import sys

import pandas as pd
import pytest
from helpers import company, without_file_permission_override, write_csv

from matchmaker.store.shortlists import ShortlistStore

GOOD = [
    company("DE1", "DE", "Köln", "Wir fertigen Getriebe für Industrieroboter."),
    company("CN1", "CN", "佛山", "公司生产工业机器人减速器。"),
]


def matchmaker(*args: str, unprivileged: bool = False, database: str | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "matchmaker.cli", *args]
    env = {**os.environ, **({"MATCHMAKER_DATABASE_URL": database} if database else {})}
    command = without_file_permission_override(command) if unprivileged else command
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    return done


@pytest.mark.parametrize("command", ["validate", "recommend"])
def test_a_profiles_file_the_user_may_not_read(tmp_path, command):
    path = write_csv(tmp_path / "secret.csv", GOOD)
    path.chmod(0o000)
    extra = ["--out", str(tmp_path / "recs.csv"), "--no-cache"] if command == "recommend" else []
    done = matchmaker(command, str(path), *extra, unprivileged=True)
    assert done.returncode == 1
    assert f"The file {path} cannot be read: permission denied" in done.stdout + done.stderr


def test_a_folder_a_device_and_a_missing_file_are_told_apart(tmp_path):
    assert "is a folder, not a file" in matchmaker("validate", str(tmp_path)).stdout
    assert "is a device, not a file" in matchmaker("validate", "/dev/zero").stdout
    missing = matchmaker("validate", str(tmp_path / "nope.csv"))
    assert missing.returncode == 1 and "does not exist" in missing.stdout


def test_limits_are_options_of_the_commands(tmp_path):
    rows = GOOD + [company(f"DE{i}", "DE", "Köln", "Getriebe.") for i in range(2, 30)]
    path = write_csv(tmp_path / "p.csv", rows)
    done = matchmaker("validate", str(path), "--max-rows", "10", "--lang", "de")
    assert done.returncode == 1 and "höchstens 10 Zeilen" in done.stdout
    assert matchmaker("validate", str(path), "--max-rows", "100").returncode == 0
    wrong = matchmaker("validate", str(path), "--max-rows", "-5")
    assert wrong.returncode == 2 and "positive whole number" in wrong.stderr


def damaged_database(tmp_path, how: str) -> str:
    path = tmp_path / "matchmaker.sqlite"
    url = f"sqlite:///{path}"
    store = ShortlistStore.open(url)
    trip = store.create_shortlist("Reise")
    for i in range(100):
        store.add_entry(trip.id, f"DE{i}", "CN1", note="Notiz " * 50)
    store.engine.dispose()
    data = path.read_bytes()
    if how == "random bytes":
        path.write_bytes(os.urandom(len(data)))
    elif how == "cut off":
        path.write_bytes(data[: len(data) // 3])
    else:
        path.write_bytes(data[:4096] + b"\x00" * 8 + data[4104:])
    return url


@pytest.mark.parametrize("how", ["random bytes", "cut off", "damaged page"])
def test_every_store_command_on_a_damaged_database(tmp_path, how):
    url = damaged_database(tmp_path, how)
    path = url.removeprefix("sqlite:///")
    for args in (
        ["shortlists"],
        ["shortlist", "1", str(tmp_path / "p.csv"), "--out", str(tmp_path / "s.csv")],
        ["outcomes", "--out", str(tmp_path / "o.csv")],
        ["backup", "--out", str(tmp_path / "backup.sqlite")],
    ):
        done = matchmaker(*args, database=url)
        assert done.returncode == 2, (args, done.stderr)
        assert path in done.stderr and "matchmaker backup" in done.stderr and "aside" in done.stderr, done.stderr
    assert not (tmp_path / "backup.sqlite").exists()


def test_a_database_of_another_program_is_not_touched(tmp_path):
    path = tmp_path / "crm.sqlite"
    with sqlite3.connect(path) as other:
        other.execute("CREATE TABLE kunden (id INTEGER)")
    before = path.read_bytes()
    done = matchmaker("shortlists", "--database", f"sqlite:///{path}")
    assert done.returncode == 2 and "another program" in done.stderr and "kunden" in done.stderr
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    "target, reason",
    [("folder", "it is a folder"), ("under a file", "is a file, not a folder"), ("full disk", "the disk is full")],
)
def test_an_output_path_that_cannot_be_written(tmp_path, private_database, target, reason):
    ShortlistStore.open(private_database).record_outcome("DE1", "CN1", "met")
    (tmp_path / "a-file").write_text("x")
    (tmp_path / "folder.csv").mkdir()
    (tmp_path / "full.csv").symlink_to("/dev/full")  # writes fail as on a full disk
    out = {"folder": "folder.csv", "under a file": "a-file/o.csv", "full disk": "full.csv"}[target]
    done = matchmaker("outcomes", "--out", str(tmp_path / out))
    assert done.returncode == 2 and reason in done.stderr and str(tmp_path / out) in done.stderr, done.stderr
    assert done.stderr.count("\n") == 1  # one message


def test_generate_into_a_folder_without_write_permission(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        done = matchmaker("generate", "--n", "5", "--out", str(folder / "s.csv"), unprivileged=True)
    finally:
        folder.chmod(0o755)
    assert done.returncode == 2 and "permission denied" in done.stderr and str(folder / "s.csv") in done.stderr


def test_backup_and_restore_through_the_cli(tmp_path, private_database):
    store = ShortlistStore.open(private_database)
    trip = store.create_shortlist("Reise nach 佛山", author="Anna")
    store.add_entry(trip.id, "DE1", "CN1")
    backup = tmp_path / "backups" / "isa.sqlite"
    done = matchmaker("backup", "--out", str(backup))
    assert done.returncode == 0 and str(backup) in done.stderr, done.stderr
    database = private_database.removeprefix("sqlite:///")
    with open(database, "r+b") as handle:  # the live file is lost
        handle.write(os.urandom(4096))
    assert matchmaker("shortlists").returncode == 2
    for suffix in ("", "-wal", "-shm"):  # the README's restore
        if os.path.exists(database + suffix):
            os.rename(database + suffix, database + suffix + ".damaged")
    shutil.copy(backup, database)
    listed = matchmaker("shortlists")
    assert listed.returncode == 0 and "Reise nach 佛山\tAnna\t1 entries" in listed.stdout


def test_a_line_break_inside_an_id_cannot_split_a_row_of_the_recommendations(tmp_path):
    """Ids are read as meant (control characters removed, with a warning), so the recommendations
    contract file, which keeps ids exactly as read, holds no line break inside a field."""
    rows = [company("DE\r1", "DE", "Köln", "Getriebe."), company("CN1", "CN", "佛山", "减速器。")]
    path = write_csv(tmp_path / "p.csv", pd.DataFrame(rows), quoting=csv.QUOTE_ALL)
    out = tmp_path / "recs.csv"
    done = matchmaker("recommend", str(path), "--out", str(out), "--no-cache", "--quiet")
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(out, dtype=str)
    assert set(table["source_id"]) == {"DE1", "CN1"} and len(table) == 2


def test_a_reader_that_stops_reading_ends_the_command_without_a_traceback(tmp_path):
    """`matchmaker validate FILE | head -1`: the pipe closes before the report is written."""
    path = write_csv(tmp_path / "firmen.csv", GOOD * 1)
    process = subprocess.Popen(
        [sys.executable, "-m", "matchmaker.cli", "validate", str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    process.stdout.close()  # the reader is gone before the first line
    error = process.stderr.read().decode()
    assert process.wait(timeout=120) == 1
    assert "Traceback" not in error and "BrokenPipe" not in error, error
