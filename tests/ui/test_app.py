"""Each dashboard page, run by Streamlit's AppTest on the demo data."""

import pytest
from helpers import REPO
from streamlit.testing.v1 import AppTest

from matchmaker import config as C

TIMEOUT = 180


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("MATCHMAKER_CACHE_DIR", str(tmp_path / "cache"))
    return AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT)


@pytest.mark.slow
def test_finder_shows_partners_from_the_other_country_and_reranks(app):
    app.run()
    assert not app.exception
    assert app.title[0].value == "Partnersuche"  # German by default
    first = [e.label for e in app.expander]
    assert first and all("Score" not in label for label in first)  # labels in German: "Punktzahl"
    company = app.selectbox(key="finder_company_choice_de")  # the chooser of the German interface
    chinese = next(option for option in company.options if "CN" in option)
    company.set_value(chinese).run()
    assert not app.exception
    assert any("Deutschland" in m.value for m in app.subheader)
    before = [e.label for e in app.expander]
    for name in ("semantic", "terms", "focus", "complementarity", "cooperation"):
        app.slider(key=f"weight_{name}").set_value(0.0)
    app.slider(key="weight_sector").set_value(1.0).run()
    assert not app.exception
    assert [e.label for e in app.expander] != before
    app.button(key="reset_weights").click().run()
    assert [e.label for e in app.expander] == before


@pytest.mark.slow
def test_closed_cards_draw_their_reasons_only_when_opened(app):
    from matchmaker import vocab as V
    from matchmaker.io.profiles import load_profiles
    from matchmaker.ui import state
    from matchmaker.ui.common import company_label, plain
    from matchmaker.ui.finder import OPEN_CARDS

    app.run()
    cards = app.expander
    assert len(cards) == 10 and OPEN_CARDS < 10
    assert all(card.text for card in cards[:OPEN_CARDS])  # open: reasons and profile drawn
    assert not any(card.text or card.markdown for card in cards[OPEN_CARDS:])  # closed: label only
    source = app.selectbox(key="finder_company_choice_de").value
    demo = load_profiles(C.DEMO_PROFILES).table
    closed = cards[OPEN_CARDS].label.split(". ", 1)[1].rsplit(" — ", 1)[0]
    target = next(row[V.ID] for _, row in demo.iterrows() if plain(company_label(row, "de")) == closed)
    app.session_state[f"{state.CARD_PREFIX}{source}_{target}"] = True  # what opening the card in the browser sets
    app.run()
    opened = app.expander[OPEN_CARDS]
    assert any(m.value == "**Warum dieser Partner**" for m in opened.markdown)  # its reasons now drawn
    assert any(line.value.startswith("• ") for line in opened.text)
    assert not any(card.text for card in app.expander[OPEN_CARDS + 1 :])  # the others still closed


@pytest.mark.slow
def test_language_switch_covers_interface_and_explanations(app):
    app.run()
    app.sidebar.radio[0].set_value("zh").run()
    assert not app.exception
    assert app.title[0].value == "寻找合作伙伴"
    assert any("得分" in e.label for e in app.expander)
    assert app.query_params["lang"] == ["zh"] or app.query_params["lang"] == "zh"
    app.sidebar.radio[0].set_value("en").run()
    assert app.title[0].value == "Partner finder"


def render_page(page: str) -> None:
    """A page rendered alone, as st.navigation would run it (AppTest.from_function script)."""
    import streamlit as st

    from matchmaker.ui import data_page, portfolio, shortlist_page

    st.session_state.setdefault("pages", {})
    {"portfolio": portfolio, "shortlist": shortlist_page, "data": data_page}[page].render()


def page_test(page: str, **kwargs) -> AppTest:
    return AppTest.from_function(render_page, args=(page,), kwargs=kwargs, default_timeout=TIMEOUT)


