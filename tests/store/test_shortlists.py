"""Shortlists and outcomes in a real SQLite file: round trips across restarts, two writers at once,
a writer killed in the middle of a write (real subprocesses), migrations, and clear errors."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap

import pytest
from sqlalchemy import text

from matchmaker.errors import ConflictError, DatabaseError, NotFoundError, ParameterError
from matchmaker.store.database import create_database_engine, current_revision, head_revision, open_database, upgrade
from matchmaker.store.shortlists import ShortlistStore


@pytest.fixture
def url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'data' / 'shortlists.sqlite'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def any_url(request, tmp_path) -> str:
    """The default SQLite file, and a real PostgreSQL server as a shared installation would use."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / 'shortlists.sqlite'}"
    return request.getfixturevalue("postgres_server")()


def run_python(code: str, *args: str, **kwargs) -> subprocess.Popen:
    """A separate Python process (not a thread): its own connections, its own crash."""
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def test_round_trip_survives_a_restart(any_url):
    store = ShortlistStore.open(any_url)
    trip = store.create_shortlist("Delegation Foshan, Mai", author="Anna Weber", dataset="demo")
    entry = store.add_entry(
        trip.id,
        "DE0001",
        "CN0042",
        author="Anna Weber",
        source_name="Rhein Robotik GmbH",
        target_name="佛山恒顺电器",
        score=0.71,
        model="isa-domain",
        weights_version="2026-11-21.x",
    )
    store.update_note(entry.id, "Termin am 12.5. – 王经理 bestätigt", entry.version, author="Li Na")
    store.record_outcome("DE0001", "CN0042", "contacted", happened_on=dt.date(2026, 5, 2), author="Anna Weber")
    store.engine.dispose()

    reopened = ShortlistStore.open(any_url)  # a new engine, as after a restart
    (saved,) = reopened.shortlists()
    assert (saved.name, saved.author, saved.dataset, saved.entries) == (
        "Delegation Foshan, Mai",
        "Anna Weber",
        "demo",
        1,
    )
    (back,) = reopened.entries(saved.id)
    assert (back.source_id, back.target_id, back.target_name, back.score) == ("DE0001", "CN0042", "佛山恒顺电器", 0.71)
    assert back.note == "Termin am 12.5. – 王经理 bestätigt" and back.author == "Li Na" and back.version == 2
    assert back.added_at <= back.updated_at
    (event,) = reopened.outcome_history().itertuples(index=False)
    assert (event.status, event.happened_on) == ("contacted", dt.date(2026, 5, 2))


def test_adding_the_same_pair_twice_keeps_one_entry(any_url):
    store = ShortlistStore.open(any_url)
    trip = store.create_shortlist("Messe")
    first = store.add_entry(trip.id, "DE1", "CN1")
    again = store.add_entry(trip.id, "DE1", "CN1", note="ignored")
    assert first.id == again.id and len(store.entries(trip.id)) == 1


def test_a_stale_note_is_refused_and_the_newer_one_kept(any_url):
    anna, li = ShortlistStore.open(any_url), ShortlistStore.open(any_url)
    trip = anna.create_shortlist("Messe")
    entry = anna.add_entry(trip.id, "DE1", "CN1", source_name="Rhein GmbH", target_name="佛山公司")
    seen_by_li = li.entries(trip.id)[0]
    anna.update_note(entry.id, "Anna: call on Monday", entry.version, author="Anna")
    with pytest.raises(ConflictError, match="Anna: call on Monday"):
        li.update_note(seen_by_li.id, "Li: 周一见", seen_by_li.version, author="Li")
    assert li.entries(trip.id)[0].note == "Anna: call on Monday"


def test_deleting_a_shortlist_keeps_the_outcomes(any_url):
    store = ShortlistStore.open(any_url)
    trip = store.create_shortlist("Messe")
    store.add_entry(trip.id, "DE1", "CN1")
    store.record_outcome("DE1", "CN1", "met", shortlist_id=trip.id)
    store.delete_shortlist(trip.id)
    assert store.shortlists() == []
    assert list(store.outcome_labels()[["de_id", "cn_id", "grade"]].itertuples(index=False, name=None)) == [
        ("DE1", "CN1", 2)
    ]
    with pytest.raises(NotFoundError, match="does not exist"):
        store.entries(trip.id)


def test_outcome_labels_take_the_latest_judgement_of_each_pair(any_url):
    store = ShortlistStore.open(any_url)
    day = dt.date(2026, 3, 1)
    store.record_outcome("DE1", "CN1", "contacted", happened_on=day)
    store.record_outcome("DE1", "CN1", "agreement", happened_on=day + dt.timedelta(days=30))
    store.record_outcome("DE2", "CN1", "met", happened_on=day)
    store.record_outcome("DE2", "CN1", "declined", happened_on=day + dt.timedelta(days=9))
    store.record_outcome("DE3", "CN3", "suggested", happened_on=day)  # no judgement yet: no label
    # recorded late but happened earlier: does not overrule the later step
    store.record_outcome("DE1", "CN1", "met", happened_on=day + dt.timedelta(days=10))
    labels = store.outcome_labels().set_index(["de_id", "cn_id"])
    assert labels["grade"].to_dict() == {("DE1", "CN1"): 3, ("DE2", "CN1"): 0}
    assert len(store.outcome_history()) == 6  # every step kept


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda s: s.create_shortlist("   "), "needs a name"),
        (
            lambda s: s.record_outcome("D", "C", "signed"),
            "Valid outcomes: suggested, contacted, met, agreement, declined",
        ),
        (lambda s: s.record_outcome("D", "C", "met", happened_on=dt.date.today() + dt.timedelta(days=30)), "future"),
        (lambda s: s.create_shortlist("x" * 201), "at most 200 characters"),
    ],
)
def test_bad_input_is_refused_with_the_fix(url, call, message):
    store = ShortlistStore.open(url)
    with pytest.raises(ParameterError, match=message):
        call(store)
    assert store.shortlists() == [] and store.outcome_history().empty


