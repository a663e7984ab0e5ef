"""Scale: `matchmaker recommend` (top-20 both ways) against the minimal job on the same data, side by side.

    .venv/bin/python benchmarks/scale.py 20000 [100000] [--recall 300] [--ranking two-stage] [--exhaustive]

N German x N Chinese synthetic profiles (`matchmaker generate`'s generator, seed 0) written to a CSV.
Every step is its own process, so its wall time and peak memory (max RSS, from wait4) are its own:

  minimal job       `matchmaker embed` of one text per company (the description; no embedding cache, as
                    the command has none), then an exact FAISS flat top-20 of those vectors both ways;
  minimal, cached   the same texts through the embedding cache (what `recommend` reads), then the search;
  recommend         `matchmaker recommend FILE --top-k 20 --ranking two-stage` (validation, fit from the
                    embedding cache, candidate search, exact re-ranking, writing the CSV);
  --exhaustive      `matchmaker recommend --ranking exact` as well;
  --no-minimal      recommend only (the minimal job's uncached embedding takes hours from 100,000 up).

--recall S: the share of the exhaustive top-20 that recommend's table holds, over S random sources per
direction (their exhaustive ranking computed here), and one company's two-stage re-rank time.
--profile FILE: recommend runs under pyinstrument, its breakdown written to FILE (text).
The embedding cache must be warm for N (a first run fills it; its figures are not the warm ones).
Each step's CPU time (user + system, all threads) is printed beside its wall time: on a shared machine
the wall time grows with the other users' load, the CPU time much less.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def timed(command: list[str], env: dict | None = None) -> tuple[float, float, str, float]:
    """``(wall seconds, peak RSS in GB, stdout, CPU seconds)`` of one process."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        if os.waitstatus_to_exitcode(status):
            raise SystemExit(f"{' '.join(command)} failed:\n{err.read().decode()[-3000:]}")
        return seconds, usage.ru_maxrss / 1024 / 1024, out.read().decode(), usage.ru_utime + usage.ru_stime


SEARCH = """
import sys, numpy as np
from matchmaker.retrieval.index import top_candidates
vectors = np.load(sys.argv[1]); n = len(vectors) // 2
top_candidates(vectors[n:], vectors[:n], 20, "flat"); top_candidates(vectors[:n], vectors[n:], 20, "flat")
"""
CACHED = """
import sys, numpy as np
from matchmaker import config
from matchmaker.retrieval.index import top_candidates
from matchmaker.scoring.matcher import shared_encoder
environment = config.Environment.read()
texts = open(sys.argv[1], encoding="utf-8").read().split("\\n")
vectors = shared_encoder(environment.model, str(environment.cache_dir)).encode(texts); n = len(vectors) // 2
top_candidates(vectors[n:], vectors[:n], 20, "flat"); top_candidates(vectors[:n], vectors[n:], 20, "flat")
"""
RECALL = """
import json, sys, time, numpy as np, pandas as pd
from matchmaker import config
from matchmaker import vocab as V
from matchmaker.io.limits import ReadLimits
from matchmaker.io.profiles import load_profiles
from matchmaker.retrieval.two_stage import CandidateSearch, recall_against
from matchmaker.scoring.matcher import Matcher
from matchmaker.scoring.ranking import rank_exhaustive
environment = config.Environment.read()
limits = ReadLimits(**json.loads(sys.argv[4]))
matcher = Matcher(model=environment.model, cache_dir=str(environment.cache_dir)).fit(load_profiles(sys.argv[1], limits=limits))
table = pd.read_csv(sys.argv[2], dtype={V.SOURCE_ID: str, V.TARGET_ID: str})
fitted, weights, rng = matcher.fitted_, matcher.weights_, np.random.default_rng(0)
recalls, latencies = {}, []
for direction in V.DIRECTIONS:
    sources, targets = fitted.sides(direction)
    sample = np.sort(rng.choice(sources, min(int(sys.argv[3]), len(sources)), replace=False))
    exact = rank_exhaustive(fitted, sample, targets, 20, weights)
    recalls[direction] = recall_against(exact, table[table[V.SOURCE_ID].isin(set(fitted.ids[sample]))])
    started = time.perf_counter()
    search = CandidateSearch(fitted, direction, weights)
    build = time.perf_counter() - started
    for source in sample[:50]:
        started = time.perf_counter()
        search.recommend(fitted.ids[source], k=20, weights=weights)
        latencies.append(time.perf_counter() - started)
print(json.dumps({"recall": recalls, "one_company_ms": 1000 * float(np.median(latencies)),
                  "one_company_p95_ms": 1000 * float(np.percentile(latencies, 95)), "search_build_s": build}))
"""


