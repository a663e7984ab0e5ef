"""What leaves the system: shortlist tables (CSV, XLSX) and the HTML dossier, probed with formula
and HTML injections in every text field, and checked for contact consent."""

from __future__ import annotations

from html.parser import HTMLParser

import pandas as pd
import pytest
from helpers import DOSSIER_TAGS
from markupsafe import escape
from openpyxl import load_workbook

from matchmaker import config as C
from matchmaker.exports.dossier import DossierContext, render_dossier
from matchmaker.exports.tables import items_table, readable_headers, write_table
from matchmaker.io.cells import restore_cell, safe_cell, safe_filename
from matchmaker.io.profiles import profiles_from_frame
from matchmaker.scoring.components import COMPONENTS
from matchmaker.scoring.items import ShortlistItem, score_items
from matchmaker.scoring.matcher import Matcher

FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1", "\r=1"]
MARKUP = [
    "<script>window.pwned=1</script>",
    '<img src=x onerror="window.pwned=1">',
    '<a href="javascript:alert(1)">x</a>',
]


@pytest.fixture(scope="module")
def hostile_matcher(domain_encoder) -> Matcher:
    """Profiles whose every text field is an attack; D1 and C1 consented to contact release, D2 and C2 not."""
    rows = []
    for i, (formula, markup) in enumerate(zip(FORMULAS, MARKUP * 2), start=1):
        consent = "ja" if i % 2 else "nein"
        rows.append(
            {
                "id": f"D{i}",
                "name": f"{formula} GmbH",
                "name_local": markup,
                "country": "DE",
                "city": "Köln",
                "description": f"{markup} Wir bauen Schweißroboter und Batteriezellen. {formula}",
                "offers": f"{formula} Roboter",
                "seeks": markup,
                "website": "javascript:alert(1)",
                "contact_name": f"Kontakt D{i}",
                "contact_email": f"d{i}@secret.example",
                "contact_consent": consent,
            }
        )
        rows.append(
            {
                "id": f"C{i}",
                "name": f"{markup}",
                "name_local": formula,
                "country": "CN",
                "city": "佛山",
                "description": f"{formula} 公司生产焊接机器人和电池单体。 {markup}",
                "offers": markup,
                "seeks": f"{formula} 合作",
                "contact_name": f"联系人 C{i}",
                "contact_email": f"c{i}@secret.example",
                "contact_consent": "是" if i % 2 else "否",
            }
        )
    return Matcher(cache_dir=None).fit(profiles_from_frame(pd.DataFrame(rows)), encoder=domain_encoder)


