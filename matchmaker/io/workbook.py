"""XLSX workbooks, read within the limits: the ZIP archive is checked before anything is unpacked,
each sheet is streamed cell by cell, and only cells that hold a value take memory.

openpyxl's normal and read-only modes both build every row up to the sheet's last used cell, so a
10 KB workbook with one value at XFD1048576 asks for 17 billion cells. Here the sheet's XML is read
with openpyxl's own streaming parser (the one its read-only sheets use), which yields the cells that
exist with their coordinates: blank rows cost nothing, and a cell beyond the column limit stops the
read with its address.

The sheet with the company table is the one whose header names most contract columns, then the one
with most rows. Sheets with the same header and no id in common (one sheet for the German companies,
one for the Chinese) are read as one table, each row named by its sheet ('China!5'). A formula cell
reads as the value the spreadsheet program saved with it (its text when none was saved; nothing is
calculated here); date cells and zero-padded numbers read as the sheet shows them
(:mod:`matchmaker.io.values`).
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib

from matchmaker import vocab as V
from matchmaker.io.headers import canonical_column
from matchmaker.io.limits import Clock, ReadLimits, megabytes
from matchmaker.io.raw import (
    SHEET_ROW_BASE,
    CellNotes,
    HeaderScore,
    RawTable,
    best_header_index,
    fail,
    table_from_rows,
)
from matchmaker.io.report import ValidationReport
from matchmaker.io.values import cell_text
from matchmaker.text import fold

# More parts than any workbook of one table has; the directory of a ZIP is read into memory at once.
MAX_ARCHIVE_MEMBERS = 10_000
_STRICT = b"purl.oclc.org/ooxml/spreadsheetml/main"
# What Python's zipfile raises for a damaged archive: a bad directory, an unknown ZIP version or
# compression (NotImplementedError), deflate data that does not inflate (zlib.error), an encrypted
# member (RuntimeError), a wrong CRC (BadZipFile)
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    ValueError,
    OSError,
    EOFError,
    NotImplementedError,
    RuntimeError,
    zlib.error,
)


class _Sheet:
    """One sheet as read: non-blank rows (row number, cell texts), merged ranges, cell notes."""

    def __init__(self, name: str, hidden: bool = False) -> None:
        self.name = name
        self.hidden = hidden
        self.rows: list[tuple[int, list[str]]] = []
        self.merged: list[str] = []
        self.notes = CellNotes()

    def score(self, header_score: HeaderScore) -> int:
        return max((header_score(row) for _, row in self.rows[:50]), default=0)


def read_xlsx(
    data: bytes,
    report: ValidationReport,
    sheet: str | None,
    header_score: HeaderScore,
    limits: ReadLimits,
    clock: Clock,
) -> RawTable:
    """The company table of the workbook in ``data`` (see the module docstring)."""
    _check_archive(data, report, limits)
    workbook = _open(data, report)
    try:
        names = list(workbook.sheetnames)
        if sheet is not None and sheet not in names:
            fail(report, "sheet_not_found", sheet=sheet, sheets=", ".join(f"'{name}'" for name in names))
        budget = {"cells": 0}
        sheets = [
            _read_sheet(workbook, name, report, limits, clock, budget)
            for name in ([sheet] if sheet is not None else names)
        ]
    finally:
        workbook.close()
    if sheet is not None:
        parts = [_table_part(sheets[0], header_score)]
    else:
        chosen, tied = _choose(sheets, names, report, header_score)
        parts = _parts_to_join(chosen, tied, names, header_score, report)
    first_part = parts[0]
    rows, notes = list(first_part.rows), first_part.sheet.notes
    if rows:
        _report_merged(first_part.sheet.merged, rows[0][0], report)
        first, header = rows[0]
        rows[0] = (first, _named_header(header, max(len(row) for part in parts for _, row in part.rows)))
        if first_part.header_at:
            report.add("info", "header_offset", rows=(first,), row=first, count=first - 1)
    for position, part in enumerate(parts[1:], start=1):
        offset = position * SHEET_ROW_BASE
        rows += [(offset + number, row) for number, row in part.rows[1:]]
        _report_merged(part.sheet.merged, part.rows[0][0], report, offset)
        for (code, column), (found_rows, example) in part.sheet.notes.found.items():
            for number in found_rows:
                notes.add(code, column, offset + number, example)
    if len(parts) > 1:
        for position, part in enumerate(parts):
            report.row_labels.update(
                {position * SHEET_ROW_BASE + number: f"{part.sheet.name}!{number}" for number, _ in part.rows}
            )
    return table_from_rows(rows, report, header_score, header_found=True, notes=notes)


class _Part:
    """A sheet's company table: its rows from the header on."""

    def __init__(self, sheet: _Sheet, header_at: int) -> None:
        self.sheet, self.header_at = sheet, header_at
        self.rows = sheet.rows[header_at:]

    @property
    def header(self) -> list[str]:
        return [fold(cell) for cell in self.rows[0][1]] if self.rows else []

    def ids(self) -> set[str] | None:
        """The ids the table holds, or None when its header names no id column."""
        columns = [i for i, cell in enumerate(self.rows[0][1]) if canonical_column(cell) == V.ID] if self.rows else []
        if not columns:
            return None
        return {
            row[columns[0]].strip() for _, row in self.rows[1:] if columns[0] < len(row) and row[columns[0]].strip()
        }


