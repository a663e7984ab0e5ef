"""Small helpers the tests share (importable as ``helpers``: pytest puts tests/ on the path)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parent.parent


def write_csv(path: Path, rows: list[dict] | pd.DataFrame, **kwargs) -> Path:
    frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows)
    frame.to_csv(path, index=False, **kwargs)
    return path


def company(id_: str, country: str, city: str, description: str, **extra) -> dict:
    return {
        "id": id_,
        "name": extra.pop("name", f"Firma {id_}"),
        "country": country,
        "city": city,
        "description": description,
        **extra,
    }


def without_file_permission_override(command: list[str]) -> list[str]:
    """``command`` run so that file permissions apply to it (root reads and writes anything): as root,
    through util-linux's setpriv without the capabilities that override file permissions."""
    if os.geteuid() != 0:
        return command
    assert shutil.which("setpriv"), (
        "setpriv (Debian's util-linux) is needed to run a command without root's file access"
    )
    drop = "-dac_override,-dac_read_search"
    return ["setpriv", "--bounding-set", drop, "--inh-caps", drop, "--", *command]


DOSSIER_TAGS = frozenset(
    "html head meta title style body header h1 h2 h3 p br table tr th td div section ul li strong span".split()
)  # every element the dossier template may produce


CHROMIUM = Path("/usr/bin/chromium")


@contextmanager
def running_dashboard(folder: Path, app: str = "app.py", **environment: str) -> Iterator[str]:
    """The dashboard as `matchmaker dashboard` starts it (Streamlit behind matchmaker.ui.server's
    warm-up), on app.py in the checkout so that the shipped .streamlit/config.toml applies, on a free
    local port, with its cache in ``folder`` and the environment variables given (``app``: another
    page script, run with the same settings); yields its address. Its log goes to
    ``folder/server.log`` (a file, not a pipe: a pipe nobody reads fills up and then blocks the
    server mid-test)."""
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    import pytest

    assert CHROMIUM.exists(), (
        "Debian's chromium is missing: run `apt-get install chromium fonts-noto-cjk` (./dev.sh test does)"
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = folder / "server.log"
    env = {**os.environ, "MATCHMAKER_CACHE_DIR": str(folder / "cache"), **environment}
    command = [sys.executable, "-m", "matchmaker.ui.server", "run", app, "--server.headless", "true"]
    command += ["--server.port", str(port), "--server.address", "127.0.0.1"]
    with log.open("wb") as output:
        server = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=output)
    address = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{address}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.5)
    else:
        server.kill()
        pytest.fail(f"the dashboard did not start: {log.read_text(errors='replace')[-2000:]}")
    try:
        yield address
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:  # still busy in a script thread: it has done its part
            server.kill()
            server.wait(timeout=20)


def settled(page) -> None:
    """Wait until the page's script run is over (Streamlit's running indicator gone), so a click
    lands on the widgets of the finished page and not on ones a rerun is about to replace."""
    page.wait_for_timeout(300)
    page.locator("[data-testid='stStatusWidget']").wait_for(state="hidden", timeout=120_000)


SUGGESTION_TITLES = "[data-testid='stExpander'] summary"  # the finder's suggestion cards, best first


def first_suggestion(page) -> str:
    return page.locator(SUGGESTION_TITLES).first.inner_text()


def timed(page, action, changed) -> tuple[float, float]:
    """Seconds from ``action()`` until ``changed()`` returns (what the reader waits to see), and until
    the script run is over as well (nothing on the page still moves). Polls every 20 ms."""
    import time

    started = time.perf_counter()
    action()
    while not changed():
        page.wait_for_timeout(20)
    visible = time.perf_counter() - started
    page.locator("[data-testid='stStatusWidget']").wait_for(state="hidden", timeout=120_000)
    return visible, time.perf_counter() - started


def new_session_seconds(browser, url: str, context=None) -> tuple[float, float, object]:
    """A new dashboard session on the finder: seconds until its first suggestion shows and until it
    settles, and the page. ``context`` None: a new browser profile (nothing cached); else a new tab
    in that profile (Streamlit's scripts and styles from the browser's cache, as for a returning user)."""
    context = context or browser.new_context(viewport={"width": 1500, "height": 1100})
    page = context.new_page()
    titles = page.locator(SUGGESTION_TITLES)
    visible, done = timed(page, lambda: page.goto(url, wait_until="commit"), lambda: titles.count() > 0)
    return visible, done, page


def area_patterns(taxonomy) -> dict:
    """Each focus area's keyword pattern (what infer_focus's counts must equal)."""
    from matchmaker.knowledge.keywords import keyword_alternatives, keyword_patterns

    return keyword_patterns(keyword_alternatives(taxonomy.focus_areas))


def reference_infer_focus(taxonomy, text: str, max_areas: int = 3) -> tuple[str, ...]:
    """Every area's pattern counted over the whole text, as infer_focus did before the screen."""
    lowered = text.lower()
    hits = {key: len(pattern.findall(lowered)) for key, pattern in area_patterns(taxonomy).items()}
    hits = {key: n for key, n in hits.items() if n}
    if not hits:
        return ()
    threshold = 2 if max(hits.values()) >= 2 else 1
    ranked = sorted((key for key, n in hits.items() if n >= threshold), key=lambda k: -hits[k])
    return tuple(ranked[:max_areas])


def refused(path, **kwargs):
    """The report of a profiles file that load_profiles refuses (fails the test if it is read)."""
    import pytest

    from matchmaker.errors import ProfileFileError
    from matchmaker.io.profiles import load_profiles

    with pytest.raises(ProfileFileError) as info:
        load_profiles(path, **kwargs)
    return info.value.report


def issue(report, code):
    """The first issue of ``code`` in ``report`` (fails the test when there is none)."""
    found = [i for i in report.issues if i.code == code]
    assert found, f"no {code} in {report.codes()}"
    return found[0]
