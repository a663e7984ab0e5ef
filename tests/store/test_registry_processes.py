"""Imports in real separate processes: two at once lose nothing, and one killed (SIGKILL) while its
transaction is writing leaves the registry exactly as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from store.platform_helpers import alliance

IMPORTER = textwrap.dedent(
    """
    import sys
    import pandas as pd
    from matchmaker.store.database import open_database
    from matchmaker.store.permissions import Actor
    from matchmaker.store.registry import Registry

    url, agency, prefix, country, count, size = sys.argv[1:7]
    rows = [
        {"id": f"{prefix}{i}", "name": f"Firma {prefix}{i}", "country": country, "city": "Hamburg",
         "description": f"Profil {i} " + "Präzisionsfertigung und Automatisierung. " * int(size)}
        for i in range(int(count))
    ]
    print("ready", flush=True)
    result = Registry(open_database(url)).import_profiles(Actor(f"{agency}-editor", agency, "editor"), agency, pd.DataFrame(rows))
    print(len(result.added), flush=True)
    """
)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'registry.sqlite'}"
    return request.getfixturevalue("postgres_server")()


def importer(url: str, agency: str, prefix: str, country: str, count: int, size: int = 1) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", IMPORTER, url, agency, prefix, country, str(count), str(size)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_concurrent_imports_lose_nothing(url):
    _, _, registry, _ = alliance(url)
    writers = [importer(url, "hamburg", "DE", "DE", 3000), importer(url, "foshan", "CN", "CN", 3000)]
    for writer in writers:
        out, err = writer.communicate(timeout=300)
        assert writer.returncode == 0, err
        assert out.split()[-1] == "3000"
    companies = registry.companies()
    assert len(companies) == 6000
    assert {c.agency for c in companies if c.company_id.startswith("DE")} == {"hamburg"}
    assert len(registry.imports()) == 2 and registry.fingerprint() == "registry-r2"


def _writing_started(url: str, engine) -> bool:
    """True once the importer's open transaction has written to the database."""
    if url.startswith("sqlite"):
        wal = Path(url.removeprefix("sqlite:///") + "-wal")
        return wal.exists() and wal.stat().st_size > 4 * 2**20  # pages of the uncommitted import spilled to the log
    with engine.connect() as connection:  # a transaction id is assigned at its first write
        return bool(
            connection.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()"
                )
            ).scalar()
        )


def test_an_import_killed_while_writing_leaves_the_registry_as_before(url):
    engine, _, registry, _ = alliance(url)
    done = importer(url, "hamburg", "DE", "DE", 50)
    assert done.wait(timeout=120) == 0, done.stderr.read()
    before = registry.profiles(), registry.fingerprint(), registry.imports()

    writer = importer(url, "hamburg", "BIG", "DE", 20_000, size=20)
    assert writer.stdout.readline().strip() == "ready"
    deadline = time.monotonic() + 240
    while not _writing_started(url, engine):
        assert writer.poll() is None, f"the import ended before it could be killed: {writer.stderr.read()}"
        assert time.monotonic() < deadline, "the import never started writing"
        time.sleep(0.02)
    assert writer.poll() is None  # still in its transaction
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait(timeout=30)

    assert registry.profiles().equals(before[0])
    assert (registry.fingerprint(), registry.imports()) == before[1:]
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM company_versions")).scalar() == 50
    again = importer(url, "hamburg", "DE", "DE", 60)  # the lock of the killed writer is gone
    assert again.wait(timeout=120) == 0, again.stderr.read()
    assert len(registry.companies()) == 60