def hostile_items(matcher: Matcher) -> list:
    items = [
        ShortlistItem(
            f"D{i}",
            f"C{j}",
            note=FORMULAS[(i + j) % len(FORMULAS)] + " " + MARKUP[i % len(MARKUP)],
            status="met",
            author="=Anna",
        )
        for i in (1, 2)
        for j in (1, 2)
    ]
    return score_items(matcher, items + [ShortlistItem("GONE", "C9", source_name="=gone()", target_name=MARKUP[0])])


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_no_exported_cell_can_run_as_a_formula(hostile_matcher, tmp_path, suffix):
    table = readable_headers(items_table(hostile_items(hostile_matcher), "de"), "de")
    path = write_table(table, tmp_path / f"shortlist{suffix}")
    if suffix == ".csv":
        cells = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig").to_numpy().ravel()
    else:
        sheet = load_workbook(path).active
        cells = [c.value for row in sheet.iter_rows() for c in row if c.value is not None]
        assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    texts = [str(c) for c in cells if isinstance(c, str)]
    assert texts and not [t for t in texts if t.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert any(t.startswith("'=HYPERLINK") for t in texts)  # kept, readable, inert


def test_contacts_appear_only_with_consent_in_every_export(hostile_matcher, tmp_path):
    scored = hostile_items(hostile_matcher)
    table = items_table(scored, "en")
    csv = write_table(table, tmp_path / "s.csv").read_text(encoding="utf-8-sig")
    xlsx = write_table(table, tmp_path / "s.xlsx")
    workbook = " ".join(str(c.value) for row in load_workbook(xlsx).active.iter_rows() for c in row)
    dossier = render_dossier(scored, DossierContext("Messe"), ("de", "zh"))
    for text in (csv, workbook, dossier):
        assert "c1@secret.example" in text  # C1 consented
        assert "c2@secret.example" not in text and "联系人 C2" not in text  # C2 did not
    assert "d1@secret.example" in dossier and "d2@secret.example" not in dossier  # both sides in the dossier


def test_dossier_never_renders_profile_text_as_markup(hostile_matcher):
    page = render_dossier(
        hostile_items(hostile_matcher), DossierContext("<b>Reise</b>", author="<i>Anna</i>"), ("de", "zh")
    )
    for attack in MARKUP + ["<b>Reise</b>", "<i>Anna</i>"]:
        assert attack not in page
    assert str(escape(MARKUP[1])) in page  # shown as text, readable
    tags = TagCollector()
    tags.feed(page)
    assert tags.names <= DOSSIER_TAGS, tags.names
    assert not [a for a in tags.attributes if a == "href" or a == "src" or a.startswith("on")]
    assert "default-src 'none'" in page  # and the page itself forbids scripts and loads


class TagCollector(HTMLParser):
    """The elements and attribute names a browser would build from the page."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()
        self.attributes: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.names.add(tag)
        self.attributes |= {name for name, _ in attrs}


def test_dossier_is_bilingual_and_says_what_produced_it(hostile_matcher):
    scored = hostile_items(hostile_matcher)
    context = DossierContext(
        "Delegation",
        author="Anna",
        dataset="demo",
        model="isa-domain",
        weights_version="2026-11-21.abc",
        fictional=True,
    )
    page = render_dossier(scored, context, ("de", "zh"))
    for expected in (
        "Partnerdossier / 合作伙伴资料册",
        "Bestandteile der Punktzahl / 得分构成",
        "isa-domain",
        "2026-11-21.abc",
        f"{context.generated:%Y-%m-%d}",
        "getroffen / 已会面",
        "fiktiv",
        "虚构",
    ):
        assert expected in page, expected
    # reasons in both languages for every pair still in the data; the missing pair is marked
    assert page.count("Warum dieser Partner / 推荐理由") == 4
    assert "Nicht in den verwendeten Profilen" in page
    english = render_dossier(scored, context, ("en", "en"))
    assert "Partner dossier:" in english and "合作伙伴资料册" not in english


def test_items_table_components_add_up_to_the_score(hostile_matcher):
    table = items_table(hostile_items(hostile_matcher), "en")
    present = table.dropna(subset=["score"])
    parts = [c for c in COMPONENTS if c in table]
    assert len(present) == 4 and parts
    assert (present[parts].sum(axis=1) - present["score"]).abs().max() < 2e-3  # each rounded to 4 places
    assert table.iloc[-1]["why"].startswith("Not in the profiles in use")


@pytest.mark.parametrize("value", FORMULAS + ["plain", "'quoted", "", "佛山 = Foshan"])
def test_restore_cell_undoes_safe_cell(value):
    assert restore_cell(safe_cell(value)) == value


@pytest.mark.parametrize(
    "name, expected",
    [
        ("../../etc/passwd", "etc_passwd"),
        ("Reise nach 佛山: Mai/Juni", "Reise_nach_佛山_Mai_Juni"),
        ("", "export"),
        ("..", "export"),
        ("a\x00b<c>|d", "a_b_c_d"),
    ],
)
def test_file_names_are_sanitised(name, expected):
    assert safe_filename(name) == expected


def test_a_formula_after_a_bare_carriage_return_cannot_start_a_row_or_a_cell(tmp_path):
    """Issue #16, class 1: ``Evil Co\\r=cmd|...`` passed the first-character check, and a CSV writer
    that leaves a bare CR unquoted let readers start a new row at ``=``."""
    import csv
    import io

    attack = "Evil Co\r=cmd|' /C calc'!A0"
    frame = pd.DataFrame({"company": [attack, "Rheinwerk"], "note": ["ok\n@SUM(A1)", "\t=1"], "score": [-0.5, 1.0]})
    text = write_table(frame, tmp_path / "s.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == 3 and rows[1][0] == "Evil Co\r'=cmd|' /C calc'!A0"
    assert pd.read_csv(io.StringIO(text))["score"].tolist() == [-0.5, 1.0]  # numbers stay numbers
    for line in text.splitlines():  # even a reader that ignores quotes meets no formula at a line start
        assert not line.startswith(("=", "+", "-", "@", "\t"))
    assert [restore_cell(c) for c in rows[1][:2]] == [attack, "ok\n@SUM(A1)"]
    sheet = load_workbook(write_table(frame, tmp_path / "s.xlsx")).active
    assert sheet["A2"].value == "Evil Co\n'=cmd|' /C calc'!A0" and sheet["A2"].data_type == "s"


def test_the_dossier_shows_each_reader_the_names_and_text_in_their_script():
    from matchmaker.exports.reading import pinyin
    from matchmaker.io.profiles import load_profiles
    from matchmaker.scoring.items import ScoredItem, ShortlistItem

    demo = load_profiles(C.DEMO_PROFILES).table
    target = demo[(demo["country"] == "CN") & (demo["language"] == "zh")].iloc[0].copy()
    target["name_en"] = target["name_local"] = ""  # no Latin name: the German reader gets pinyin
    target["description_de"] = ""  # no German translation: the German reader gets a gist
    source = demo[demo["country"] == "DE"].iloc[0]
    item = ShortlistItem(source["id"], target["id"], source_name=source["name"], target_name=target["name"])
    page = render_dossier([ScoredItem(item, source, target, None)], DossierContext("Messe"), ("de", "zh"))
    assert pinyin(target["name"]).split()[0] in page  # the Chinese name in pinyin for the German reader
    assert escape(target["name"]) in page  # and in characters for the Chinese reader
    assert "Kurzfassung, aus dem Original erschlossen" in page
    assert escape(target["description"][:40]) in page  # the Chinese reader reads the original
    assert escape(source["description_zh"][:30]) in page  # the German partner's profile in Chinese


def test_the_dossier_names_a_company_with_names_in_both_scripts_once():
    from matchmaker.exports.dossier import _company
    from matchmaker.io.profiles import load_profiles

    demo = load_profiles(C.DEMO_PROFILES).table
    profile = demo[(demo["country"] == "CN") & (demo["name_en"] != "")].iloc[0]
    shown = _company(profile, "", ("de", "zh"))
    assert shown["name"] == f"{profile['name_en']} · {profile['name']}"
    assert shown["name_local"] == ""  # the Chinese reader's "佛山市… · Lingbi …" holds the same two names
    german = demo[demo["country"] == "DE"].iloc[0].copy()
    german["name_local"] = ""  # one script only: one name
    assert _company(german, "", ("de", "zh"))["name_local"] == ""
