"""The reader's common ground: the raw table every format is read into, the way a read fails, and the
step that finds the header, pads short rows and cleans cells (shared by CSV, XLSX and Parquet)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from matchmaker.errors import ProfileFileError
from matchmaker.io.report import ValidationReport

HeaderScore = Callable[[list[str]], int]

# Rows of the second, third … sheet of a workbook read as one table are numbered from 10,000,000,
# 20,000,000 … (beyond the 1,048,576 rows a sheet can have), so every row of the table has its own
# number; the report names them as 'China!5' (the spreadsheet's own way of naming a sheet's row).
SHEET_ROW_BASE = 10_000_000

# A header is looked for among this many non-blank rows at the top (title rows, notes above it).
HEADER_SEARCH_ROWS = 50
# C0 control characters other than tab, line feed and carriage return, and DEL: never text anyone
# typed (a NUL byte is a damaged export); and the bidirectional embeddings, overrides and isolates
# (U+202A-U+202E, U+2066-U+2069), which German, Chinese and English text never needs and which make a
# cell, and every export and explanation quoting it, read in an order other than the one stored
# ("Trojan Source"). Removed from cells, with a warning that names the cell.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


@dataclass
class RawTable:
    """Cells as strings; ``header`` as written in the file; ``row_numbers[i]`` is the spreadsheet
    row of record ``i`` (what a person sees in Excel)."""

    header: list[str]
    records: list[list[str]]
    row_numbers: list[int]


@dataclass
class CellNotes:
    """Readings the reader made of single cells (a date cell read as shown, a number read with its
    cell format), collected by column index; reported under the column's header once it is known."""

    found: dict[tuple[str, int], tuple[list[int], str]] = field(default_factory=dict)

    def add(self, code: str, column: int, row: int, example: str) -> None:
        rows, first = self.found.setdefault((code, column), ([], example))
        rows.append(row)

    def report(self, report: ValidationReport, header: list[str], below: int) -> None:
        for (code, column), (rows, example) in self.found.items():
            shown = [r for r in rows if r > below]
            if shown and column < len(header):
                report.add("info", code, rows=shown, column=header[column], example=example)


def has_control(text: str) -> bool:
    """True when ``text`` holds a control character that no one types (see :data:`_CONTROL`)."""
    return _CONTROL.search(text) is not None


def fail(report: ValidationReport, code: str, **params: object) -> None:
    """Record an error that makes the file unreadable and stop: :class:`ProfileFileError` with the report."""
    report.add("error", code, **params)
    raise ProfileFileError(report.issues[-1].message("en"), report)


def best_header_index(rows: list[list[str]], header_score: HeaderScore) -> int:
    """The row among the first :data:`HEADER_SEARCH_ROWS` that names most contract columns (the first
    on a tie; the first row when none names any)."""
    search = rows[:HEADER_SEARCH_ROWS]
    return max(range(len(search)), key=lambda i: header_score(search[i]), default=0)


def column_letter(number: int) -> str:
    """The spreadsheet letter of column ``number`` (1 -> ``A``, 27 -> ``AA``)."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _named_columns(header: list[str], body: list[tuple[int, list[str]]], report: ValidationReport) -> list[str]:
    """The header without its trailing empty cells, but for those above a value: a column that has
    values and no header cell (``id,name,...,description,,`` above rows with notes in those
    places) is kept as ``column_<letter>``, as a spreadsheet names it, and reported."""
    width = len(header)
    while width and not header[width - 1] and not any(len(row) >= width and row[width - 1] for _, row in body):
        width -= 1
    named = header[:width]
    for i, cell in enumerate(named):
        if not cell:
            named[i] = f"column_{column_letter(i + 1)}"
            if any(len(row) > i and row[i] for _, row in body):
                report.add("info", "unnamed_column", letter=column_letter(i + 1), name=named[i])
    return named


def _repeats(row: list[str], header: list[str]) -> bool:
    """True when ``row`` is the header again (two exports joined into one file, each with its header)."""
    cells = [cell.lstrip("\ufeff") for cell in row]
    return cells[: len(header)] == header and not any(cells[len(header) :])


def table_from_rows(
    numbered: Iterable[tuple[int, list[str]]],
    report: ValidationReport,
    header_score: HeaderScore,
    header_found: bool = False,
    notes: CellNotes | None = None,
    controls: bool = True,
) -> RawTable:
    """Find the header among the first non-blank rows (unless ``header_found``: the first non-blank
    row is it), pad short rows, report long ones, skip blank ones and remove control characters.

    ``numbered`` holds (spreadsheet row, cells) pairs in order; blank rows may be left out (a sparse
    sheet): the gaps between row numbers are what is reported as skipped. ``controls=False`` says
    the caller knows that no cell holds a control character (the check is skipped)."""
    nonblank = []
    cleaned: dict[int, list[int]] = {}
    for number, row in numbered:
        cells = [cell.strip() for cell in row]
        if controls and has_control("".join(cells)):
            for i, cell in enumerate(cells):
                if _CONTROL.search(cell):
                    cells[i] = _CONTROL.sub("", cell).strip()
                    cleaned.setdefault(i, []).append(number)
        if any(cells):
            nonblank.append((number, cells))
    if not nonblank:
        fail(report, "file_empty")
    header_at = 0 if header_found else best_header_index([row for _, row in nonblank], header_score)
    header_number, header = nonblank[header_at]
    if header_at > 0:
        report.add("info", "header_offset", rows=(header_number,), row=header_number, count=header_number - 1)
    body = nonblank[header_at + 1 :]
    written = [cell.lstrip("\ufeff") for cell in header]
    header = _named_columns(header, body, report)
    width = len(header)
    records, row_numbers = [], []
    for number, row in body:
        if row[0].lstrip("\ufeff") == written[0] and _repeats(row, written):
            report.add("warning", "header_repeated", rows=(number,))
            continue
        if len(row) > width and any(row[width:]):
            report.add("error", "ragged_row", rows=(number,), found=len(row), expected=width)
            continue
        if len(row) != width:
            row = (row + [""] * width)[:width]
        records.append(row)
        row_numbers.append(number)
    for column, rows in cleaned.items():
        below = [r for r in rows if r > header_number]
        if below:
            name = header[column] if column < len(header) else f"#{column + 1}"
            report.add("warning", "control_characters", rows=below, column=name)
    if notes is not None:
        notes.report(report, header, header_number)
    numbers = [header_number] + [number for number, _ in body]
    # the gaps within each sheet (rows of joined sheets are numbered from SHEET_ROW_BASE on)
    blank = sum(b - a - 1 for a, b in zip(numbers, numbers[1:]) if a // SHEET_ROW_BASE == b // SHEET_ROW_BASE)
    if blank > 0:
        report.add("info", "blank_rows", count=blank)
    return RawTable(header, records, row_numbers)
