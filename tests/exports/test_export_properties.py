"""Properties of every export over arbitrary text (Hypothesis, derandomised): whatever the profiles,
notes and names hold, no cell of a CSV or XLSX can run as a formula, not at its start and not after
a line break or tab inside it, the CSV's rows are the table's rows, each CSV cell reads back exactly
(:func:`restore_cell`), and the dossier holds no markup but its own."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser

import pandas as pd
from helpers import DOSSIER_TAGS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from matchmaker import vocab as V
from matchmaker.exports.dossier import DossierContext, render_dossier
from matchmaker.exports.tables import items_table, write_table, xlsx_text
from matchmaker.io.cells import restore_cell, safe_cell
from matchmaker.io.profiles import profiles_from_frame
from matchmaker.scoring.explain import Explanation
from matchmaker.scoring.items import ScoredItem, ShortlistItem

FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)
ATTACKS = [
    "=cmd|' /C calc'!A0",
    "\r=1+1",
    "\n@SUM(A1)",
    "\t-2+3",
    "+1",
    "'=x",
    "<script>x</script>",
    '<img src=x onerror="y">',
    "javascript:alert(1)",
    '"',
    ",",
    ";",
    "\u2028=1",
    "\x0b=1",
    "\x00",
    "&amp;",
    "{{ 7*7 }}",
    "佛山",
]
TEXT = st.lists(
    st.one_of(st.sampled_from(ATTACKS), st.text(st.characters(exclude_categories=("Cs",)), max_size=8)), max_size=5
).map("".join)
# Where a cell could start in some reader: after a line break (any Python, Excel or LibreOffice
# knows) or a tab.
LINE_STARTS = re.compile(r"(?:\A|(?<=[\n\r\t\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]))(.)", re.S)
FORMULA = tuple(V.FORMULA_START)


def runnable(cell: str) -> bool:
    """True when a reader could take ``cell``, or a line of it, as a formula."""
    return any(m.group(1) in FORMULA for m in LINE_STARTS.finditer(cell))


def number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def scored_pair(texts: list[str]) -> list[ScoredItem]:
    """One German-Chinese pair whose every text field, note, author and name is hostile."""
    name, local, city, description, offers, seeks, website, contact, note, author = texts
    rows = []
    for id_, country in (("D1", "DE"), ("C1", "CN")):
        rows.append(
            {
                V.ID: id_,
                V.NAME: name or "x",
                V.NAME_LOCAL: local,
                V.COUNTRY: country,
                V.CITY: city,
                V.DESCRIPTION: description,
                V.OFFERS: offers,
                V.SEEKS: seeks,
                V.WEBSITE: website,
                V.CONTACT_NAME: contact,
                V.CONTACT_EMAIL: contact,
                V.CONTACT_CONSENT: "ja",
                V.FOCUS_AREAS: "e_mobility",
            }
        )
    table = profiles_from_frame(pd.DataFrame(rows)).table.set_index(V.ID, drop=False)
    explanation = Explanation(
        "D1",
        "C1",
        0.5,
        {"semantic": 0.3, "sector": -0.0, "focus": 0.2},
        shared_focus=["e_mobility"],
        shared_terms=[0],
        source_offers_target_seeks=[1],
        disagreements=[("size_gap", {"a": name, "b": description})],
    )
    item = ShortlistItem("D1", "C1", note=note, status="met", author=author, added_at=author)
    gone = ShortlistItem("=GONE\r=1", "C9", source_name=name, target_name=description, note=note)
    return [ScoredItem(item, table.loc["D1"], table.loc["C1"], explanation), ScoredItem(gone, None, None, None)]


@FUZZ
@given(texts=st.lists(TEXT, min_size=10, max_size=10), language=st.sampled_from(V.LANGUAGES))
def test_no_csv_cell_or_line_can_run_and_every_cell_reads_back(tmp_path_factory, texts, language):
    frame = items_table(scored_pair(texts), language)
    path = write_table(frame, tmp_path_factory.mktemp("csv") / "shortlist.csv")
    text = path.read_bytes().decode("utf-8-sig")
    for reader in (
        list(csv.reader(io.StringIO(text, newline=""))),
        pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, header=None).to_numpy().tolist(),
    ):
        assert len(reader) == len(frame) + 1  # no line break inside a cell started a row
        cells = [cell for row in reader for cell in row]
        assert not [c for c in cells if runnable(c) and not number(c)]
    assert not [line for line in text.splitlines() if line[:1] in FORMULA]  # a reader that ignores quotes
    rows = list(csv.reader(io.StringIO(text, newline="")))
    for column, header in enumerate(rows[0]):
        written = frame[restore_cell(header)]
        for value, cell in zip(written, (row[column] for row in rows[1:])):
            if isinstance(value, str):
                assert restore_cell(cell) == value


@settings(FUZZ, max_examples=100)
@given(texts=st.lists(TEXT, min_size=10, max_size=10))
def test_no_xlsx_cell_can_run_and_text_stays_text(tmp_path_factory, texts):
    frame = items_table(scored_pair(texts), "de")
    path = write_table(frame, tmp_path_factory.mktemp("xlsx") / "shortlist.xlsx")
    sheet = load_workbook(path).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    texts_out = [cell.value for cell in cells if isinstance(cell.value, str)]
    assert not [t for t in texts_out if runnable(t)]
    by_header = {cell.value: [c.value for c in column[1:]] for column in sheet.iter_cols() for cell in column[:1]}
    fitted = xlsx_text(frame)  # what an XLSX can hold: line breaks as LF, control pictures, 32,000 characters
    fitted.columns = frame.columns
    for key, written in fitted.items():
        for value, cell in zip(written, by_header[safe_cell(xlsx_text(pd.DataFrame(columns=[key])).columns[0])]):
            if isinstance(value, str):
                assert restore_cell(cell or "") == value


class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []
        self.comments: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += attrs

    def handle_comment(self, data):
        self.comments.append(data)


@settings(FUZZ, max_examples=100)
@given(
    texts=st.lists(TEXT, min_size=10, max_size=10),
    heading=TEXT,
    languages=st.sampled_from([("de", "zh"), ("zh", "de"), ("en", "de")]),
)
def test_the_dossier_holds_no_markup_but_its_own(texts, heading, languages):
    page = render_dossier(scored_pair(texts), DossierContext(heading, author=texts[-1], dataset=texts[0]), languages)
    elements = Elements()
    elements.feed(page)
    assert set(elements.tags) <= DOSSIER_TAGS and not elements.comments
    names = {name for name, _ in elements.attributes}
    assert names <= {"lang", "charset", "http-equiv", "content", "name", "class", "style"}, names
    for name, value in elements.attributes:
        if name == "style":
            assert re.fullmatch(r"width: *[\d.]+%|width:\d+%", value or ""), value  # no "-0.0%" either
        if name == "class":
            assert value in (
                "pair",
                "profiles",
                "bar",
                "text",
                "second",
                "disagree",
                "meta",
                "small",
                "gist",
                "",
                None,
            ), value
    assert page.count("<script") == 0 and page.count("default-src 'none'") == 1
