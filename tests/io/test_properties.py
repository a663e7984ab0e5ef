"""Properties of the profiles reader over classes of input, not a list (Hypothesis, derandomised so
every run tries the same examples): whatever bytes arrive, the reader returns a table or raises
:class:`ProfileFileError`, nothing else; and a valid table, in any accepted encoding and delimiter,
with any cell contents (control characters, quotes, line breaks, delimiters, CJK), reads back
exactly: cells as written less surrounding spaces and the control characters the report names."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from matchmaker.errors import ProfileFileError
from matchmaker.io.limits import ReadLimits
from matchmaker.io.profiles import header_score, load_profiles_bytes
from matchmaker.io.readers import read_bytes_table
from matchmaker.io.report import ValidationReport

FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
HEADER = ["id", "name", "country", "city", "description", "notes"]
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LIMITS = ReadLimits(max_seconds=60)

# Cells people and programs write: any character (surrogates aside), weighted towards what breaks
# parsers (quotes, delimiters, line breaks, NUL, BOM, formula starts).
TRICKY = ['"', ",", ";", "\t", "|", "\r", "\n", "\r\n", "\x00", "\ufeff", "=", "'", " ", "\u2028", "佛山", "Köln"]
ANY_CHAR = st.characters(exclude_categories=("Cs",))
CELL = st.lists(st.one_of(st.sampled_from(TRICKY), st.text(ANY_CHAR, max_size=6)), max_size=5).map("".join)
GERMAN = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyzäöüßÄÖÜ ABCDEFGXYZ0123456789.,;-€„“'\"\n"), max_size=20)
CHINESE = st.text(st.sampled_from('佛山市顺德区公司生产机器人减速器中德合作，。：“”（）abcXYZ0123 ,;"\n'), max_size=20)


def expected(cell: str) -> str:
    """What the reader gives for a cell: no surrounding spaces, no control characters."""
    cell = cell.strip()
    return CONTROL.sub("", cell).strip() if CONTROL.search(cell) else cell


def table_of(cells: st.SearchStrategy[str]) -> st.SearchStrategy[list[list[str]]]:
    row = st.lists(cells, min_size=len(HEADER), max_size=len(HEADER))
    return st.lists(row, min_size=1, max_size=6).filter(lambda rows: all(header_score(r) < 3 for r in rows))


def read(data: bytes, name: str):
    report = ValidationReport(source=name)
    return read_bytes_table(data, name, report, header_score=header_score, limits=LIMITS), report


def check_exact(raw, rows: list[list[str]]) -> None:
    wanted = [[expected(c) for c in row] for row in rows]
    kept = [(i, row) for i, row in enumerate(wanted) if any(row)]
    assert raw.header == HEADER
    assert raw.records == [row for _, row in kept]
    assert raw.row_numbers == [i + 2 for i, _ in kept]


def csv_bytes(rows: list[list[str]], delimiter: str, quote_all: bool, encoding: str) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(
        out,
        delimiter=delimiter,
        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
        lineterminator="\n" if quote_all else "\r\n",
    )
    writer.writerows([HEADER, *rows])
    return out.getvalue().encode(encoding)


# --- whatever arrives: a table or our error ------------------------------------------------------------
def valid_files() -> dict[str, bytes]:
    rows = [["DE1", "Rheinwerk", "DE", "Köln", "Getriebe", ""], ["CN1", "粤华", "CN", "佛山", "减速器", "x"]]
    book = openpyxl.Workbook()
    for row in [HEADER, *rows]:
        book.active.append(row)
    xlsx = io.BytesIO()
    book.save(xlsx)
    parquet = io.BytesIO()
    pq.write_table(pa.table({h: [r[i] for r in rows] for i, h in enumerate(HEADER)}), parquet)
    return {"p.csv": csv_bytes(rows, ";", False, "utf-8"), "p.xlsx": xlsx.getvalue(), "p.parquet": parquet.getvalue()}


VALID = valid_files()


def damaged(data: bytes, edits: list[tuple[int, int]], cut: int | None) -> bytes:
    damaged = bytearray(data)
    for position, value in edits:
        damaged[position % len(damaged)] = value
    return bytes(damaged[:cut] if cut is not None else damaged)


def only_our_error(data: bytes, name: str) -> None:
    try:
        load_profiles_bytes(data, name, strict=False, limits=LIMITS)
    except ProfileFileError as exc:
        assert exc.report is not None and not exc.report.usable
        assert exc.report.render("de") and exc.report.render("zh")  # every message renders


@FUZZ
@given(data=st.binary(max_size=4096), name=st.sampled_from(["p.csv", "p.xlsx", "p.parquet", "p.txt", "p", "p.xls"]))
def test_random_bytes_give_a_table_or_our_error(data, name):
    only_our_error(data, name)


@FUZZ
@given(
    name=st.sampled_from(sorted(VALID)),
    edits=st.lists(st.tuples(st.integers(0, 2**20), st.integers(0, 255)), max_size=8),
    cut=st.one_of(st.none(), st.integers(0, 20_000)),
)
def test_damaged_files_of_each_format_give_a_table_or_our_error(name, edits, cut):
    only_our_error(damaged(VALID[name], edits, cut), name)


# --- valid tables read back exactly ---------------------------------------------------------------------
@FUZZ
@given(
    rows=table_of(CELL),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    quote_all=st.booleans(),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-32"]),
)
def test_a_csv_in_any_unicode_encoding_and_delimiter_reads_back_exactly_or_is_refused(
    rows, delimiter, quote_all, encoding
):
    data = csv_bytes(rows, delimiter, quote_all, encoding)
    try:
        raw, _ = read(data, "p.csv")
    except ProfileFileError:
        return  # e.g. cells so full of control bytes that the file is binary; the report says so
    check_exact(raw, rows)


@FUZZ
@given(
    rows=table_of(CELL.filter(lambda c: not CONTROL.search(c))),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    quote_all=st.booleans(),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
)
def test_a_csv_of_text_without_control_characters_always_reads_back_exactly(rows, delimiter, quote_all, encoding):
    raw, report = read(csv_bytes(rows, delimiter, quote_all, encoding), "p.csv")
    check_exact(raw, rows)
    assert report.usable


@FUZZ
@given(
    text=st.one_of(
        st.tuples(table_of(GERMAN), st.just("cp1252")),
        st.tuples(table_of(CHINESE), st.just("gb18030")),
        st.tuples(table_of(CHINESE), st.just("utf-16-le")),
    ),
    delimiter=st.sampled_from([",", ";", "\t"]),
)
def test_german_and_chinese_exports_in_legacy_encodings_read_back_exactly_or_are_refused(text, delimiter):
    rows, encoding = text
    data = csv_bytes(rows, delimiter, False, encoding)  # Excel's "CSV", GB18030 exports, BOM-less UTF-16
    try:
        raw, _ = read(data, "p.csv")
    except ProfileFileError:
        return
    check_exact(raw, rows)


@FUZZ
@given(rows=table_of(CELL.filter(lambda c: not CONTROL.search(c))))
def test_a_workbook_reads_back_exactly(rows):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in [HEADER, *rows]:
        sheet.append([cell or None for cell in row])
    out = io.BytesIO()
    book.save(out)
    raw, _ = read(out.getvalue(), "p.xlsx")
    # XML reads a written CR as a line feed (Excel itself stores CR as _x000D_)
    check_exact(raw, [[c.replace("\r\n", "\n").replace("\r", "\n") for c in row] for row in rows])


@FUZZ
@given(rows=table_of(CELL))
def test_a_parquet_file_reads_back_exactly(rows):
    assume(rows)
    out = io.BytesIO()
    pq.write_table(pa.table({h: [row[i] for row in rows] for i, h in enumerate(HEADER)}), out)
    raw, _ = read(out.getvalue(), "p.parquet")
    check_exact(raw, rows)
