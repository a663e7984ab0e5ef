"""The dashboard on the alliance platform (#14), through Streamlit's AppTest on a real SQLite file per
test: local and shared mode, sign-in, the registry behind the data page, shortlists by agency, and
introductions whose contacts appear only after the partner's agency accepted."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pandas as pd
import pytest
from helpers import REPO, company
from streamlit.testing.v1 import AppTest

from matchmaker.io.profiles import load_profiles_bytes
from matchmaker.store.accounts import Accounts
from matchmaker.store.database import open_database
from matchmaker.store.introductions import Introductions
from matchmaker.store.permissions import Actor, AuthenticationError
from matchmaker.store.registry import Registry
from matchmaker.store.schema import now
from matchmaker.store.shortlists import ShortlistStore

TIMEOUT = 300
PASSWORD = "correct horse battery staple"
TOKEN = "platform_session"  # matchmaker.ui.state.SESSION_TOKEN
LOCAL = Actor.local_mode()


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    """One embedding cache for the module: the registries of these tests share most texts."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture
def platform(private_database, cache_dir, monkeypatch):
    """Two agencies (Hamburg, Foshan) and their accounts in this test's database."""
    monkeypatch.setenv("MATCHMAKER_CACHE_DIR", str(cache_dir))
    engine = open_database(private_database)
    accounts = Accounts(engine)
    accounts.add_agency(LOCAL, "hamburg", name="Hamburg Invest", country="DE", city="Hamburg", name_zh="汉堡投资促进局")
    accounts.add_agency(
        LOCAL,
        "foshan",
        name="佛山市投资促进局",
        country="CN",
        city="佛山",
        name_de="Invest Foshan",
        name_en="Invest Foshan",
    )
    for login, agency, role in [
        ("anna.weber", "hamburg", "editor"),
        ("jonas.berg", "hamburg", "editor"),
        ("vera.lesen", "hamburg", "viewer"),
        ("li.na", "foshan", "editor"),
    ]:
        accounts.add_user(LOCAL, login, agency=agency, role=role, password=PASSWORD)
    return SimpleNamespace(url=private_database, engine=engine, accounts=accounts)


@pytest.fixture
def shared(monkeypatch):
    monkeypatch.setenv("MATCHMAKER_MODE", "shared")


def signed_in(platform, login: str) -> str:
    return platform.accounts.sign_in(login, PASSWORD).token


def full_app(token: str | None = None, language: str = "de") -> AppTest:
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT)
    app.session_state["ui_language"] = language
    if token:
        app.session_state[TOKEN] = token
    return app


def render_page(page: str) -> None:
    """One page alone, as st.navigation runs it after app.py's sign-in gate."""
    import streamlit as st

    from matchmaker.ui import data_page, introductions_page, shortlist_page

    st.session_state.setdefault("pages", {})
    {"data": data_page, "shortlist": shortlist_page, "introductions": introductions_page}[page].render()


def page(name: str, token: str, language: str = "de") -> AppTest:
    app = AppTest.from_function(render_page, args=(name,), default_timeout=TIMEOUT)
    app.session_state["ui_language"] = language
    app.session_state[TOKEN] = token
    return app


def seen(markdown: str) -> str:
    """A Markdown text as the reader sees it (our escapes of names and logins removed)."""
    return re.sub(r"\\(.)", r"\1", markdown)


def texts(app: AppTest) -> str:
    """Everything the page wrote, as one text to search."""
    parts = [
        e.value
        for kind in ("title", "markdown", "caption", "text", "info", "success", "warning", "error")
        for e in getattr(app, kind)
    ]
    parts += [e.label for e in app.expander] + [e.label for e in app.tabs]
    return seen("\n".join(str(p) for p in parts))


def sign_in_form_only(app: AppTest) -> bool:
    return (
        [t.value for t in app.title] == ["Bei ISA Matchmaker anmelden"]
        and not app.expander
        and not [s for s in app.selectbox if s.key and s.key.startswith("finder_company")]
    )


# --- modes and sign-in ----------------------------------------------------------------------------
@pytest.mark.slow
def test_local_mode_shows_the_pages_without_sign_in_and_says_so(platform):
    app = full_app()
    app.run()
    assert not app.exception
    assert app.title[0].value == "Partnersuche" and app.expander  # suggestions, no sign-in on the way
    assert "Lokaler Modus" in app.sidebar.info[0].value and "ohne Anmeldung" in app.sidebar.info[0].value
    assert not [w for w in app.text_input if w.key == "sign_in_password"]
    assert "fiktiv" in app.sidebar.caption[-1].value  # the demo companies are in the registry and matched
    assert app.sidebar.caption[-1].value.endswith("Industriestädteallianz\n\nAlle Demo-Unternehmen sind fiktiv.")


