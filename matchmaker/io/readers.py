"""Read a profiles file of any accepted kind into a table of strings.

CSV (UTF-8, UTF-8 with BOM, GB18030, UTF-16 and Windows-1252 detected; comma, semicolon, tab or |
detected), XLSX (the sheet with the company table; a header row below title rows; merged header
cells reported) and Parquet. Every cell comes back as ``str`` ("" when empty): nothing is evaluated,
a formula stays its text. Problems that make the file unreadable raise :class:`ProfileFileError`
carrying a report; everything else is collected in the report for the caller to extend.
"""

from __future__ import annotations

import csv
import io
import math
import sys
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from matchmaker import vocab as V
from matchmaker.errors import ProfileFileError
from matchmaker.io.report import ValidationReport
from matchmaker.text import has_cjk

DELIMITERS = (",", ";", "\t", "|")
_DELIMITER_NAMES = {",": "comma (,)", ";": "semicolon (;)", "\t": "tab", "|": "vertical bar (|)"}
_SNIFF_RECORDS = 200
_HEADER_SEARCH_ROWS = 10

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # a 10 MB description cell is still one field


@dataclass
class RawTable:
    """Cells as strings; ``header`` as written in the file; ``row_numbers[i]`` is the spreadsheet
    row of record ``i`` (what a person sees in Excel)."""

    header: list[str]
    records: list[list[str]]
    row_numbers: list[int]


def read_raw_table(path: Path, report: ValidationReport, sheet: str | None = None, header_score=None) -> RawTable:
    """Read ``path`` into a :class:`RawTable`, adding notes to ``report``.

    ``header_score(cells) -> int`` rates a candidate header row (how many cells name known
    columns); it picks the delimiter, the sheet and the header row. Raises ProfileFileError for a
    file that cannot be read at all.
    """
    header_score = header_score or (lambda cells: 0)
    path = Path(path)
    if not path.is_file():
        _fail(report, "file_missing", path=str(path))
    data = path.read_bytes()
    if not data:
        _fail(report, "file_empty")
    suffix = path.suffix.lower()
    kind = _sniff_binary_kind(data)
    if suffix in (".xlsx", ".xlsm") or (kind == "zip" and suffix not in (".csv", ".txt", ".tsv")):
        if kind != "zip":
            _fail(report, "unreadable", kind="XLSX", reason="it is not a ZIP-based Excel workbook")
        return _read_xlsx(data, report, sheet, header_score)
    if suffix == ".parquet" or kind == "parquet":
        return _read_parquet(data, report)
    if suffix == ".xls" or kind == "ole":
        _fail(report, "old_excel")
    if kind == "zip":
        if _is_xlsx(data):
            _fail(report, "renamed_workbook", name=path.name)
        _fail(report, "binary_file", kind="ZIP archive")
    if kind is not None:
        _fail(report, "binary_file", kind=kind)
    if suffix not in ("", ".csv", ".txt", ".tsv", ".tab"):
        _fail(report, "unsupported_format", suffix=suffix)
    text = _decode(data, report)
    return _parse_csv(text, report, header_score)


# --- bytes ----------------------------------------------------------------------------------------
def _fail(report: ValidationReport, code: str, **params: object) -> None:
    report.add("error", code, **params)
    raise ProfileFileError(report.issues[-1].message("en"), report)


def _sniff_binary_kind(data: bytes) -> str | None:
    head = data[:8]
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"
    for magic, kind in (
        (b"%PDF", "PDF document"),
        (b"\x89PNG", "PNG image"),
        (b"\xff\xd8\xff", "JPEG image"),
        (b"\x1f\x8b", "gzip archive"),
        (b"SQLite format", "SQLite database"),
        (b"\x7fELF", "program"),
    ):
        if data.startswith(magic):
            return kind
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return None  # UTF-16 text, as Excel's "Unicode text" export writes
    if b"\x00" in data[:8192]:
        return "unknown binary data"
    return None


