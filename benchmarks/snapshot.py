"""Time to a fitted matcher on the demo data, and to the dashboard's first page, without and with the
fitted-state snapshot (matchmaker.scoring.snapshot), side by side in one run.

    .venv/bin/python benchmarks/snapshot.py [--model isa-hybrid] [--browser] [--tries 3]

Every figure is a fresh Python process (imports included), each with its own cache folder:
  first start  - empty cache folder: no embeddings, no snapshot (embeds the demo data);
  no snapshot  - the embedding cache is warm, the snapshot was deleted (what a start cost before);
  snapshot     - the snapshot written by the runs before.
With --browser, the same three states for the real dashboard: from starting the server as
`matchmaker dashboard` does (matchmaker.ui.server) to the first suggestions visible in Chromium (Playwright, as tests/ui/test_browser.py).
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHILD = """
import time, sys
started = time.perf_counter()
from matchmaker import config
from matchmaker.io.profiles import load_profiles
from matchmaker.scoring.matcher import Matcher
from matchmaker.scoring.snapshot import fit_cached
matcher = fit_cached(Matcher(model=sys.argv[1], cache_dir=sys.argv[2]), load_profiles(config.DEMO_PROFILES))
matcher.recommend(matcher.fitted_.ids[0], k=10)
print(time.perf_counter() - started)
"""


def fitted_seconds(model: str, cache: Path) -> float:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, model, str(cache)], capture_output=True, text=True, check=True, cwd=REPO
    )
    return float(done.stdout.strip().splitlines()[-1])


def dashboard_seconds(cache: Path, model: str) -> float:
    """From starting the server to the first suggestions visible in the browser."""
    from playwright.sync_api import expect, sync_playwright

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "MATCHMAKER_CACHE_DIR": str(cache), "MATCHMAKER_MODEL": model}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 1500, "height": 1100})
        started = time.perf_counter()
        server = subprocess.Popen(
            [sys.executable, "-m", "matchmaker.ui.server", "run", str(REPO / "app.py"), "--server.headless", "true"]
            + ["--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            while True:
                try:
                    if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                        break
                except OSError:
                    time.sleep(0.05)
            page.goto(f"{url}/?lang=en")
            expect(page.get_by_text("Suggested partners from China")).to_be_visible(timeout=180_000)
            return time.perf_counter() - started
        finally:
            server.terminate()
            server.wait(timeout=30)
            browser.close()


def states(measure, tries: int) -> dict[str, list[float]]:
    figures: dict[str, list[float]] = {"first start": [], "no snapshot": [], "snapshot": []}
    for _ in range(tries):
        with tempfile.TemporaryDirectory() as folder:
            cache = Path(folder)
            figures["first start"].append(measure(cache))
            shutil.rmtree(cache / "fitted")
            figures["no snapshot"].append(measure(cache))
            figures["snapshot"].append(measure(cache))
    return figures


def report(title: str, figures: dict[str, list[float]]) -> None:
    snapshot = statistics.median(figures["snapshot"])
    print(title)
    for state, values in figures.items():
        median = statistics.median(values)
        runs = ", ".join(f"{v:.1f}" for v in values)
        print(f"  {state:12s} median {median:5.1f} s ({runs}); {median / snapshot:4.1f}x the snapshot start")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="isa-hybrid")
    parser.add_argument("--tries", type=int, default=3)
    parser.add_argument("--browser", action="store_true")
    args = parser.parse_args()
    report(
        f"fitted matcher on the demo data ({args.model}), fresh process incl. imports, then one recommend:",
        states(lambda cache: fitted_seconds(args.model, cache), args.tries),
    )
    if args.browser:
        report(
            "dashboard: server started (as matchmaker dashboard) -> first suggestions visible in Chromium:",
            states(lambda cache: dashboard_seconds(cache, args.model), args.tries),
        )


if __name__ == "__main__":
    main()
