"""The shared registry on SQLite and a real PostgreSQL server: imports by id within an agency,
another agency's ids refused, re-import changes nothing, review and undo, erasure without trace,
the fingerprint, stale profiles, the hidden demo agency, and introductions with consent on both
sides (notifications through a real local SMTP server)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import inspect, select, text
from store.platform_helpers import LOCAL, alliance, company, frame

from matchmaker.errors import ConflictError
from matchmaker.store.introductions import Introductions, message_template
from matchmaker.store.notify import Notifier, SmtpSettings
from matchmaker.store.permissions import PermissionDeniedError
from matchmaker.store.shortlists import ShortlistStore


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'registry.sqlite'}"
    return request.getfixturevalue("postgres_server")()


def snapshot(engine) -> dict[str, list]:
    """Every row of every registry table, to compare before and after."""
    tables = ("companies", "company_versions", "agencies")
    with engine.connect() as connection:
        return {t: sorted(map(tuple, connection.execute(text(f"SELECT * FROM {t}")).all())) for t in tables}


def test_import_adds_changes_and_leaves_alone_by_id_and_reimport_changes_nothing(url):
    engine, _, registry, actors = alliance(url)
    anna = actors["hamburg-editor"]
    first = registry.import_profiles(anna, "hamburg", frame([company("DE1", "DE"), company("DE2", "DE")]), "a.csv")
    assert (first.added, first.changed, first.unchanged) == (("DE1", "DE2"), (), ())
    fingerprint = registry.fingerprint()
    before = snapshot(engine)
    again = registry.import_profiles(anna, "hamburg", frame([company("DE1", "DE"), company("DE2", "DE")]), "a.csv")
    assert (again.added, again.changed, again.unchanged) == ((), (), ("DE1", "DE2"))
    assert snapshot(engine) == before and registry.fingerprint() != fingerprint  # content equal; a writer passed
    second = registry.import_profiles(
        anna, "hamburg", frame([company("DE1", "DE", description="Neu: Robotik."), company("DE3", "DE")]), "b.csv"
    )
    assert (second.added, second.changed, second.unchanged) == (("DE3",), ("DE1",), ())
    assert registry.company("DE1").version == 2 and registry.company("DE2").version == 1
    review = registry.review_import(second.import_id)
    assert review.set_index("company_id")["action"].to_dict() == {"DE1": "changed", "DE3": "added"}
    profiles = registry.profiles()
    assert list(profiles["id"]) == ["DE1", "DE2", "DE3"] and set(profiles["agency"]) == {"hamburg"}
    assert profiles.set_index("id").loc["DE1", "description"] == "Neu: Robotik."


def test_an_import_carrying_another_agencys_ids_leaves_its_rows_untouched(url):
    engine, _, registry, actors = alliance(url)
    registry.import_profiles(actors["foshan-editor"], "foshan", frame([company("CN1", "CN", name="美的")]))
    before = registry.versions("CN1")
    result = registry.import_profiles(
        actors["hamburg-editor"], "hamburg", frame([company("CN1", "CN", name="Übernommen"), company("DE1", "DE")])
    )
    assert result.refused == (("CN1", "foshan"),) and result.added == ("DE1",)
    assert registry.company("CN1").agency == "foshan" and registry.company("CN1").name == "美的"
    assert registry.versions("CN1").equals(before)
    with pytest.raises(PermissionDeniedError, match="agency 'foshan'"):  # nor by naming the other agency
        registry.import_profiles(actors["hamburg-editor"], "foshan", frame([company("CN1", "CN", name="x")]))
    with pytest.raises(PermissionDeniedError, match="only reads"):
        registry.import_profiles(actors["hamburg-viewer"], "hamburg", frame([company("DE9", "DE")]))
    assert [c.company_id for c in registry.companies()] == ["CN1", "DE1"]


def test_undo_restores_the_previous_versions_and_removes_what_the_import_added(url):
    engine, _, registry, actors = alliance(url)
    anna = actors["hamburg-editor"]
    registry.import_profiles(anna, "hamburg", frame([company("DE1", "DE", description="Version eins.")]))
    original = registry.profiles()
    later = registry.import_profiles(
        anna, "hamburg", frame([company("DE1", "DE", description="Version zwei."), company("DE2", "DE")])
    )
    with pytest.raises(PermissionDeniedError):
        registry.undo_import(actors["foshan-editor"], later.import_id)
    undone = registry.undo_import(anna, later.import_id)
    assert (undone.added, undone.changed) == (("DE2",), ("DE1",))  # removed, restored
    assert registry.profiles().equals(original)
    assert registry.company("DE1").version == 1 and list(registry.versions("DE1")["version"]) == [1]
    with pytest.raises(ConflictError, match="undone already"):
        registry.undo_import(anna, later.import_id)


def test_undo_of_an_import_that_a_later_one_changed_is_refused(url):
    _, _, registry, actors = alliance(url)
    anna = actors["hamburg-editor"]
    first = registry.import_profiles(anna, "hamburg", frame([company("DE1", "DE", description="eins")]))
    second = registry.import_profiles(anna, "hamburg", frame([company("DE1", "DE", description="zwei")]))
    with pytest.raises(ConflictError, match=f"--undo {second.import_id}"):
        registry.undo_import(anna, first.import_id)
    registry.undo_import(anna, second.import_id)
    registry.undo_import(anna, first.import_id)
    assert registry.companies() == []


def every_cell(engine) -> list[tuple[str, str, str]]:
    """(table, column, text) of every non-empty cell of every table of the database."""
    cells = []
    with engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            result = connection.execute(text(f'SELECT * FROM "{table}"'))
            for row in result:
                cells += [(table, column, str(value)) for column, value in zip(result.keys(), row) if value is not None]
    return cells


def test_erasure_leaves_no_trace_of_the_company_in_any_table(url):
    engine, _, registry, actors = alliance(url)
    secret = {
        "name": "Geheimnis Präzisionsteile GmbH",
        "description": "Einzigartige Beschreibung XQ-7781 der Präzisionsteile.",
        "contact_name": "Erika Mustermann",
        "contact_email": "erika@geheimnis.example",
        "contact_consent": "true",
    }
    anna, li = actors["hamburg-editor"], actors["foshan-editor"]
    registry.import_profiles(anna, "hamburg", frame([company("DE-SECRET", "DE", **secret), company("DE2", "DE")]))
    registry.import_profiles(anna, "hamburg", frame([company("DE-SECRET", "DE", **{**secret, "offers": "Teile"})]))
    registry.import_profiles(li, "foshan", frame([company("CN1", "CN")]))
    shortlists = ShortlistStore(engine, anna)
    trip = shortlists.create_shortlist("Reise")
    entry = shortlists.add_entry(
        trip.id, "DE-SECRET", "CN1", source_name=secret["name"], note="Anruf bei Erika Mustermann"
    )
    shortlists.add_entry(trip.id, "DE2", "CN1", note="Vergleich mit Geheimnis Präzisionsteile GmbH")
    shortlists.update_note(entry.id, "Termin mit erika@geheimnis.example", entry.version)
    introductions = Introductions(engine)
    intro = introductions.propose(anna, "DE-SECRET", "CN1", "Vorstellung von Geheimnis Präzisionsteile GmbH")
    introductions.answer(li, intro.id, accept=True, note="gern")
    introductions.progress(anna, intro.id, "met")
    shortlists.record_outcome("DE-SECRET", "CN1", "agreement")
    shortlists.record_outcome("DE2", "CN1", "met")

    with pytest.raises(PermissionDeniedError, match="agency-admin"):
        registry.erase_company(anna, "DE-SECRET")
    with pytest.raises(PermissionDeniedError):
        registry.erase_company(actors["foshan-agency-admin"], "DE-SECRET")
    removed = registry.erase_company(actors["hamburg-agency-admin"], "DE-SECRET")
    assert removed["companies"] == 1 and removed["company_versions"] == 2 and removed["introductions"] == 1

    needles = ["DE-SECRET", *secret.values()]
    needles.remove("true")
    traces = [(t, c, v) for t, c, v in every_cell(engine) if any(n.lower() in v.lower() for n in needles)]
    assert traces == []
    with engine.connect() as connection:
        counts = dict(connection.execute(text("SELECT status, count FROM erased_outcomes")).all())
    assert counts == {"proposed": 1, "accepted": 1, "met": 1, "agreement": 1}
    assert [e.source_id for e in shortlists.entries(trip.id)] == ["DE2"]  # the others' records stay
    assert list(shortlists.outcome_history()["de_id"]) == ["DE2"]


def test_fingerprint_stale_profiles_and_the_hidden_demo_agency(url):
    engine, accounts, registry, actors = alliance(url)
    demo = frame([company("DE-DEMO", "DE"), company("CN-DEMO", "CN")])
    assert registry.seed_demo(LOCAL, demo).added == ("DE-DEMO", "CN-DEMO")  # in the order of the file
    assert registry.seed_demo(LOCAL, demo) is None  # only on first start
    registry.import_profiles(actors["hamburg-editor"], "hamburg", frame([company("DE1", "DE")]))
    assert set(registry.profiles()["id"]) == {"CN-DEMO", "DE-DEMO", "DE1"}
    assert list(registry.profiles(include_demo=False)["id"]) == ["DE1"]
    fingerprint = registry.fingerprint()
    assert registry.fingerprint() == fingerprint
    with pytest.raises(PermissionDeniedError):
        accounts.set_hidden(actors["hamburg-agency-admin"], "demo", True)
    accounts.set_hidden(LOCAL, "demo", True)
    assert registry.fingerprint() != fingerprint
    assert list(registry.profiles()["id"]) == ["DE1"]
    assert len(registry.profiles(include_hidden=True)) == 3

    later = dt.datetime.now() + dt.timedelta(days=400)
    assert {c.company_id for c in registry.stale(at=later)} == {"CN-DEMO", "DE-DEMO", "DE1"}
    assert registry.stale() == [] and registry.stale(months=14, at=later) == []
    registry.mark_verified(actors["hamburg-editor"], ["DE1"], at=later)
    assert {c.company_id for c in registry.stale(at=later)} == {"CN-DEMO", "DE-DEMO"}
    with pytest.raises(PermissionDeniedError):
        registry.mark_verified(actors["hamburg-editor"], ["CN-DEMO"])


class Inbox:
    """A real SMTP server (aiosmtpd) on a free local port that keeps what it receives."""

    def __init__(self) -> None:
        import socket

        from aiosmtpd.controller import Controller

        with socket.socket() as probe:  # a free port (aiosmtpd's start-up check cannot use port 0)
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.messages: list = []
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        import email
        from email import policy

        self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


@pytest.fixture
def inbox():
    box = Inbox()
    box.controller.start()
    yield box
    box.controller.stop()


def test_contacts_are_seen_by_both_agencies_only_after_acceptance_and_with_consent(url, inbox):
    engine, accounts, registry, actors = alliance(url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE agencies SET email = 'invest@foshan.example' WHERE key = 'foshan'"))
        connection.execute(text("UPDATE agencies SET email = 'team@hamburg.example' WHERE key = 'hamburg'"))
    anna, li, viewer = actors["hamburg-editor"], actors["foshan-editor"], actors["foshan-viewer"]
    consent = {"contact_name": "Jan Peters", "contact_email": "jan@firma.example", "contact_consent": "true"}
    registry.import_profiles(anna, "hamburg", frame([company("DE1", "DE", **consent)]))
    registry.import_profiles(
        li,
        "foshan",
        frame(
            [
                company("CN1", "CN", contact_name="王芳", contact_email="wang@fs.example", contact_consent="true"),
                company("CN2", "CN", contact_name="李雷", contact_email="li@fs.example", contact_consent="false"),
            ]
        ),
    )
    introductions = Introductions(engine, Notifier(SmtpSettings("127.0.0.1", inbox.port, sender="noreply@isa.example")))

    def contacts_seen_by(actor) -> dict[str, str]:
        table = registry.profiles(actor)
        return {row.id: row.contact_email for row in table.itertuples() if row.contact_email}

    assert contacts_seen_by(anna) == {"DE1": "jan@firma.example"}
    assert contacts_seen_by(li) == {"CN1": "wang@fs.example"}  # own, consented only
    assert "contact_email" not in registry.profiles().columns or not registry.profiles()["contact_email"].any()

    message = message_template("Firma DE1", "Firma CN1", ("de", "zh"))
    assert "Firma CN1" in message and "引荐" in message and "vorstellen" in message
    with pytest.raises(PermissionDeniedError):
        introductions.propose(li, "DE1", "CN1", message)  # not Foshan's company
    intro = introductions.propose(anna, "DE1", "CN1", message, score=0.71, details={"sector": 0.2})
    assert introductions.open_count("foshan") == 1 and introductions.open_count("hamburg") == 0
    ((to, mail),) = inbox.messages
    assert to == ["invest@foshan.example"] and "引荐" in mail["Subject"]
    with pytest.raises(PermissionDeniedError):
        registry.contact(li, "DE1")
    assert contacts_seen_by(li) == {"CN1": "wang@fs.example"}
    with pytest.raises(PermissionDeniedError):
        introductions.answer(anna, intro.id, accept=True)  # the proposer cannot accept for Foshan
    with pytest.raises(PermissionDeniedError):
        introductions.answer(viewer, intro.id, accept=True)
    with pytest.raises(ConflictError, match="still open"):
        introductions.propose(anna, "DE1", "CN1", "noch einmal")
    accepted = introductions.answer(li, intro.id, accept=True, note="Gern, 欢迎")
    assert accepted.status == "accepted" and introductions.open_count("foshan") == 0
    assert inbox.messages[-1][0] == ["team@hamburg.example"] and "angenommen" in inbox.messages[-1][1]["Subject"]
    assert contacts_seen_by(li) == {"CN1": "wang@fs.example", "DE1": "jan@firma.example"}
    assert contacts_seen_by(anna) == {"DE1": "jan@firma.example", "CN1": "wang@fs.example"}
    assert registry.contact(anna, "CN1").name == "王芳"

    no_consent = introductions.propose(anna, "DE1", "CN2", message)
    introductions.answer(li, no_consent.id, accept=True)
    with pytest.raises(PermissionDeniedError, match="consented"):
        registry.contact(anna, "CN2")
    assert "CN2" not in contacts_seen_by(anna)

    introductions.progress(li, intro.id, "contacted")
    introductions.progress(anna, intro.id, "agreement")
    history = ShortlistStore(engine).outcome_history()
    pair = history[(history["de_id"] == "DE1") & (history["cn_id"] == "CN1")]
    assert list(pair["status"]) == ["proposed", "accepted", "contacted", "agreement"]
    labels = ShortlistStore(engine).outcome_labels().set_index("cn_id")
    assert labels.loc["CN1", "grade"] == 3 and labels.loc["CN2", "grade"] == 1
    assert [i.id for i in introductions.list(viewer, "incoming")] == [no_consent.id, intro.id]
    assert introductions.list(viewer, "outgoing") == []


def test_a_declined_proposal_shows_no_contact_and_labels_the_pair_zero(url):
    engine, _, registry, actors = alliance(url)
    anna, li = actors["hamburg-editor"], actors["foshan-editor"]
    registry.import_profiles(
        anna, "hamburg", frame([company("DE1", "DE", contact_email="a@b.example", contact_consent="true")])
    )
    registry.import_profiles(
        li, "foshan", frame([company("CN1", "CN", contact_email="c@d.example", contact_consent="true")])
    )
    introductions = Introductions(engine)  # no SMTP configured: nothing is sent, nothing fails
    intro = introductions.propose(anna, "DE1", "CN1", "Hallo")
    introductions.answer(li, intro.id, accept=False, note="kein Bedarf")
    with pytest.raises(PermissionDeniedError):
        registry.contact(anna, "CN1")
    with pytest.raises(ConflictError, match="steps follow only an accepted"):
        introductions.progress(anna, intro.id, "met")
    assert ShortlistStore(engine).outcome_labels().iloc[0]["grade"] == 0
    with engine.connect() as connection:
        assert connection.execute(select(text("count(*)")).select_from(text("audit_events"))).scalar() > 0