def _table_part(sheet: _Sheet, header_score: HeaderScore) -> _Part:
    return _Part(sheet, best_header_index([row for _, row in sheet.rows], header_score) if sheet.rows else 0)


def _parts_to_join(
    chosen: _Sheet, tied: list[_Sheet], names: list[str], header_score: HeaderScore, report: ValidationReport
) -> list[_Part]:
    """The chosen sheet's table, and the tables of the sheets tied with it that are the same table
    continued: the same header, and none of the same ids (a workbook of a 'Deutschland' and a 'China'
    sheet); in the workbook's order. A tied sheet that shares ids with it (a selection of all
    companies, an older copy) is not joined: the largest is read, with a warning naming the others."""
    parts = [_table_part(chosen, header_score)]
    seen = parts[0].ids()
    others = []
    for sheet in tied:
        if sheet is chosen:
            continue
        part = _table_part(sheet, header_score)
        ids = part.ids()
        if seen is not None and ids is not None and part.header == parts[0].header and not ids & seen:
            parts.append(part)
            seen |= ids
        else:
            others.append(sheet)
    parts.sort(key=lambda part: names.index(part.sheet.name))  # in the workbook's order
    if len(parts) > 1:
        report.add(
            "info",
            "sheets_joined",
            sheets=", ".join(f"'{part.sheet.name}'" for part in parts),
            count=f"{sum(len(part.rows) - 1 for part in parts):,}",
        )
    if others:
        report.add(
            "warning",
            "sheet_ambiguous",
            sheets=", ".join(sheet.name for sheet in [chosen, *others]),
            sheet=chosen.name,
            count=f"{len(chosen.rows):,}",
        )
    return parts


def _check_archive(data: bytes, report: ValidationReport, limits: ReadLimits) -> None:
    """Refuse a broken archive, or one that would unpack beyond ``limits.max_unpacked_bytes``.
    The sizes in the ZIP directory bound what can be unpacked: Python's zipfile stops each member at
    its stated size (and checks its CRC), so a member that lies about its size cannot unpack more."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            names = {member.filename for member in members}
            # 'Strict Open XML' (an option of Excel's Save as): its namespaces are unknown to openpyxl
            strict = "xl/workbook.xml" in names and _STRICT in archive.open("xl/workbook.xml").read(4096)
    except ZIP_ERRORS as exc:
        fail(report, "unreadable", kind="XLSX", reason=f"the ZIP archive is damaged ({exc})")
    if strict:
        fail(report, "strict_workbook")
    if len(members) > MAX_ARCHIVE_MEMBERS:
        fail(report, "archive_members", found=f"{len(members):,}", limit=f"{MAX_ARCHIVE_MEMBERS:,}")
    unpacked = sum(member.file_size for member in members)
    if unpacked > limits.max_unpacked_bytes:
        fail(
            report,
            "unpacked_too_large",
            size=megabytes(unpacked),
            packed=megabytes(len(data)),
            limit=megabytes(limits.max_unpacked_bytes),
        )


def _open(data: bytes, report: ValidationReport):
    import openpyxl

    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        fail(report, "unreadable", kind="XLSX", reason=f"{type(exc).__name__}: {exc}")


def _read_sheet(workbook, name: str, report: ValidationReport, limits: ReadLimits, clock: Clock, budget: dict):
    from openpyxl.cell.read_only import ReadOnlyCell
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    worksheet = workbook[name]
    found = _Sheet(name, hidden=getattr(worksheet, "sheet_state", "visible") != "visible")
    if not isinstance(worksheet, ReadOnlyWorksheet):  # a chart sheet holds no cells
        return found
    source = worksheet._get_source()
    try:
        parser = _parser_class()(
            source,
            worksheet._shared_strings,
            data_only=False,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        for number, cells in parser.parse():
            present = [cell for cell in cells if cell["value"] is not None]
            if clock.over():
                fail(report, "time_limit", row=f"{number:,}", limit=f"{limits.max_seconds:g}")
            if not present:
                continue
            width = max(cell["column"] for cell in present)
            if width > limits.max_columns:
                cell = f"{get_column_letter(width)}{number}"
                fail(report, "cell_beyond_columns", sheet=name, cell=cell, limit=f"{limits.max_columns:,}")
            row = [""] * width
            for cell in present:
                fmt = None
                if cell["data_type"] in ("n", "d") and cell["style_id"]:
                    fmt = ReadOnlyCell(worksheet, number, cell["column"], None, "n", cell["style_id"]).number_format
                text, note = cell_text(cell["value"], fmt)
                if cell["data_type"] == "f":
                    found.notes.add("formula_uncalculated", cell["column"] - 1, number, text)
                elif cell.get("formula"):
                    found.notes.add("formula_values", cell["column"] - 1, number, text)
                if "_x" in text and cell["data_type"] in ("s", "str", "inlineStr"):
                    text = _unescape(text)
                row[cell["column"] - 1] = text
                if note:
                    found.notes.add(note, cell["column"] - 1, number, text)
            found.rows.append((number, row))
            budget["cells"] += width
            if len(found.rows) > limits.max_rows + 1:  # the header row is no company
                fail(report, "too_many_rows", row=f"{number:,}", limit=f"{limits.max_rows:,}")
            if budget["cells"] > limits.max_cells:
                fail(report, "too_many_cells", row=f"{number:,}", limit=f"{limits.max_cells:,}")
        if parser.merged_cells is not None:
            found.merged = [str(merged.ref) for merged in parser.merged_cells.mergeCell]
    except Exception as exc:
        from matchmaker.errors import ProfileFileError

        if isinstance(exc, ProfileFileError):
            raise
        # a damaged sheet: bad XML, an entity bomb (expat refuses it), a cell reference out of range
        fail(report, "unreadable", kind="XLSX", reason=f"sheet '{name}': {type(exc).__name__}: {exc}")
    finally:
        source.close()
    return found


def _parser_class():
    """openpyxl's streaming sheet parser, reading a formula cell as the value Excel calculated and
    saved with it (what the user sees in the sheet: ``="DE"&ROW()`` as ``DE2``), marked
    ``formula``; a formula without a saved value (a workbook written by a program that does not
    calculate) stays its text, of data type ``f``. Nothing is ever calculated here."""
    from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser

    class CalculatedValues(WorkSheetParser):
        def parse_cell(self, element):
            if element.find(FORMULA_TAG) is None or not element.findtext(VALUE_TAG):
                return super().parse_cell(element)
            self.data_only = True
            try:
                cell = super().parse_cell(element)
            finally:
                self.data_only = False
            cell["formula"] = True
            return cell

    return CalculatedValues


def _unescape(text: str) -> str:
    """A cell's text as Excel means it: ``_x000D_`` is a carriage return, ``_x005F_`` an underscore
    (ECMA-376's escape for characters XML cannot hold). openpyxl leaves the escapes in the text."""
    text = _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)
    if any("\ud800" <= ch <= "\udfff" for ch in text):
        # _xD83D__xDE00_ is one character written as its UTF-16 halves; a half alone is none (U+FFFD),
        # since no file could be written with it
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text


