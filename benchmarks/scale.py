"""Scale benchmark: fit + top-20 for every company, N German x N Chinese synthetic companies.

    .venv/bin/python benchmarks/scale.py 1000 10000 100000

Each size runs in its own process so its peak memory (max RSS) is its own. Prints the time spent
in fit (validation, embedding, features) and ranking, the share of ranking time in the matrix
products, and this machine's measured float32 matrix-product rate for comparison.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time


def matmul_rate() -> float:
    import numpy as np

    a = np.random.default_rng(0).random((2048, 256), dtype=np.float32)
    b = np.random.default_rng(1).random((256, 20000), dtype=np.float32)
    a @ b
    started = time.perf_counter()
    for _ in range(5):
        a @ b
    return 5 * 2 * 2048 * 256 * 20000 / (time.perf_counter() - started) / 1e9


def one_size(n: int) -> dict:
    import numpy as np

    import matchmaker.scoring.components as features
    from matchmaker.io.profiles import profiles_from_frame
    from matchmaker.io.synthetic import synthetic_profiles
    from matchmaker.scoring.matcher import Matcher

    # count time inside the matrix products of the components
    spent = {"matmul": 0.0, "flops": 0.0}
    original = features._dot

    def timed_dot(a, b, pairwise):
        started = time.perf_counter()
        result = original(a, b, pairwise)
        spent["matmul"] += time.perf_counter() - started
        if not pairwise and not hasattr(a, "tocsr"):
            spent["flops"] += 2.0 * a.shape[0] * a.shape[1] * b.shape[0]
        return result

    features._dot = timed_dot
    started = time.perf_counter()
    frame = synthetic_profiles(n, seed=0)
    generate_s = time.perf_counter() - started
    started = time.perf_counter()
    profiles = profiles_from_frame(frame)
    validate_s = time.perf_counter() - started
    started = time.perf_counter()
    matcher = Matcher().fit(profiles)
    fit_s = time.perf_counter() - started
    spent["matmul"] = spent["flops"] = 0.0
    started = time.perf_counter()
    table = matcher.recommend_all(k=20)
    rank_s = time.perf_counter() - started
    assert len(table) == 2 * n * 20 and np.isfinite(table["score"]).all()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "per_side": n,
        "generate_s": round(generate_s, 1),
        "validate_s": round(validate_s, 1),
        "fit_s": round(fit_s, 1),
        "rank_s": round(rank_s, 1),
        "matmul_share": round(spent["matmul"] / rank_s, 2),
        "dense_matmul_gflops": round(spent["flops"] / max(spent["matmul"], 1e-9) / 1e9, 1),
        "peak_rss_mb": round(peak_mb),
    }


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--one":
        print(json.dumps(one_size(int(sys.argv[2]))))
        return
    sizes = [int(a) for a in sys.argv[1:]] or [1000, 10000]
    print(f"machine float32 matrix product: {matmul_rate():.0f} GFLOP/s")
    for n in sizes:
        done = subprocess.run([sys.executable, __file__, "--one", str(n)], capture_output=True, text=True)
        if done.returncode:
            print(done.stderr[-2000:])
            continue
        print(done.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
