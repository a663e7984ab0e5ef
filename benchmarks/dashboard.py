"""Dashboard figures: re-rank latency when a weight slider moves (demo data), and what one
partner-finder page costs (ranking plus explanations of the shown suggestions).

    .venv/bin/python benchmarks/dashboard.py [--browser --tries 5]

With --browser, the same dashboard in Chromium (as tests/ui/test_browser.py, whose helpers it uses) on
a warm server: a new session (a new browser profile, nothing cached; and a new tab of a profile that
has Streamlit's scripts cached) until the first suggestions show and until the page settles; choosing
another company; moving a weight slider. Beside them, Streamlit's floor on this machine: a page of one
title and one expander served by the same Streamlit with the same settings, in a new profile and in a
new tab. Each try's page is closed before the next. And the server's share:
the seconds of the page script's run for each new session (the dashboard's own page script, run
through a wrapper that writes how long each run took).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from matchmaker import config as C
from matchmaker.io.profiles import load_profiles
from matchmaker.scoring.explain import explain_pair
from matchmaker.scoring.matcher import Matcher
from matchmaker.scoring.weights import Weights

REPO = Path(__file__).resolve().parent.parent
FLOOR_PAGE = """
import streamlit as st
st.sidebar.radio("Sprache", ["de", "zh", "en"])
st.title("Partnersuche")
with st.expander("1. Partner"):
    st.text("Warum")
"""

# the dashboard's page script as app.py runs it, each run's seconds appended to a log
TIMED_PAGE = """
import runpy
import time

started = time.perf_counter()
try:
    runpy.run_path({page!r}, run_name="__main__")
finally:
    with open({log!r}, "a", encoding="utf-8") as log:
        log.write(f"{{time.perf_counter() - started:.4f}}\\n")
"""


def ranking_figures() -> None:
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


def median_pair(figures: list[tuple[float, float, object]]) -> str:
    visible = statistics.median(f[0] for f in figures)
    done = statistics.median(f[1] for f in figures)
    runs = ", ".join(f"{f[0]:.2f}" for f in figures)
    return f"visible {visible:.2f} s, settled {done:.2f} s (visible per try: {runs})"


def closed(figures: tuple[float, float, object], profile: bool = False) -> tuple[float, float, None]:
    """``figures`` of :func:`new_session_seconds` with its page closed (its browser profile too with
    ``profile``): pages left open keep their sessions, and those of a stopped server keep trying to
    reconnect, taking the CPU from the tries after them."""
    visible, done, page = figures
    (page.context if profile else page).close()
    return visible, done, None


def choose_company(page, city: str) -> tuple[float, float, None]:
    """Seconds until another company's suggestions show (and settle), chosen by typing its city."""
    from helpers import first_suggestion, settled, timed

    settled(page)
    before = first_suggestion(page)
    page.get_by_test_id("stMain").get_by_role("combobox").first.click()
    page.keyboard.type(city)
    page.wait_for_timeout(500)
    return (*timed(page, lambda: page.keyboard.press("Enter"), lambda: first_suggestion(page) != before), None)


def move_slider(page, key: str) -> tuple[float, float, None]:
    """Seconds until the list changes (and settles) after the text similarity's weight slider moves."""
    from helpers import first_suggestion, settled, timed

    settled(page)
    before = first_suggestion(page)
    page.get_by_role("slider").first.focus()
    return (*timed(page, lambda: page.keyboard.press(key), lambda: first_suggestion(page) != before), None)


def browser_figures(tries: int) -> None:
    sys.path.insert(0, str(REPO / "tests"))
    from helpers import CHROMIUM, new_session_seconds, running_dashboard
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        folder = Path(folder)
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        (folder / "floor").mkdir()
        (folder / "floor" / "app.py").write_text(FLOOR_PAGE, encoding="utf-8")
        with running_dashboard(folder / "floor", app=str(folder / "floor" / "app.py")) as url:
            *_, page = new_session_seconds(browser, url)  # the server's first session
            floor = [closed(new_session_seconds(browser, url), profile=True) for _ in range(tries)]
            floor_tabs = [closed(new_session_seconds(browser, url, page.context)) for _ in range(tries)]
            page.context.close()
        runs = folder / "script_runs.txt"
        timed_page = folder / "timed_app.py"
        timed_page.write_text(TIMED_PAGE.format(page=str(REPO / "matchmaker" / "ui" / "app.py"), log=str(runs)))
        database = f"sqlite:///{folder / 'm.sqlite'}"
        with running_dashboard(folder, app=str(timed_page), MATCHMAKER_DATABASE_URL=database) as url:
            url = f"{url}/?lang=de"
            *_, page = new_session_seconds(browser, url)  # fits the demo data (or reads its snapshot)
            first = len(runs.read_text().split())
            fresh = [closed(new_session_seconds(browser, url), profile=True) for _ in range(tries)]
            tabs = [closed(new_session_seconds(browser, url, page.context)) for _ in range(tries - 1)]
            tabs.append(new_session_seconds(browser, url, page.context))  # kept open for the changes below
            scripts = [float(s) for s in runs.read_text().split()[first:]]
            page = tabs[-1][2]
            choices = [
                choose_company(page, city) for city in ("Huzhou", "Aachen", "Foshan", "Hamburg", "Luoyang")[:tries]
            ]
            sliders = [move_slider(page, ("Home", "End")[i % 2]) for i in range(tries)]
        browser.close()
    print(f"Streamlit's floor (one title, one expander), new browser profile: {median_pair(floor)}")
    print(f"Streamlit's floor (one title, one expander), new tab: {median_pair(floor_tabs)}")
    print(f"finder, new session, new browser profile: {median_pair(fresh)}")
    print(f"finder, new session, new tab: {median_pair(tabs)}")
    print(
        f"server, page script per new session: {len(scripts)} runs for {2 * tries} sessions, median "
        f"{statistics.median(scripts):.3f} s (min {min(scripts):.3f}, max {max(scripts):.3f})"
    )
    print(f"finder, another company chosen: {median_pair(choices)}")
    print(f"finder, weight slider moved: {median_pair(sliders)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--browser", action="store_true", help="also measure the dashboard in Chromium")
    parser.add_argument("--tries", type=int, default=5)
    args = parser.parse_args()
    ranking_figures()
    if args.browser:
        browser_figures(args.tries)
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else ["?"]
    print(f"load average at the end: {' '.join(load)} ({os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