WRITER = """
import sys
from matchmaker.store.shortlists import ShortlistStore
url, shortlist, name, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
store = ShortlistStore.open(url)
for i in range(count):
    entry = store.add_entry(shortlist, f"{name}-DE{i}", f"CN{i}", author=name)
    store.update_note(entry.id, f"{name} note {i}", entry.version, author=name)
    store.record_outcome(f"{name}-DE{i}", f"CN{i}", "contacted", author=name, shortlist_id=shortlist)
print("done", flush=True)
"""


@pytest.mark.slow
def test_two_writers_at_once_lose_nothing(any_url):
    store = ShortlistStore.open(any_url)
    trip = store.create_shortlist("Shared")
    writers = [run_python(WRITER, any_url, str(trip.id), name, "60") for name in ("anna", "li")]
    for writer in writers:
        out, err = writer.communicate(timeout=300)
        assert writer.returncode == 0 and "done" in out, err
    entries = store.entries(trip.id)
    assert len(entries) == 120
    assert all(e.note == f"{e.author} note {e.source_id.split('-DE')[1]}" for e in entries)
    assert len(store.outcome_history()) == 120


KILLED_MID_COMMIT = """
import sys, time
from sqlalchemy import event
from matchmaker.store.shortlists import ShortlistStore
store = ShortlistStore.open(sys.argv[1])
shortlist = int(sys.argv[2])
for i in range(5):
    store.add_entry(shortlist, f"DE{i}", "CN0")
    print(f"committed {i}", flush=True)

@event.listens_for(store.engine, "commit")
def stall(connection):  # runs just before COMMIT is sent: the insert is written but not committed
    print("in flight", flush=True)
    time.sleep(60)

store.add_entry(shortlist, "DE-in-flight", "CN0")
"""


@pytest.mark.slow
def test_a_writer_killed_mid_write_leaves_a_consistent_database(url, tmp_path):
    store = ShortlistStore.open(url)
    trip = store.create_shortlist("Crash test")
    writer = run_python(KILLED_MID_COMMIT, url, str(trip.id))
    lines = []
    for line in writer.stdout:
        lines.append(line.strip())
        if line.startswith("in flight"):
            break
    assert lines[-1] == "in flight", writer.stderr.read()
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait(timeout=30)

    database = url.removeprefix("sqlite:///")
    with sqlite3.connect(database) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    survivors = [e.source_id for e in store.entries(trip.id)]
    assert survivors == [f"DE{i}" for i in range(5)]  # everything committed is there, the change in flight is not
    store.add_entry(trip.id, "DE-after", "CN0")  # the killed writer's lock is gone
    assert len(store.entries(trip.id)) == 6


def test_schema_from_migrations_equals_the_models(any_url):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from matchmaker.store.shortlists import Base

    engine = open_database(any_url)
    assert current_revision(engine) == head_revision()
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_an_older_database_is_upgraded_with_its_data(any_url):
    engine = create_database_engine(any_url)
    upgrade(engine, "0001")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO shortlists (name, author, dataset, created_at, updated_at, version) "
                "VALUES ('Alt', 'Anna', 'demo', '2026-01-05 10:00:00', '2026-01-05 10:00:00', 1)"
            )
        )
    assert current_revision(engine) == "0001"
    store = ShortlistStore.open(any_url)
    assert current_revision(store.engine) == head_revision()
    assert [s.name for s in store.shortlists()] == ["Alt"]
    store.record_outcome("DE1", "CN1", "met")  # the table the newer revision added works
    assert len(store.outcome_history()) == 1


def test_a_database_from_a_newer_version_is_refused(any_url):
    ShortlistStore.open(any_url)
    with create_database_engine(any_url).begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(DatabaseError, match="'9999', which this version of ISA Matchmaker does not know"):
        open_database(any_url)


@pytest.mark.parametrize("bad", ["not a url", "nosuchdriver://x/y"])
def test_a_bad_database_url_says_what_to_use(bad):
    with pytest.raises(DatabaseError, match="sqlite:///"):
        open_database(bad)


def test_a_database_path_that_is_a_folder_is_reported(tmp_path):
    folder = tmp_path / "folder.sqlite"
    folder.mkdir()
    with pytest.raises(DatabaseError, match="Cannot open the database"):
        open_database(f"sqlite:///{folder}")