def read_limits(n: int, companies: Path) -> dict[str, int]:
    """Read limits that admit the generated file (from 250,000 a side it is above the defaults)."""
    from matchmaker.io.limits import MAX_CELLS, MAX_FILE_BYTES, MAX_ROWS, MAX_SECONDS

    size = companies.stat().st_size
    return {
        "max_bytes": max(MAX_FILE_BYTES, 2 * size // 2**20 * 2**20),
        "max_rows": max(MAX_ROWS, 2 * n),
        "max_cells": max(MAX_CELLS, 2 * n * 40),
        "max_seconds": int(max(MAX_SECONDS, n / 250)),
    }


def one(n: int, args: argparse.Namespace, folder: Path) -> None:
    from matchmaker.io.synthetic import synthetic_profiles

    load_at_start = os.getloadavg()
    frame = synthetic_profiles(n, seed=0)
    companies, texts = folder / "companies.csv", folder / "texts.txt"
    frame.to_csv(companies, index=False)
    texts.write_text("\n".join(frame["description"].str.replace("\n", " ")), encoding="utf-8")
    del frame  # the steps below run in their own processes; at 1,000,000 a side it holds ~3 GB
    python, matchmaker = str(BIN / "python"), str(BIN / "matchmaker")
    figures = {}
    embed = search = (float("nan"),) * 2
    if not args.no_minimal:
        embed = timed([matchmaker, "embed", str(texts), "--out", str(folder / "vectors.npy")])
        search = timed([python, "-c", SEARCH, str(folder / "vectors.npy")])
        figures["minimal job"] = (embed[0] + search[0], max(embed[1], search[1]), embed[3] + search[3])
        cached_run = timed([python, "-c", CACHED, str(texts)])
        figures["minimal, cached"] = (cached_run[0], cached_run[1], cached_run[3])
    out = folder / "recommendations.csv"
    limits = read_limits(n, companies)
    options = [f"--max-file-mb={limits['max_bytes'] // 2**20}", f"--max-rows={limits['max_rows']}"]
    options += [f"--max-cells={limits['max_cells']}", f"--max-seconds={limits['max_seconds']}"]
    command = [matchmaker, "recommend", str(companies), *options, "--top-k", "20", "--out", str(out), "--quiet"]
    profiler = [str(BIN / "pyinstrument"), "-o", args.profile] if args.profile else []
    run = timed([*profiler, *command, "--ranking", args.ranking])
    figures[f"recommend ({args.ranking})"] = (run[0], run[1], run[3])
    if args.exhaustive:
        run = timed([*command[:-2], str(folder / "exact.csv"), "--quiet", "--ranking", "exact"])
        figures["recommend (exact)"] = (run[0], run[1], run[3])
    base, cached = (figures.get(name, (float("nan"),))[0] for name in ("minimal job", "minimal, cached"))
    print(f"{n:,} x {n:,}, top-20 both ways (embed {embed[0]:.1f} s + flat search {search[0]:.1f} s):")
    print(
        "  load average (1, 5, 15 min) at the start: "
        + " ".join(f"{x:.2f}" for x in load_at_start)
        + ", now: "
        + " ".join(f"{x:.2f}" for x in os.getloadavg())
    )
    for name, (seconds, peak, cpu) in figures.items():
        print(
            f"  {name:26s} {seconds:7.1f} s (CPU {cpu:7.1f} s)  {peak:5.2f} GB  "
            f"{seconds / base:5.2f}x minimal job  {seconds / cached:5.2f}x minimal, cached"
        )
    if args.recall:
        _, peak, output, _ = timed(
            [python, "-c", RECALL, str(companies), str(out), str(args.recall), json.dumps(limits)]
        )
        found = json.loads(output.strip().splitlines()[-1])
        print(
            f"  recall of the exhaustive top-20 over {args.recall} sources per direction: "
            + ", ".join(f"{d} {r:.4f}" for d, r in found["recall"].items())
        )
        print(
            f"  one company's two-stage recommend (k=20): median {found['one_company_ms']:.1f} ms, "
            f"p95 {found['one_company_p95_ms']:.1f} ms (search built once in {found['search_build_s']:.1f} s)"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", type=int, nargs="+")
    parser.add_argument("--ranking", default="two-stage", choices=("auto", "exact", "two-stage"))
    parser.add_argument("--exhaustive", action="store_true")
    parser.add_argument("--recall", type=int, default=0, metavar="S")
    parser.add_argument("--no-minimal", action="store_true", help="skip the minimal job (hours at 100,000 and more)")
    parser.add_argument("--profile", metavar="FILE", help="run recommend under pyinstrument, its text report to FILE")
    args = parser.parse_args()
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as folder:
            one(n, args, Path(folder))


if __name__ == "__main__":
    main()