def _is_xlsx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _decode(data: bytes, report: ValidationReport) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return (
            data[3:].decode("utf-8", errors="strict") if _valid(data[3:], "utf-8") else _undecodable(data[3:], report)
        )
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        report.add("info", "encoding_used", encoding="UTF-16")
        return data.decode("utf-16")
    if _valid(data, "utf-8"):
        return data.decode("utf-8")
    # Not UTF-8. A file that is UTF-8 but for a few stray bytes is damaged: say where, guess nothing.
    lossy = data.decode("utf-8", errors="replace")
    bad = lossy.count("\ufffd")
    good_multibyte = sum(1 for ch in lossy if ord(ch) > 0x7F and ch != "\ufffd")
    if good_multibyte > bad:
        return _undecodable(data, report)
    for encoding, label in (("gb18030", "GB18030"), ("cp1252", "Windows-1252")):
        if _valid(data, encoding) and _plausible(data.decode(encoding), encoding):
            report.add("info", "encoding_used", encoding=label)
            return data.decode(encoding)
    return _undecodable(data, report)


def _valid(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _plausible(text: str, encoding: str) -> bool:
    """GB18030 decodes most byte strings; accept it only when its non-ASCII characters are mostly
    common CJK ideographs and punctuation. Windows-1252 only when they are mostly Latin letters."""
    extra = [ch for ch in text if ord(ch) > 0x7F]
    if not extra:
        return True
    if encoding == "gb18030":
        # Real Chinese text sits in the GB2312 core (both bytes >= 0xA1); Windows-1252 German read
        # as GB18030 gives rare characters outside it ("Köln" -> "K鰈n"), which this rejects.
        def common(ch: str) -> bool:
            try:
                ch.encode("gb2312")
                return True
            except UnicodeEncodeError:
                return ch.isalpha() and ord(ch) < 0x250

        return any(has_cjk(ch) for ch in extra) and sum(map(common, extra)) / len(extra) > 0.95
    latin = sum(1 for ch in extra if ch.isalpha() and ord(ch) < 0x250 or ch in "€–—„“”‚‘’…·°§²³µ«»")
    return latin / len(extra) > 0.9


def _undecodable(data: bytes, report: ValidationReport) -> str:
    try:
        data.decode("utf-8")
        position = 0
    except UnicodeDecodeError as exc:
        position = exc.start
    line = data[:position].count(b"\n") + 1
    snippet = " ".join(f"0x{b:02X}" for b in data[position : position + 4])
    _fail(report, "undecodable", line=line, bytes=snippet)
    raise AssertionError("unreachable")


# --- CSV --------------------------------------------------------------------------------------------
def _parse_csv(text: str, report: ValidationReport, header_score) -> RawTable:
    delimiter = _detect_delimiter(text, header_score)
    if delimiter is None:
        first_line = text.splitlines()[0][:120] if text.strip() else ""
        _fail(report, "delimiter_unknown", header=first_line)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    report.add("info", "delimiter_used", delimiter=_DELIMITER_NAMES[delimiter])
    # Record i starts on spreadsheet row i + 1 (quoted line breaks stay inside one record).
    numbered = [(i + 1, row) for i, row in enumerate(rows)]
    return _table_from_rows(numbered, report, header_score)


def _detect_delimiter(text: str, header_score) -> str | None:
    """The delimiter under which the first records are most consistent with the header.

    Each candidate parses the first records; it must give a header of at least two cells, and the
    share of records with exactly the header's width decides, then how many header cells name
    known columns, then the width."""
    best, best_key = None, None
    for delimiter in DELIMITERS:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        records = []
        try:
            for row in reader:
                if any(cell.strip() for cell in row):
                    records.append(row)
                if len(records) > _SNIFF_RECORDS:
                    break
        except csv.Error:
            continue
        if not records:
            continue
        header_row = max(records[:_HEADER_SEARCH_ROWS], key=header_score)
        width = len(header_row)
        if width < 2:
            continue
        body = records[records.index(header_row) + 1 :] or [header_row]
        consistent = sum(len(r) == width or (len(r) < width) for r in body) / len(body)
        key = (consistent >= 0.8, header_score(header_row), consistent, width)
        if best_key is None or key > best_key:
            best, best_key = delimiter, key
    if best_key is None or not best_key[0]:
        return None
    return best


# --- XLSX -------------------------------------------------------------------------------------------
def _read_xlsx(data: bytes, report: ValidationReport, sheet: str | None, header_score) -> RawTable:
    import openpyxl
    from openpyxl.utils import get_column_letter

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=False, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        _fail(report, "unreadable", kind="XLSX", reason=f"{type(exc).__name__}: {exc}")
    names = workbook.sheetnames
    candidates = []
    for name in names:
        rows = [[_cell_text(v) for v in row] for row in workbook[name].iter_rows(values_only=True)]
        score = max((header_score(r) for r in rows[:_HEADER_SEARCH_ROWS]), default=0)
        candidates.append((name, score, rows))
    if sheet is not None:
        chosen = [c for c in candidates if c[0] == sheet]
        if not chosen:
            _fail(report, "no_sheet", sheets=", ".join(names), required=f"(sheet '{sheet}' not found)")
        name, score, rows = chosen[0]
    else:
        good = [c for c in candidates if c[1] >= 2]
        if not good:
            _fail(report, "no_sheet", sheets=", ".join(names), required=", ".join(V.REQUIRED_COLUMNS))
        best_score = max(c[1] for c in good)
        top = [c for c in good if c[1] == best_score]
        name, score, rows = top[0]
        if len(top) > 1:
            report.add("warning", "sheet_ambiguous", sheets=", ".join(c[0] for c in top), sheet=name)
        elif len(names) > 1:
            report.add("info", "several_sheets", sheets=", ".join(names), sheet=name)

    worksheet = workbook[name]
    header_index = max(range(min(_HEADER_SEARCH_ROWS, len(rows))), key=lambda i: header_score(rows[i]), default=0)
    header_row_number = header_index + 1
    for merged in worksheet.merged_cells.ranges:
        if merged.min_row <= header_row_number <= merged.max_row and merged.max_col > merged.min_col:
            for col in range(merged.min_col + 1, merged.max_col + 1):
                report.add(
                    "warning",
                    "merged_header",
                    cells=merged.coord,
                    letter=get_column_letter(col),
                    name=f"column_{get_column_letter(col)}",
                )
        elif merged.min_row > header_row_number:
            report.add("warning", "merged_cells", rows=(merged.min_row,), cells=merged.coord)
    header = [cell or f"column_{get_column_letter(i + 1)}" for i, cell in enumerate(rows[header_index] if rows else [])]
    numbered = [(header_row_number, header)] + [
        (header_row_number + 1 + i, row) for i, row in enumerate(rows[header_index + 1 :])
    ]
    return _table_from_rows(numbered, report, header_score, header_found=True)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# --- Parquet ----------------------------------------------------------------------------------------
def _read_parquet(data: bytes, report: ValidationReport) -> RawTable:
    try:
        frame = pd.read_parquet(io.BytesIO(data))
    except Exception as exc:  # pyarrow raises several kinds for a broken file
        _fail(report, "unreadable", kind="Parquet", reason=f"{type(exc).__name__}: {exc}")
    header = [str(c) for c in frame.columns]
    records = [[_cell_text(v) for v in row] for row in frame.itertuples(index=False, name=None)]
    return RawTable(header, records, [i + 2 for i in range(len(records))])


# --- common -------------------------------------------------------------------------------------------
def _table_from_rows(
    numbered: list[tuple[int, list[str]]], report: ValidationReport, header_score, header_found: bool = False
) -> RawTable:
    """Find the header among the first rows (unless already found), pad short rows, report long
    ones and skip blank ones."""
    numbered = [
        (n, [cell.strip() if isinstance(cell, str) else _cell_text(cell) for cell in row]) for n, row in numbered
    ]
    nonblank = [(n, row) for n, row in numbered if any(row)]
    if not nonblank:
        _fail(report, "file_empty")
    if header_found:
        header_number, header = numbered[0]
        body = numbered[1:]
    else:
        search = nonblank[:_HEADER_SEARCH_ROWS]
        header_at = max(range(len(search)), key=lambda i: header_score(search[i][1]))
        header_number, header = search[header_at]
        body = [(n, row) for n, row in numbered if n > header_number]
        if header_at > 0:
            report.add("info", "header_offset", rows=(header_number,), row=header_number, count=header_number - 1)
    while header and not header[-1]:
        header = header[:-1]
    width = len(header)
    records, row_numbers, blank = [], [], 0
    for number, row in body:
        if not any(row):
            blank += 1
            continue
        if len(row) > width and any(row[width:]):
            report.add("error", "ragged_row", rows=(number,), found=len(row), expected=width)
            continue
        row = (row + [""] * width)[:width]
        records.append(row)
        row_numbers.append(number)
    if blank:
        report.add("info", "blank_rows", count=blank)
    return RawTable(header, records, row_numbers)