@pytest.mark.slow
def test_shared_mode_shows_only_the_sign_in_form_until_signed_in(platform, shared):
    app = full_app()
    app.run()
    assert not app.exception and sign_in_form_only(app)
    app.text_input(key="sign_in_login").input("anna.weber")
    app.text_input(key="sign_in_password").input(PASSWORD)
    app.button(key="sign_in_submit").click().run()
    assert not app.exception
    assert app.title[0].value == "Partnersuche" and app.expander
    assert "anna.weber (Hamburg Invest, Bearbeiten)" in seen(app.sidebar.success[0].value)
    token = app.session_state[TOKEN]
    assert platform.accounts.actor_for(token).login == "anna.weber"
    assert token not in str(dict(app.query_params)) and PASSWORD not in str(dict(app.query_params))

    app.button(key="sign_out").click().run()
    assert not app.exception and sign_in_form_only(app)
    with pytest.raises(AuthenticationError):
        platform.accounts.actor_for(token)  # the session ended on the server too


def test_a_wrong_password_is_refused_and_shows_no_page(platform, shared):
    app = full_app(language="zh")
    app.run()
    app.text_input(key="sign_in_login").input("anna.weber")
    app.text_input(key="sign_in_password").input("not the password")
    app.button(key="sign_in_submit").click().run()
    assert not app.exception
    assert app.error[0].value == "用户名或密码错误。请检查后重试。"  # in the reader's language
    assert [t.value for t in app.title] == ["登录 ISA Matchmaker"] and not app.expander
    assert TOKEN not in app.session_state


def test_a_locked_account_is_refused_even_with_the_right_password(platform, shared, monkeypatch):
    monkeypatch.setenv("MATCHMAKER_MAX_FAILED_SIGN_INS", "2")
    app = full_app()
    app.run()
    for password in ("wrong one", "wrong two", PASSWORD):
        app.text_input(key="sign_in_login").input("li.na")
        app.text_input(key="sign_in_password").input(password)
        app.button(key="sign_in_submit").click().run()
    assert not app.exception
    assert "gesperrt" in app.error[0].value and sign_in_form_only(app)
    assert TOKEN not in app.session_state


def test_an_expired_session_asks_to_sign_in_again(platform, shared):
    old = platform.accounts.sign_in("li.na", PASSWORD, at=now() - dt.timedelta(hours=9))  # 8 h sessions
    app = full_app(old.token, language="en")
    app.run()
    assert not app.exception
    assert app.warning[0].value == "Your session has expired. Please sign in again."
    assert [t.value for t in app.title] == ["Sign in to ISA Matchmaker"] and TOKEN not in app.session_state


# --- the registry behind the data page -----------------------------------------------------------
def profiles_csv(rows: list[dict]) -> bytes:
    return pd.DataFrame(rows).to_csv(index=False).encode("utf-8")


def validated(rows: list[dict]) -> pd.DataFrame:
    """The table an upload of ``rows`` gives after validation (what the registry is fed)."""
    return load_profiles_bytes(profiles_csv(rows), "profiles.csv").table


HAMBURG = [
    company("HH001", "DE", "Hamburg", "Wir fertigen Lithium-Ionen-Batteriezellen für Elektrobusse."),
    company("HH002", "DE", "Hamburg", "Wir bauen Kläranlagen und Membranfilter für Kommunen."),
]


def test_a_viewer_cannot_upload_or_import(platform, shared):
    app = page("data", signed_in(platform, "vera.lesen"))
    app.run()
    assert not app.exception
    assert not app.get("file_uploader") and not [b for b in app.button if b.key in ("data_import", "undo_import")]
    assert "nur lesen" in app.info[0].value and "Bearbeiten" in app.info[0].value
    assert Registry(platform.engine).companies("hamburg") == []