@pytest.mark.slow
def test_shortlist_is_saved_in_the_database_and_outlives_the_session(app, private_database):
    from matchmaker.store.shortlists import ShortlistStore

    app.run()
    app.sidebar.text_input(key="author_name").input("Anna Weber").run()
    add = next(b for b in app.button if b.key and b.key.startswith("add_"))
    add.click().run()
    assert not app.exception
    store = ShortlistStore.open(private_database)
    (shortlist,) = store.shortlists()
    (entry,) = store.entries(shortlist.id)
    assert entry.author == "Anna Weber" and entry.score > 0 and entry.weights_version
    store.update_note(entry.id, "Messe Hannover: Stand B12", entry.version, author="Li Na")

    # a new session (another colleague, or after a restart) sees the saved shortlist and its note
    page = page_test("shortlist").run()
    assert not page.exception
    shown = page.dataframe[0].value
    assert "Messe Hannover: Stand B12" in shown.to_string() and entry.target_name in shown.to_string()
    assert {d.key for d in page.get("download_button")} == {"dl_csv", "dl_xlsx", "dl_html"}

    page.selectbox(key="outcome_status").set_value("met")
    next(b for b in page.button if b.label == "Erfassen").click().run()
    assert not page.exception
    (label,) = store.outcome_labels().itertuples(index=False)
    assert (label.grade, label.outcome) == (2, "met")
    assert {entry.source_id, entry.target_id} == {label.de_id, label.cn_id}
    assert "dl_labels" in {d.key for d in page.get("download_button")}


@pytest.mark.slow
def test_portfolio_page_draws_matrix_map_and_heatmap(tmp_path, monkeypatch):
    monkeypatch.setenv("MATCHMAKER_CACHE_DIR", str(tmp_path / "cache"))
    page = page_test("portfolio").run()
    assert not page.exception
    assert len(page.subheader) == 3  # matrix, map, focus heatmap
    page.selectbox(key="portfolio_city").set_value("foshan").run()
    assert not page.exception
    assert "Foshan" in page.markdown[0].value or "佛山" in page.markdown[0].value


def test_data_page_without_upload_shows_the_demo_source():
    page = page_test("data").run()
    assert not page.exception
    assert "Demodaten" in page.caption[0].value


@pytest.mark.parametrize(
    "name, content, code",
    [
        ("firmen.csv", b"\x89PNG\r\n\x1a\n\x00\x00", "binary_file"),
        ("firmen.csv", b"", "file_empty"),
        ("firmen.csv", b"id;name\n1;A\n", "missing_columns"),
    ],
)
def test_a_bad_upload_gives_a_report_not_a_crash(name, content, code):
    from matchmaker.ui.resources import validate_upload

    profiles = validate_upload(name, content)
    assert not profiles.report.usable and code in profiles.report.codes()
    assert profiles.report.render("zh")  # renders in the reader's language


@pytest.mark.slow
def test_finder_starts_from_the_configured_weights_file(app, tmp_path, monkeypatch):
    from matchmaker.scoring.weights import Weights, load_weights, save_weights

    save_weights(Weights({"sector": 1.0}, version="sector-only"), tmp_path / "sector.toml")
    monkeypatch.setenv("MATCHMAKER_WEIGHTS", str(tmp_path / "sector.toml"))
    app.run()
    assert not app.exception
    assert app.slider(key="weight_sector").value == 1.0 and app.slider(key="weight_semantic").value == 0.0
    assert "sector-only" in app.button(key="reset_weights").label

    (tmp_path / "sector.toml").write_text("[weights\nsemantic = ", encoding="utf-8")  # broken by hand
    app.run()
    assert not app.exception
    assert "not valid TOML" in app.sidebar.error[0].value
    default = load_weights(C.DEFAULT_WEIGHTS_FILE)
    assert default.version in app.button(key="reset_weights").label


def save_notes_after_a_colleague() -> None:
    """Two entries read, then a colleague saves a note on the first, then this user saves both."""
    from matchmaker.config import Environment
    from matchmaker.store.shortlists import ShortlistStore
    from matchmaker.ui.shortlist_page import save_notes

    store = ShortlistStore.open(Environment.read().database_url)
    trip = store.create_shortlist("Messe")
    first = store.add_entry(trip.id, "DE0001", "CN0001", source_name="Lautertal", target_name="恒顺")
    store.add_entry(trip.id, "DE0001", "CN0002", source_name="Lautertal", target_name="汇联")
    seen = store.entries(trip.id)
    store.update_note(first.id, "Li: 已约好周一通话", first.version, author="Li Na")
    save_notes(seen, ["Anna: call Monday", "Anna: Muster schicken"])


def test_a_note_saved_by_a_colleague_first_is_shown_not_overwritten(private_database):
    from matchmaker.store.shortlists import ShortlistStore

    page = AppTest.from_function(save_notes_after_a_colleague, default_timeout=TIMEOUT).run()
    assert not page.exception
    assert "已约好周一通话" in page.warning[0].value and "Li Na" in page.warning[0].value
    store = ShortlistStore.open(private_database)
    notes = [e.note for e in store.entries(store.shortlists()[0].id)]
    assert notes == ["Li: 已约好周一通话", "Anna: Muster schicken"]  # theirs kept, the other note saved


