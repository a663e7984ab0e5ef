"""Shortlist store and exports: what saving and exporting cost on the default SQLite file.

    .venv/bin/python benchmarks/store.py [--url sqlite:////tmp/bench.sqlite]

Prints: opening (with migrations) a new and an existing database; one "add to shortlist" and
one note save (each a committed transaction, synchronous=FULL); reading a shortlist of 500
entries; outcome labels from 10,000 recorded steps; two writer processes at once; and the
shortlist exports of 30 demo suggestions (scoring with reasons, CSV, XLSX, dossier).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from matchmaker import config as C
from matchmaker.store.database import open_database
from matchmaker.store.shortlists import STATUSES, ShortlistStore


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def median_ms(samples: list[float]) -> str:
    return f"{1000 * statistics.median(samples):.1f} ms (median of {len(samples)})"


WRITER = """
import sys
from matchmaker.store.shortlists import ShortlistStore
store = ShortlistStore.open(sys.argv[1])
for i in range(200):
    store.add_entry(int(sys.argv[2]), f"{sys.argv[3]}-{i}", "CN1")
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default=None)
    folder = tempfile.mkdtemp(prefix="isa-store-bench-")
    url = parser.parse_args().url or f"sqlite:///{Path(folder) / 'bench.sqlite'}"

    print(f"open new database (migrations 0001-0002): {timed(lambda: open_database(url)) * 1000:.0f} ms")
    print(f"open existing database (already at head): {timed(lambda: open_database(url)) * 1000:.0f} ms")
    store = ShortlistStore.open(url)
    trip = store.create_shortlist("Benchmark")
    adds = [
        timed(lambda i=i: store.add_entry(trip.id, f"DE{i}", f"CN{i}", author="bench", score=0.5)) for i in range(500)
    ]
    print(f"add to shortlist: {median_ms(adds)}")
    entries = store.entries(trip.id)
    notes = [timed(lambda e=e: store.update_note(e.id, "note", e.version)) for e in entries[:200]]
    print(f"save a note: {median_ms(notes)}")
    print(f"read a shortlist of 500 entries: {median_ms([timed(lambda: store.entries(trip.id)) for _ in range(20)])}")
    for i in range(10_000):
        store.record_outcome(f"DE{i % 2000}", f"CN{i % 1000}", STATUSES[1 + i % 4], author="bench")
    print(f"outcome labels from 10,000 steps: {median_ms([timed(store.outcome_labels) for _ in range(10)])}")

    shared = store.create_shortlist("Two writers")
    started = time.perf_counter()
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, url, str(shared.id), name]) for name in ("a", "b")]
    for writer in writers:
        writer.wait()
    seconds = time.perf_counter() - started
    print(
        f"two writer processes, 200 adds each: {len(store.entries(shared.id))} of 400 saved in {seconds:.1f} s "
        "(including two interpreter starts)"
    )

    from matchmaker.exports.dossier import DossierContext, render_dossier
    from matchmaker.exports.tables import items_table, write_table
    from matchmaker.io.profiles import load_profiles
    from matchmaker.scoring.items import ShortlistItem, score_items
    from matchmaker.scoring.matcher import Matcher

    matcher = Matcher().fit(load_profiles(C.DEMO_PROFILES))
    items = [
        ShortlistItem(r.source_id, r.target_id)
        for source in matcher.fitted_.ids[:3]
        for r in matcher.recommend(source, k=10).itertuples(index=False)
    ]
    scored = []
    print(
        f"30 suggestions scored with reasons: {timed(lambda: scored.extend(score_items(matcher, items))) * 1000:.0f} ms"
    )
    table = items_table(scored, "de")
    for suffix in (".csv", ".xlsx"):
        print(
            f"shortlist {suffix}: {timed(lambda s=suffix: write_table(table, Path(folder) / f'list{s}')) * 1000:.0f} ms"
        )
    html = []
    print(
        f"dossier (de/zh): {timed(lambda: html.append(render_dossier(scored, DossierContext('Benchmark')))) * 1000:.0f} ms, "
        f"{len(html[0].encode()) / 1024:.0f} KiB"
    )


if __name__ == "__main__":
    main()