def test_an_editors_upload_lands_in_the_registry_as_their_agency_and_stays(platform, shared):
    token = signed_in(platform, "anna.weber")
    app = page("data", token)
    app.run()
    with_demo_id = [*HAMBURG, company("DE0001", "DE", "Hamburg", "Eine Kennung der Demo-Agentur.")]
    app.file_uploader(key="uploader").upload("hamburg.csv", profiles_csv(with_demo_id), "text/csv").run()
    assert not app.exception
    assert "3 Unternehmen gelesen" in app.success[0].value  # the validation report first
    assert "data_import" in [b.key for b in app.button]
    assert Registry(platform.engine).companies("hamburg") == []  # nothing written before the click
    app.button(key="data_import").click().run()
    assert not app.exception
    done = texts(app)
    assert "2 neu, 0 geändert, 0 unverändert, 1 abgewiesen" in done
    assert "DE0001 gehört der Agentur Demodaten (fiktiv)" in done
    registry = Registry(platform.engine)
    assert [c.company_id for c in registry.companies("hamburg")] == ["HH001", "HH002"]
    assert registry.company("DE0001").agency == "demo"  # the other agency's company untouched

    changed = [{**HAMBURG[0], "description": "Wir fertigen Batteriezellen und Batteriemodule."}, HAMBURG[1]]
    app.file_uploader(key="uploader").set_value(("hamburg-2.csv", profiles_csv(changed), "text/csv")).run()
    app.button(key="data_import").click().run()
    assert not app.exception
    assert "0 neu, 1 geändert, 1 unverändert, 0 abgewiesen" in texts(app)
    assert registry.company("HH001").version == 2

    # a reload (a new session on the same database) still shows the agency's companies and imports
    again = page("data", token)
    again.run()
    assert not again.exception
    assert "Hamburg Invest: 2" in seen(again.caption[0].value)
    imports = again.dataframe[0].value
    assert list(imports["Datei"]) == ["hamburg-2.csv", "hamburg.csv"]  # the agency's own, newest first
    assert list(imports["neu"]) == [0, 2] and list(imports["geändert"]) == [1, 0]


def test_an_upload_then_undo_restores_the_previous_version(platform, shared):
    token = signed_in(platform, "anna.weber")
    registry = Registry(platform.engine)
    registry.import_profiles(Actor("anna.weber", "hamburg", "editor"), "hamburg", validated(HAMBURG), "first.csv")
    app = page("data", token)
    app.run()
    changed = [{**HAMBURG[0], "name": "Neuer Name GmbH"}, HAMBURG[1]]
    app.file_uploader(key="uploader").upload("second.csv", profiles_csv(changed), "text/csv").run()
    app.button(key="data_import").click().run()
    assert registry.company("HH001").name == "Neuer Name GmbH"
    second = registry.imports("hamburg")[0].id
    app.selectbox(key="import_review").set_value(second).run()
    review = app.dataframe[1].value
    assert dict(zip(review["company_id"], review["action"])) == {"HH001": "geändert", "HH002": "unverändert"}
    app.checkbox(key=f"undo_confirm_{second}").check().run()
    app.button(key="undo_import").click().run()
    assert not app.exception
    assert registry.company("HH001").name == "Firma HH001" and registry.company("HH001").version == 1


# --- shortlists ------------------------------------------------------------------------------------
@pytest.mark.slow
def test_a_user_of_agency_a_does_not_see_agency_b_s_shortlists(platform, shared):
    anna, jonas, li = (
        Actor(*a)
        for a in [
            ("anna.weber", "hamburg", "editor"),
            ("jonas.berg", "hamburg", "editor"),
            ("li.na", "foshan", "editor"),
        ]
    )
    for actor, name in ((anna, "Reise nach Foshan"), (jonas, "Messe Hannover"), (li, "汉堡代表团")):
        store = ShortlistStore(platform.engine, actor)
        shortlist = store.create_shortlist(name, author=actor.login)
        store.add_entry(shortlist.id, "DE0001", "CN0001", source_name="A", target_name="B", author=actor.login)

    app = page("shortlist", signed_in(platform, "anna.weber"))
    app.run()
    assert not app.exception
    chooser = app.selectbox(key="shortlist_id")
    assert sorted(chooser.options) == sorted(
        [
            "Reise nach Foshan (1) · Merkliste von anna.weber (Hamburg Invest)",
            "Messe Hannover (1) · Merkliste von jonas.berg (Hamburg Invest)",
        ]
    )
    assert "汉堡代表团" not in texts(app)
    colleague = next(r.id for r in ShortlistStore(platform.engine, anna).shortlists() if r.owner == "jonas.berg")
    chooser.set_value(colleague).run()
    assert not app.exception
    assert "Merkliste von jonas.berg (Hamburg Invest)" in texts(app)
    assert "Kollegen" in app.info[0].value  # read-only, and says so
    assert not [b for b in app.button if b.key in ("save_notes", "rename_button", "delete_button")]

    theirs = page("shortlist", signed_in(platform, "li.na"), language="zh")
    theirs.run()
    assert theirs.selectbox(key="shortlist_id").options == ["汉堡代表团 (1) · li.na（佛山市投资促进局）的候选名单"]


# --- introductions ---------------------------------------------------------------------------------
CONTACTS = {"contact_consent": "true"}
FOSHAN = [
    company(
        "FS001",
        "CN",
        "佛山",
        "公司生产锂离子电池单体和电池模组，用于电动大巴。",
        contact_name="李娜",
        contact_email="li@foshan.example",
        **CONTACTS,
    ),
    company("FS002", "CN", "佛山", "公司建设污水处理厂，提供膜过滤设备。"),
]


