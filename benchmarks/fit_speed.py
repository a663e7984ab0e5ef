"""How long a fit takes with the default model (or --model): cold (empty embedding cache) and warm (from it).

    .venv/bin/python benchmarks/fit_speed.py 10000 [100000] [--model isa-student]

N profiles (half German, half Chinese) built from the demo and real-benchmark profiles, each made a
different text by its site number in every sentence of its description (the text vector averages the
sentences' vectors, so one new sentence alone would serve the others from the cache), and a sentence
naming the site.
Each size runs in a fresh process with its own empty cache folder.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time


def one(n: int, model: str | None = None) -> dict:
    import pandas as pd

    from matchmaker import config
    from matchmaker.io.profiles import profiles_from_frame
    from matchmaker.scoring.matcher import Matcher

    model = model or config.DEFAULT_MODEL

    sources = [config.DEMO_PROFILES, config.DATA_DIR / "benchmarks" / "real-partnerships" / "companies.csv"]
    base = pd.concat(
        [pd.read_csv(p, dtype=str, keep_default_na=False) for p in sources if p.exists()], ignore_index=True
    )
    base = base[["id", "name", "country", "city", "description", "offers", "seeks", "sector", "focus_areas"]]
    from matchmaker.text import sentences

    def numbered(description: str, i: int) -> str:
        return " ".join(f"{s[:-1]} ({i}){s[-1]}" if s[-1] in ".!?。" else f"{s} ({i})" for s in sentences(description))

    frames = []
    for country, site in (("DE", "Standort Nr. {i}."), ("CN", "第{i}号基地。")):
        part = base[base["country"].isin([country])].sample(n // 2, replace=True, random_state=0).reset_index(drop=True)
        part["id"] = [f"{country}{i:07d}" for i in range(len(part))]
        part["description"] = [numbered(d, i) + " " + site.format(i=i) for i, d in enumerate(part["description"])]
        frames.append(part)
    profiles = profiles_from_frame(pd.concat(frames, ignore_index=True))
    with tempfile.TemporaryDirectory() as cache:
        started = time.perf_counter()
        Matcher(model=model, cache_dir=cache).fit(profiles)
        cold = time.perf_counter() - started
        from matchmaker.scoring import matcher as module

        module.shared_encoder.cache_clear()  # a new process would load the model again
        started = time.perf_counter()
        Matcher(model=model, cache_dir=cache).fit(profiles)
        warm = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "model": model,
        "profiles": n,
        "cold_fit_s": round(cold, 1),
        "warm_fit_s": round(warm, 1),
        "peak_rss_mb": round(peak),
    }


def main() -> None:
    if sys.argv[1] == "--one":
        print(json.dumps(one(int(sys.argv[2]), sys.argv[3])))
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", nargs="+", type=int)
    parser.add_argument("--model", default=None, help="embedding model (default: the default model)")
    args = parser.parse_args()
    from matchmaker import config

    for n in args.sizes:
        command = [sys.executable, __file__, "--one", str(n), args.model or config.DEFAULT_MODEL]
        done = subprocess.run(command, capture_output=True, text=True)
        print(done.stdout.strip().splitlines()[-1] if done.returncode == 0 else done.stderr[-2000:])


if __name__ == "__main__":
    main()
