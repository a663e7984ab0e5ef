"""The shared-mode dashboard in a real browser: sign in, see an incoming introduction, accept it, see
the contacts. Debian's Chromium driven by Playwright, against a server on a free local port with its
own SQLite database (the fixture follows tests/ui/test_browser.py). Screenshots land in test-artifacts/."""

import pandas as pd
import pytest
from helpers import CHROMIUM, REPO, company, running_dashboard

from matchmaker import config as C
from matchmaker.io.profiles import load_profiles, load_profiles_bytes
from matchmaker.store.accounts import Accounts
from matchmaker.store.database import open_database
from matchmaker.store.introductions import Introductions
from matchmaker.store.permissions import Actor
from matchmaker.store.registry import Registry

ARTIFACTS = REPO / "test-artifacts"
PASSWORD = "correct horse battery staple"


def prepared_database(url: str) -> None:
    """Two agencies with a company each, the demo hidden, and Foshan's proposal to Hamburg."""
    local = Actor.local_mode()
    engine = open_database(url)
    accounts = Accounts(engine)
    accounts.add_agency(local, "hamburg", name="Hamburg Invest", country="DE", city="Hamburg")
    accounts.add_agency(local, "foshan", name="佛山市投资促进局", country="CN", city="佛山", name_de="Invest Foshan")
    accounts.add_user(local, "anna.weber", agency="hamburg", role="editor", password=PASSWORD)
    accounts.add_user(local, "li.na", agency="foshan", role="editor", password=PASSWORD)
    registry = Registry(engine)
    registry.seed_demo(local, load_profiles(C.DEMO_PROFILES).table)
    accounts.set_hidden(local, "demo", True)
    consent = {"contact_consent": "true"}
    rows = {
        "hamburg": [
            company(
                "HH001",
                "DE",
                "Hamburg",
                "Wir fertigen Lithium-Ionen-Batteriezellen für Elektrobusse.",
                contact_name="Anna Kontakt",
                contact_email="kontakt@hh001.example",
                **consent,
            )
        ],
        "foshan": [
            company(
                "FS001",
                "CN",
                "佛山",
                "公司生产锂离子电池单体和电池模组，用于电动大巴。",
                contact_name="李娜",
                contact_email="li@foshan.example",
                **consent,
            )
        ],
    }
    for agency, table in rows.items():
        content = pd.DataFrame(table).to_csv(index=False).encode()
        registry.import_profiles(local, agency, load_profiles_bytes(content, f"{agency}.csv").table)
    Introductions(engine).propose(Actor("li.na", "foshan", "editor"), "FS001", "HH001", "各位同事好，Liebe Kollegen")


@pytest.fixture
def shared_dashboard(tmp_path):
    url = f"sqlite:///{tmp_path / 'platform.sqlite'}"
    prepared_database(url)
    with running_dashboard(tmp_path, MATCHMAKER_DATABASE_URL=url, MATCHMAKER_MODE="shared") as address:
        yield address


@pytest.mark.browser
@pytest.mark.slow
def test_sign_in_and_answer_an_introduction_in_chromium(shared_dashboard):
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1500, "height": 1100})
        page.goto(f"{shared_dashboard}/introductions?lang=de")
        expect(page.get_by_role("heading", name="Bei ISA Matchmaker anmelden")).to_be_visible(timeout=60_000)
        assert page.get_by_role("link", name="Vorstellungen").count() == 0  # no page before sign-in

        page.get_by_label("Benutzername").fill("anna.weber")
        page.get_by_label("Passwort", exact=True).fill("wrong password")
        page.get_by_role("button", name="Anmelden").click()
        expect(page.get_by_text("Benutzername oder Passwort ist falsch")).to_be_visible(timeout=30_000)

        page.get_by_label("Benutzername").fill("anna.weber")
        page.get_by_label("Passwort", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Anmelden").click()
        expect(page.get_by_text("1 offener Vorschlag")).to_be_visible(timeout=120_000)
        assert "session" not in page.url and PASSWORD.split()[0] not in page.url
        page.get_by_role("link", name="Vorstellungen").click()
        expect(page.get_by_role("heading", name="Vorstellungen")).to_be_visible(timeout=120_000)
        expect(page.get_by_role("tab", name="Eingegangen (1 offen)")).to_be_visible(timeout=60_000)
        expect(page.get_by_text("Die Kontaktdaten erscheinen, sobald")).to_be_visible()
        assert page.get_by_text("li@foshan.example").count() == 0
        expect(page.get_by_text("Notiz an die andere Agentur")).to_be_visible()
        page.wait_for_timeout(1500)
        page.screenshot(path=str(ARTIFACTS / "platform-1-incoming.png"), full_page=True)

        page.get_by_role("button", name="Annehmen").click()
        expect(page.get_by_text("li@foshan.example")).to_be_visible(timeout=60_000)
        expect(page.get_by_text("kontakt@hh001.example")).to_be_visible()
        expect(page.get_by_text("Nächster Schritt")).to_be_visible()
        page.wait_for_timeout(1500)
        page.screenshot(path=str(ARTIFACTS / "platform-2-accepted.png"), full_page=True)

        page.get_by_role("button", name="Abmelden").click()
        expect(page.get_by_role("heading", name="Bei ISA Matchmaker anmelden")).to_be_visible(timeout=60_000)
        browser.close()