@pytest.mark.slow
def test_the_company_search_finds_by_pinyin_and_by_german_transliteration(app):
    app.run()
    chooser = app.selectbox(key="finder_company_choice_de")
    everyone = len(chooser.options)
    app.text_input(key="finder_search").input("foshan shunde").run()
    found = app.selectbox(key="finder_company_choice_de").options
    assert not app.exception and 0 < len(found) < everyone
    assert all("(Foshan)" in option for option in found)
    app.text_input(key="finder_search").input("koeln").run()
    found = app.selectbox(key="finder_company_choice_de").options
    assert found and all("(Köln)" in option for option in found)
    app.text_input(key="finder_search").input("qqqxyz").run()
    assert not app.exception and "qqqxyz" in app.warning[0].value
    assert len(app.selectbox(key="finder_company_choice_de").options) == everyone


def german_share(text: str) -> float:
    letters = [ch for ch in text if ch.isalpha()]
    return sum(ch.isascii() or ch in "äöüÄÖÜß" for ch in letters) / max(len(letters), 1)


@pytest.mark.slow
def test_a_german_reader_reads_a_chinese_partner_in_german(app):
    app.run()
    assert any("China" in m.value for m in app.subheader)
    card = app.expander[0]
    profile = next(t.value for t in card.text if len(t.value) > 200 and not t.value.startswith("• "))  # not a reason
    assert german_share(profile) > 0.95 and " und " in profile
    closest = [t.value for t in card.text if t.value.startswith("• Am nächsten in den Texten: „")]
    assert len(closest) == 2 and all(" ↔ „" in line for line in closest)  # two pairs of quoted statements


@pytest.mark.slow
def test_an_untranslated_chinese_partner_is_shown_to_a_german_reader_as_a_gist(app, private_database):
    import pandas as pd

    from matchmaker.io.profiles import load_profiles, load_profiles_bytes
    from matchmaker.store.accounts import Accounts
    from matchmaker.store.database import open_database
    from matchmaker.store.permissions import Actor
    from matchmaker.store.registry import Registry

    demo = pd.read_csv(C.DEMO_PROFILES, dtype=str, keep_default_na=False)
    demo = demo.drop(columns=["description_de", "description_zh", "description_en"])
    upload = pd.concat([demo[demo["id"].str.startswith("DE")].head(15), demo[demo["id"].str.startswith("CN")].head(15)])
    upload["id"] = "U-" + upload["id"]  # the demo agency owns the demo ids
    # an upload now goes into the shared registry as an agency's companies (#14), the demo hidden
    engine, local = open_database(private_database), Actor.local_mode()
    Accounts(engine).add_agency(local, "koeln", name="KölnBusiness", country="DE", city="Köln")
    Registry(engine).seed_demo(local, load_profiles(C.DEMO_PROFILES).table)
    Accounts(engine).set_hidden(local, "demo", True)
    table = load_profiles_bytes(upload.to_csv(index=False).encode(), "ohne-uebersetzung.csv").table
    Registry(engine).import_profiles(local, "koeln", table, source="ohne-uebersetzung.csv")
    app.run()
    assert not app.exception
    card = app.expander[0]
    assert any("aus dem Original erschlossen" in c.value for c in card.caption)
    gist = next(t.value for t in card.text if "• " in t.value and "Ort:" in t.value)
    assert "Branche:" in gist or "Schwerpunkte:" in gist
    assert german_share(gist.split("Ort:")[0]) > 0.9


@pytest.mark.slow
def test_the_company_chooser_lists_every_company_in_the_readers_order_and_script(app):
    """The chooser's options are computed once per data set and language for every session
    (common.company_choices); each language still gets its own order and labels."""
    from matchmaker import vocab as V
    from matchmaker.io.profiles import load_profiles
    from matchmaker.ui.common import company_label, sorted_ids

    demo = load_profiles(C.DEMO_PROFILES).table
    by_id = demo.set_index(V.ID, drop=False)
    app.run()
    for language in ("de", "zh", "de"):  # back to German: not the Chinese list cached last
        app.sidebar.radio[0].set_value(language).run()
        assert not app.exception
        expected = [company_label(by_id.loc[i], language) for i in sorted_ids(demo, language)]
        assert app.selectbox(key=f"finder_company_choice_{language}").options == expected
    assert expected != [company_label(by_id.loc[i], "zh") for i in sorted_ids(demo, "zh")]