_ESCAPED = re.compile("_x([0-9A-Fa-f]{4})_")


def _choose(
    sheets: list[_Sheet], names: list[str], report: ValidationReport, header_score: HeaderScore
) -> tuple[_Sheet, list[_Sheet]]:
    """The sheet with the company table: a visible one before a hidden one (what the user sees in
    the workbook is what is read), then most contract columns named in its header, then most rows;
    and the sheets tied with it on its header (itself among them, largest first)."""
    scored = [(s.score(header_score), len(s.rows), s) for s in sheets]
    good = [entry for entry in scored if entry[0] >= 2]
    if not good:
        fail(report, "no_sheet", sheets=", ".join(names), required=", ".join(V.REQUIRED_COLUMNS))
    visible = [entry for entry in good if not entry[2].hidden]
    if visible and len(visible) < len(good):
        skipped = ", ".join(entry[2].name for entry in good if entry[2].hidden)
        report.add("info", "hidden_sheets_skipped", sheets=skipped)
    good = visible or good
    best = max(score for score, _, _ in good)
    top = sorted((entry for entry in good if entry[0] == best), key=lambda e: -e[1])
    chosen = top[0][2]
    if len(top) == 1 and len(names) > 1:
        report.add("info", "several_sheets", sheets=", ".join(names), sheet=chosen.name)
    if chosen.hidden:
        report.add("warning", "hidden_sheet_read", sheet=chosen.name)
    return chosen, [entry[2] for entry in top]


def _named_header(header: list[str], width: int) -> list[str]:
    """The header over all ``width`` columns that hold values; a column without a header cell (under
    a merged one, or right of the header) is kept as ``column_<letter>``."""
    from openpyxl.utils import get_column_letter

    padded = header + [""] * (width - len(header))
    return [cell.strip() or f"column_{get_column_letter(i + 1)}" for i, cell in enumerate(padded)]


def _report_merged(ranges: list[str], header_row: int, report: ValidationReport, offset: int = 0) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.cell_range import CellRange

    for ref in ranges:
        try:
            merged = CellRange(ref)
        except (ValueError, TypeError):
            continue
        if merged.min_row <= header_row <= merged.max_row and merged.max_col > merged.min_col:
            if offset:
                continue  # a joined sheet has the first one's header: its merged header is reported once
            for col in range(merged.min_col + 1, merged.max_col + 1):
                letter = get_column_letter(col)
                report.add("warning", "merged_header", cells=merged.coord, letter=letter, name=f"column_{letter}")
        elif merged.min_row > header_row:
            report.add("warning", "merged_cells", rows=(offset + merged.min_row,), cells=merged.coord)
