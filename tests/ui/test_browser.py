"""The dashboard in a real browser: Debian's Chromium driven by Playwright, on a free local port.

Screenshots land in test-artifacts/ for review. Needs /usr/bin/chromium (./dev.sh test installs
it); without it the test fails with the command to run, it does not skip.
"""

import re
import time

import pandas as pd
import pytest
from helpers import CHROMIUM, REPO, first_suggestion, new_session_seconds, running_dashboard, settled, timed

from matchmaker import config as C

ARTIFACTS = REPO / "test-artifacts"


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    """The dashboard with its own cache and database in a temporary folder."""
    folder = tmp_path_factory.mktemp("dashboard")
    with running_dashboard(folder, MATCHMAKER_DATABASE_URL=f"sqlite:///{folder / 'matchmaker.sqlite'}") as url:
        yield url, folder / "cache"


@pytest.fixture
def own_dashboard(dashboard, tmp_path):
    """A second server with a database of its own (a test that changes the registry leaves the
    others' alone), sharing the first one's embedding cache."""
    database = f"sqlite:///{tmp_path / 'matchmaker.sqlite'}"
    with running_dashboard(tmp_path, MATCHMAKER_DATABASE_URL=database, MATCHMAKER_CACHE_DIR=str(dashboard[1])) as url:
        yield url


@pytest.mark.browser
@pytest.mark.slow
def test_dashboard_in_chromium(dashboard, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    dashboard = dashboard[0]
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
        page.keyboard.press("Home")  # text similarity to 0
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
        expect(page.get_by_role("button", name="CSV herunterladen", exact=True)).to_be_visible(timeout=60_000)
        page.wait_for_timeout(1500)
        page.screenshot(path=str(ARTIFACTS / "3-shortlist.png"), full_page=True)
        with page.expect_download(timeout=60_000) as download_info:
            page.get_by_role("button", name="CSV herunterladen", exact=True).click()
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
def test_new_sessions_start_alike_and_answer_a_choice_and_a_slider(dashboard):
    """Sessions on a warm server, as new browser profiles and as new tabs: each starts on the same
    company with the same suggestions, also after another tab chose a different company (nothing of a
    session leaks into the next); choosing a company and moving a weight slider change the list.
    Prints how long each took; benchmarks/README.md ("Dashboard") records them."""
    from playwright.sync_api import sync_playwright

    url = f"{dashboard[0]}/?lang=de"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        profiles = [new_session_seconds(browser, url) for _ in range(3)]
        opening = {first_suggestion(page) for *_, page in profiles}
        assert len(opening) == 1, f"new sessions opened on different suggestions: {opening}"
        for *_, earlier in profiles[:-1]:  # an open page keeps its session busy during the next tries
            earlier.context.close()
        context = profiles[-1][2].context
        page = profiles[-1][2]

        before = first_suggestion(page)
        page.get_by_test_id("stMain").get_by_role("combobox").first.click()
        page.keyboard.type("Huzhou")
        page.wait_for_timeout(500)
        choice = timed(page, lambda: page.keyboard.press("Enter"), lambda: first_suggestion(page) != before)
        settled(page)
        before = first_suggestion(page)
        page.get_by_role("slider").first.focus()  # the text similarity's weight
        slider = timed(page, lambda: page.keyboard.press("Home"), lambda: first_suggestion(page) != before)

        tabs = []
        for _ in range(3):
            *seconds, tab = new_session_seconds(browser, url, context)
            tabs.append((*seconds, first_suggestion(tab)))
            tab.close()
        assert {suggestion for *_, suggestion in tabs} == opening, "a new tab opened on another tab's choice"
        browser.close()
    for name, figures in (("new browser profile", profiles), ("new tab", tabs)):
        shown = ", ".join(f"{visible:.2f}/{done:.2f}" for visible, done, _ in figures)
        print(f"new session ({name}), suggestions visible/settled after: {shown} s")
    print(f"another company chosen: visible {choice[0]:.2f} s, settled {choice[1]:.2f} s")
    print(f"weight slider moved: visible {slider[0]:.2f} s, settled {slider[1]:.2f} s")


@pytest.mark.browser
@pytest.mark.slow
def test_profile_text_never_becomes_markup_in_the_dashboard_or_dossier(own_dashboard, tmp_path):
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
    profiles["id"] = "T-" + profiles["id"]  # the demo agency owns the demo ids in the registry
    upload = tmp_path / "feindlich.csv"
    profiles.to_csv(upload, index=False)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1500, "height": 1100}, accept_downloads=True)
        page.goto(f"{own_dashboard}/data?lang=de")
        # local mode: the agency whose companies an upload becomes is registered once
        settled(page)
        page.get_by_label("Name der Agentur").fill("Testagentur")
        page.get_by_role("button", name="Anlegen").click()
        settled(page)
        page.locator("input[type='file']").set_input_files(str(upload), timeout=60_000)
        expect(page.get_by_text("40 Unternehmen gelesen")).to_be_visible(timeout=120_000)
        settled(page)
        page.get_by_role("button", name="40 Unternehmen als Testagentur in das Register importieren").click()
        expect(page.get_by_text(re.compile(r"Import Nr\. \d+ abgeschlossen"))).to_be_visible(timeout=120_000)
        settled(page)
        page.screenshot(path=str(ARTIFACTS / "5-hostile-imported.png"))
        page.get_by_text("Die fiktiven Demo-Unternehmen mit abgleichen").click()  # only the upload is matched now
        settled(page)
        page.screenshot(path=str(ARTIFACTS / "5-hostile-demo-hidden.png"))
        page.get_by_role("link", name="Partnersuche").click()
        search = page.get_by_role("textbox", name="Unternehmen suchen")
        search.wait_for(timeout=240_000)  # after the fit of the upload
        settled(page)
        search.fill("Fett")
        search.press("Enter")
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


