"""Dashboard figures: re-rank latency when a weight slider moves (demo data), and what one
partner-finder page costs (ranking plus explanations of the shown suggestions).

    .venv/bin/python benchmarks/dashboard.py

Time until the first page is interactive is printed by the browser test
(tests/test_browser.py, run with -s) from navigation to the first suggestions on screen.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from matchmaker import config as C
from matchmaker.io.profiles import load_profiles
from matchmaker.scoring.explain import explain_pair
from matchmaker.scoring.matcher import Matcher
from matchmaker.scoring.weights import Weights


def main() -> None:
    matcher = Matcher().fit(load_profiles(C.DEMO_PROFILES))
    rng = np.random.default_rng(0)
    names = matcher.weights_.active
    ids = matcher.fitted_.ids
    rerank, page = [], []
    for i in range(50):
        weights = Weights(dict(zip(names, rng.dirichlet(np.ones(len(names))).tolist())))
        company = ids[i % len(ids)]
        started = time.perf_counter()
        suggestions = matcher.recommend(company, k=10, weights=weights)
        rerank.append(time.perf_counter() - started)
        for target in suggestions["target_id"]:
            explain_pair(matcher, company, target, weights=weights)
        page.append(time.perf_counter() - started)
    print(
        f"re-rank (recommend, k=10, new weights), median / p95: {1000 * statistics.median(rerank):.1f} / "
        f"{1000 * np.percentile(rerank, 95):.1f} ms"
    )
    print(
        f"re-rank + 10 explanations, median / p95: {1000 * statistics.median(page):.1f} / {1000 * np.percentile(page, 95):.1f} ms"
    )


if __name__ == "__main__":
    main()