def registry_of_two_agencies(platform) -> None:
    """Hamburg's and Foshan's companies in the registry, the demo companies hidden."""
    registry = Registry(platform.engine)
    hamburg = [
        {**HAMBURG[0], "contact_name": "Anna Kontakt", "contact_email": "kontakt@hh001.example", **CONTACTS},
        HAMBURG[1],
    ]
    registry.import_profiles(Actor("anna.weber", "hamburg", "editor"), "hamburg", validated(hamburg), "hh.csv")
    registry.import_profiles(Actor("li.na", "foshan", "editor"), "foshan", validated(FOSHAN), "fs.csv")
    from matchmaker import config as C
    from matchmaker.io.profiles import load_profiles

    registry.seed_demo(LOCAL, load_profiles(C.DEMO_PROFILES).table)
    platform.accounts.set_hidden(LOCAL, "demo", True)


@pytest.mark.slow
def test_an_introduction_from_agency_a_reaches_agency_b_and_contacts_follow_acceptance(platform, shared):
    registry_of_two_agencies(platform)
    app = full_app(signed_in(platform, "anna.weber"))
    app.run()
    assert not app.exception
    chooser = app.selectbox(key="finder_company_choice_de")
    chooser.set_value("HH001").run()
    assert not app.exception
    message = app.text_area(key="propose_HH001_FS001_message")
    assert "Liebe Kolleginnen und Kollegen" in message.value and "各位同事好" in message.value  # de and zh
    assert "fiktiv" not in app.sidebar.caption[-1].value  # the demo companies are hidden
    app.button(key="propose_HH001_FS001_send").click().run()
    assert not app.exception
    assert "Vorstellung Nr. 1 an Invest Foshan vorgeschlagen" in texts(app)

    # the viewer of the same agency gets no proposal button
    viewer = full_app(signed_in(platform, "vera.lesen"))
    viewer.run()
    viewer.selectbox(key="finder_company_choice_de").set_value("HH001").run()
    assert not viewer.exception and not [b for b in viewer.button if b.key and b.key.startswith("propose_")]

    # Foshan sees it: the open count in the sidebar, the proposal among the incoming ones, in Chinese
    li = signed_in(platform, "li.na")
    assert Introductions(platform.engine).open_count("foshan") == 1
    sidebar = full_app(li, language="zh")
    sidebar.run()
    assert "有 1 项引荐提议等待您答复" in sidebar.sidebar.warning[0].value
    incoming = page("introductions", li, language="zh")
    incoming.run()
    assert not incoming.exception
    assert incoming.tabs[0].label == "收到的（1 项待处理）"
    card = incoming.tabs[0].expander[0]
    assert card.label.startswith("#1 ·") and "已提出引荐" in card.label and "得分" in card.label
    shown = texts(incoming)
    assert "推荐理由" in shown and "各位同事好" in shown
    assert "li@foshan.example" not in shown and "kontakt@hh001.example" not in shown  # before acceptance
    assert "对方机构接受后才会显示联系方式" in shown

    incoming.text_area(key="answer_note_1").input("欢迎，请联系李娜。")
    incoming.button(key="answer_1_accept").click().run()
    assert not incoming.exception
    shown = texts(incoming)
    assert "li@foshan.example" in shown and "kontakt@hh001.example" in shown  # both consented
    assert "已接受引荐" in incoming.tabs[0].expander[0].label

    # and Hamburg sees the answer, the note and the contacts among its outgoing proposals
    outgoing = page("introductions", signed_in(platform, "anna.weber"))
    outgoing.run()
    card = outgoing.tabs[1].expander[0]
    assert "Vorstellung angenommen" in card.label
    shown = texts(outgoing)
    assert "欢迎，请联系李娜。" in shown and "li@foshan.example" in shown
    outgoing.selectbox(key="progress_step_1").set_value("met")
    outgoing.button(key="progress_1_save").click().run()
    assert not outgoing.exception
    assert Introductions(platform.engine).get(LOCAL, 1).status == "met"


@pytest.mark.slow
def test_the_imports_table_names_the_demo_and_the_local_mode_in_the_reader_s_language(platform):
    app = page("data", "", language="zh")  # the local mode: the demo companies are imported at the first page
    app.run()
    assert not app.exception
    imports = app.dataframe[0].value
    demo = imports[imports["文件"] == "虚构的演示企业（随软件提供）"]
    assert len(demo) == 1 and list(demo["操作人"]) == ["本地模式"]
    assert not {"demo companies", "(local)"} & set(imports.astype(str).to_numpy().ravel())
