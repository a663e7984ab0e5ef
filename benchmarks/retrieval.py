"""Two-stage ranking against the exhaustive one, side by side in one run, on synthetic companies.

    .venv/bin/python benchmarks/retrieval.py 10000 [--candidates 50 100 200] [--exhaustive]

N German x N Chinese synthetic profiles (`matchmaker generate`), top-20 both ways. Prints the fit
time, the minimal job (one exact FAISS inner-product top-20 over the text vectors, both ways), the
two-stage ranking per candidate count with its recall of the exhaustive top-20, and (with
--exhaustive) the exhaustive ranking; peak memory of the process.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np

from matchmaker.vocab import INDEX_KINDS


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("per_side", type=int)
    parser.add_argument("--candidates", type=int, nargs="+", default=[50, 100, 200])
    parser.add_argument("--exhaustive", action="store_true")
    parser.add_argument("--index", choices=INDEX_KINDS, default="auto")
    args = parser.parse_args()

    from matchmaker import config
    from matchmaker.io.profiles import profiles_from_frame
    from matchmaker.io.synthetic import synthetic_profiles
    from matchmaker.retrieval.index import top_candidates
    from matchmaker.retrieval.two_stage import recall_against, recommend_all_two_stage
    from matchmaker.scoring.matcher import Matcher

    profiles = profiles_from_frame(synthetic_profiles(args.per_side, seed=0))
    started = time.perf_counter()
    matcher = Matcher(cache_dir=str(config.Environment.read().cache_dir)).fit(profiles)
    print(f"{args.per_side:,} x {args.per_side:,}: fit {time.perf_counter() - started:.1f} s (embedding cache on)")
    fitted = matcher.fitted_
    text = fitted.features.text
    started = time.perf_counter()
    for direction in ("de_to_cn", "cn_to_de"):
        sources, targets = fitted.sides(direction)
        top_candidates(text[targets], text[sources], 20)
    minimal = time.perf_counter() - started
    print(f"minimal job (FAISS flat top-20 of text vectors, both ways): {minimal:.1f} s")
    exact = None
    if args.exhaustive:
        started = time.perf_counter()
        exact = matcher.recommend_all(k=20)
        seconds = time.perf_counter() - started
        print(f"exhaustive top-20 both ways: {seconds:.1f} s ({seconds / minimal:.1f}x the minimal job)")
    for count in args.candidates:
        started = time.perf_counter()
        table = recommend_all_two_stage(matcher, k=20, candidates=count, index=args.index)
        seconds = time.perf_counter() - started
        recall = f", recall of the exhaustive top-20 {recall_against(exact, table):.4f}" if exact is not None else ""
        print(
            f"two-stage, {count} candidates ({args.index}): {seconds:.1f} s ({seconds / minimal:.1f}x minimal){recall}"
        )
    print(f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024:.2f} GB")
    np.set_printoptions()


if __name__ == "__main__":
    main()
