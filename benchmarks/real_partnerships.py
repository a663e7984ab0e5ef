"""Match quality on real, documented German-Chinese company relationships (and the demo pairs).

    .venv/bin/python benchmarks/real_partnerships.py [--models isa-domain use-multilingual isa-hybrid]
        [--weights FILE] [--bootstrap 1000]

For each model: Recall@10 and MRR per direction, with full profiles and text-only (sector, focus
areas, size and cooperation types withheld), the matcher against the plain cosine of its own text
vectors, with bootstrap intervals over source companies. A documented pair is relevant (grade 3);
an unlisted pair is not a proven negative, so the figures are a lower bound.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from matchmaker import config
from matchmaker import vocab as V
from matchmaker.evaluation.baselines import _rank_by, full_rankings
from matchmaker.evaluation.significance import format_interval, intervals_for_rankings
from matchmaker.io.pairs import load_pairs
from matchmaker.io.profiles import profiles_from_frame
from matchmaker.scoring.matcher import Matcher
from matchmaker.scoring.weights import as_weights

REAL = config.DATA_DIR / "benchmarks" / "real-partnerships"
WITHHELD = (V.SECTOR, V.SECTOR_CN, V.FOCUS_AREAS, V.EMPLOYEES, V.EMPLOYEES_BAND, V.COOPERATION)


def text_only(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=[c for c in WITHHELD if c in frame.columns])


def cosine_rankings(matcher: Matcher) -> pd.DataFrame:
    fitted = matcher.fitted_
    text = fitted.features.text
    return _rank_by(fitted, lambda s, t: text[s] @ text[t].T)


def measure(name: str, frame: pd.DataFrame, pairs: pd.DataFrame, model: str, weights, resamples: int, cache: str):
    started = time.perf_counter()
    matcher = Matcher(model=model, weights=weights, cache_dir=cache).fit(profiles_from_frame(frame))
    fit_s = time.perf_counter() - started
    rankings = {"matcher": full_rankings(matcher), "plain cosine": cosine_rankings(matcher)}
    table = intervals_for_rankings(rankings, pairs, k=10, relevant_grade=2, n_resamples=resamples, seed=0)
    table = table[table["metric"].isin(["recall", "mrr"])]
    table["cell"] = [format_interval(*r) for r in table[["value", "low", "high"]].itertuples(index=False)]
    shown = table.pivot_table(index=["system", "direction"], columns="metric", values="cell", aggfunc="first")
    means = table.groupby(["system", "metric"])["value"].mean().unstack()
    print(f"\n== {name} · model {model} · fit {fit_s:.1f} s")
    print(shown.to_string())
    print(
        "mean of both directions: "
        + "; ".join(f"{s}: recall@10 {r.recall:.3f}, MRR {r.mrr:.3f}" for s, r in means.iterrows())
    )
    return means


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", nargs="+", default=["isa-domain", "use-multilingual", config.HYBRID_MODEL_NAME])
    parser.add_argument("--weights", type=Path, default=None)
    parser.add_argument("--bootstrap", type=int, default=1000)
    parser.add_argument("--skip-demo", action="store_true")
    args = parser.parse_args()
    weights = as_weights(args.weights)
    cache = str(config.Environment.read().cache_dir)
    real = pd.read_csv(REAL / "companies.csv", dtype=str, keep_default_na=False)
    pairs = load_pairs(REAL / "pairs.csv")
    demo = pd.read_csv(config.DEMO_PROFILES, dtype=str, keep_default_na=False)
    demo_pairs = load_pairs(config.DEMO_PAIRS)
    print(f"real benchmark: {len(real)} companies, {len(pairs)} documented pairs; weights {weights.version}")
    for model in args.models:
        measure("real, full profiles", real, pairs, model, weights, args.bootstrap, cache)
        measure("real, text only", text_only(real), pairs, model, weights, args.bootstrap, cache)
        if not args.skip_demo:
            measure("demo pairs", demo, demo_pairs, model, weights, args.bootstrap, cache)
    np.set_printoptions(precision=3)


if __name__ == "__main__":
    main()