# Streamlit's English texts that must not show in the German or Chinese interface (whole lines for
# single words, anywhere for phrases), in the page's text or its aria-label, title and placeholder
ENGLISH_LINES = ("Deploy", "Upload", "Rerun", "Stop", "Open", "Close", "Search")
ENGLISH_PHRASES = (
    "Choose options",
    "Choose an option",
    "Select all",
    "Browse files",
    "No results",
    "Drag and drop",
    "per file",
    "Show data",
    "Download as",
    "Copy Vega-Lite",
    "Skip to main content",
    "Clear all",
    "Fullscreen",
    "Running...",
    "Made with Streamlit",
    "Page not found",
    "Help for",
    "options available",
)
PAGES = {"finder": "", "portfolio": "portfolio", "shortlist": "shortlist", "data": "data"}
SHOWN = {  # what each page shows once it is ready
    "finder": "[data-testid='stExpander']",
    "portfolio": "[data-testid='stDeckGlJsonChart']",
    "shortlist": "h1",
    "data": "h1",
}
WORDS = """() => {
  const texts = [document.body.innerText];
  for (const element of document.querySelectorAll('[aria-label], [title], [placeholder]')) {
    for (const name of ['aria-label', 'title', 'placeholder']) {
      if (element.getAttribute(name)) texts.push(element.getAttribute(name));
    }
  }
  return texts.join('\\n');
}"""


def english_in(text: str) -> list[str]:
    lines = {line.strip() for line in text.splitlines()}
    return [w for w in ENGLISH_LINES if w in lines] + [p for p in ENGLISH_PHRASES if p in text]


@pytest.mark.browser
@pytest.mark.slow
def test_every_page_in_german_and_chinese_stays_on_the_machine_and_speaks_the_reader_s_language(dashboard):
    """Every page in German and in Chinese: no request leaves the local server, no English widget
    text shows (open dropdowns and chart toolbars included), screenshots in test-artifacts/."""
    from playwright.sync_api import expect, sync_playwright

    dashboard = dashboard[0]
    ARTIFACTS.mkdir(exist_ok=True)
    local = dashboard.split("//", 1)[1]
    hosts: set[str] = set()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1500, "height": 1100})
        page.on("request", lambda request: hosts.add(request.url.split("/")[2] if "//" in request.url else request.url))
        for language in ("de", "zh"):
            for name, path in PAGES.items():
                started = time.perf_counter()
                page.goto(f"{dashboard}/{path}?lang={language}")
                page.locator(SHOWN[name]).first.wait_for(timeout=240_000)
                page.wait_for_timeout(2500)  # let the page settle (charts, the map)
                if name == "finder":
                    print(f"{language} finder: suggestions visible after {time.perf_counter() - started:.1f} s")
                found = english_in(page.evaluate(WORDS))
                page.screenshot(path=str(ARTIFACTS / f"page-{language}-{name}.png"))
                if name == "finder":
                    # a dropdown opened and searched for nothing, and the chart's toolbar
                    page.get_by_test_id("stSidebar").get_by_role("combobox").nth(1).click()
                    page.keyboard.type("zzzz")
                    page.wait_for_timeout(800)
                    found += english_in(page.evaluate(WORDS))
                    page.keyboard.press("Escape")
                    page.get_by_test_id("stVegaLiteChart").first.hover()
                    page.wait_for_timeout(800)
                    found += english_in(page.evaluate(WORDS))
                if name == "portfolio":
                    page.get_by_test_id("stDeckGlJsonChart").scroll_into_view_if_needed()
                    page.wait_for_timeout(2500)
                    page.screenshot(path=str(ARTIFACTS / f"page-{language}-portfolio-map.png"))
                assert not found, f"English widget text on the {language} {name} page: {found}"

        # a German reader's card for a Chinese partner is written in German
        page.goto(f"{dashboard}/?lang=de")
        card = page.locator("[data-testid='stExpander']").first
        expect(card).to_be_visible(timeout=120_000)
        expect(page.get_by_text("Vorgeschlagene Partner aus China")).to_be_visible()
        text = card.inner_text()
        profile = re.split(r"^Profil$", text, maxsplit=1, flags=re.M)[1].split("Original anzeigen", 1)[0]
        assert " und " in profile and not re.search(r"[\u4e00-\u9fff]{6}", profile), profile[:400]
        browser.close()
    assert hosts <= {local}, f"requests left the machine: {sorted(hosts - {local})}"
