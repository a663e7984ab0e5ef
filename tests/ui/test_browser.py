"""The dashboard in a real browser: Debian's Chromium driven by Playwright, on a free local port.

Screenshots land in test-artifacts/ for review. Needs /usr/bin/chromium (./dev.sh test installs
it); without it the test fails with the command to run, it does not skip.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest
from helpers import REPO

from matchmaker import config as C

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def dashboard(tmp_path):
    assert CHROMIUM.exists(), (
        "Debian's chromium is missing: run `apt-get install chromium fonts-noto-cjk` (./dev.sh test does)"
    )
    port = free_port()
    env = {**os.environ, "MATCHMAKER_CACHE_DIR": str(tmp_path / "cache")}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(REPO / "app.py"),
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.5)
    else:
        server.kill()
        pytest.fail(f"the dashboard did not start: {server.stderr.read().decode()[-2000:]}")
    yield url
    server.terminate()
    server.wait(timeout=20)


@pytest.mark.browser
@pytest.mark.slow
def test_dashboard_in_chromium(dashboard, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        page = browser.new_page(viewport={"width": 1500, "height": 1100}, accept_downloads=True)
        started = time.perf_counter()
        page.goto(f"{dashboard}/?lang=zh")
        expect(page.get_by_role("heading", name="寻找合作伙伴")).to_be_visible(timeout=120_000)
        expect(page.get_by_text("来自中国的推荐合作伙伴")).to_be_visible(timeout=60_000)
        print(f"first page interactive after {time.perf_counter() - started:.1f} s")

        # pick a Chinese company by typing part of its name in Chinese
        page.get_by_test_id("stMain").get_by_role("combobox").first.click(
            timeout=120_000
        )  # after the fit of the demo data
        page.keyboard.type("佛山")
        page.keyboard.press("Enter")
        expect(page.get_by_text("来自德国的推荐合作伙伴")).to_be_visible(timeout=60_000)
        first_partner = page.locator("[data-testid='stExpander'] summary").first.inner_text()
        page.screenshot(path=str(ARTIFACTS / "1-chinese-company-german-partners.png"))

        # move a weight slider: semantic similarity all the way down re-ranks the list
        slider = page.get_by_role("slider").first
        slider.focus()
        for _ in range(40):
            page.keyboard.press("ArrowLeft")
        page.wait_for_timeout(1500)
        expect(page.locator("[data-testid='stExpander'] summary").first).not_to_have_text(first_partner, timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / "2-weights-moved.png"))

        # switch the interface to German
        page.get_by_text("Deutsch", exact=True).click()
        expect(page.get_by_role("heading", name="Partnersuche")).to_be_visible(timeout=60_000)
        assert "lang=de" in page.url

        # add the first suggestion to the shortlist and download it
        page.get_by_role("button", name="Auf die Merkliste").first.click()
        expect(page.get_by_text("steht auf der Merkliste")).to_be_visible(timeout=30_000)
        page.get_by_role("link", name="Merkliste").click()
        expect(page.get_by_role("button", name="CSV herunterladen")).to_be_visible(timeout=60_000)
        page.wait_for_timeout(1500)
        page.screenshot(path=str(ARTIFACTS / "3-shortlist.png"), full_page=True)
        with page.expect_download(timeout=60_000) as download_info:
            page.get_by_role("button", name="CSV herunterladen").click()
        saved = tmp_path / "shortlist.csv"
        download_info.value.save_as(saved)
        text = saved.read_text(encoding="utf-8-sig")
        assert "Partner" in text.splitlines()[0] and "Notiz" in text.splitlines()[0] and len(text.splitlines()) == 2

        # the printable dossier opens in the browser, German and Chinese side by side
        with page.expect_download(timeout=60_000) as download_info:
            page.get_by_role("button", name="Dossier herunterladen (HTML, druckbar)").click()
        dossier = tmp_path / "dossier.html"
        download_info.value.save_as(dossier)
        page.goto(dossier.as_uri())
        expect(page.get_by_role("heading", level=1)).to_contain_text("Partnerdossier / 合作伙伴资料册")
        expect(page.get_by_text("Warum dieser Partner / 推荐理由")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "4-dossier.png"), full_page=True)
        browser.close()


HOSTILE_NAME = '<img src=x onerror="window.pwned=1"> **Fett** [Link](javascript:window.pwned=2) GmbH'


@pytest.mark.browser
@pytest.mark.slow
def test_profile_text_never_becomes_markup_in_the_dashboard_or_dossier(dashboard, tmp_path):
    """A profiles file whose names and texts carry HTML and Markdown: uploaded in the browser, shown
    in the finder and the shortlist, exported as a dossier. Nothing of it may run or format."""
    from playwright.sync_api import expect, sync_playwright

    demo = pd.read_csv(C.DEMO_PROFILES, dtype=str, keep_default_na=False)
    profiles = pd.concat(
        [demo[demo["id"].str.startswith("DE")].head(20), demo[demo["id"].str.startswith("CN")].head(20)],
        ignore_index=True,
    )
    german = 0
    profiles.loc[german, "name"] = HOSTILE_NAME
    profiles.loc[german, "description"] = "<script>window.pwned=3</script> " + profiles.loc[german, "description"]
    chinese = profiles.index[profiles["id"].str.startswith("CN")]
    profiles.loc[chinese, "name"] = [f"<b>粗体</b> {name}" for name in profiles.loc[chinese, "name"]]
    upload = tmp_path / "feindlich.csv"
    profiles.to_csv(upload, index=False)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1500, "height": 1100}, accept_downloads=True)
        page.goto(f"{dashboard}/data?lang=de")
        page.locator("input[type='file']").set_input_files(str(upload))
        expect(page.get_by_text("40 Unternehmen geladen")).to_be_visible(timeout=120_000)
        page.get_by_role("link", name="Partnersuche").click()
        page.get_by_test_id("stMain").get_by_role("combobox").first.click(
            timeout=120_000
        )  # after the fit of the upload
        page.keyboard.type("Fett")
        page.keyboard.press("Enter")
        expect(page.get_by_text("Vorgeschlagene Partner aus China")).to_be_visible(timeout=120_000)
        expect(page.locator("[data-testid='stExpander'] summary").first).to_contain_text("<b>粗体</b>", timeout=60_000)
        page.get_by_role("button", name="Auf die Merkliste").first.click()
        expect(page.get_by_text("Zu „Merkliste")).to_be_visible(timeout=30_000)
        page.get_by_role("link", name="Merkliste").click()
        expect(page.get_by_role("button", name="Dossier herunterladen (HTML, druckbar)")).to_be_visible(timeout=60_000)
        page.screenshot(path=str(ARTIFACTS / "5-hostile-shortlist.png"))
        assert page.evaluate("window.pwned") is None
        assert page.locator("img[src='x'], b:has-text('粗体'), a[href^='javascript']").count() == 0

        with page.expect_download(timeout=60_000) as download_info:
            page.get_by_role("button", name="Dossier herunterladen (HTML, druckbar)").click()
        dossier = tmp_path / "dossier.html"
        download_info.value.save_as(dossier)
        page.goto(dossier.as_uri())
        expect(page.get_by_text(HOSTILE_NAME).first).to_be_visible()
        assert page.evaluate("window.pwned") is None
        assert page.locator("img, script, b, a").count() == 0
        browser.close()
