"""CSV and other delimited text: the encoding, the delimiter and the records, within the read limits.

Encodings: see :mod:`matchmaker.io.encodings`. Lines end at CR LF, LF or CR; in a file whose lines
end in LF a lone CR is a character of its cell. Delimiters: comma, semicolon, tab or vertical bar,
the one under which the first records agree with the header. A file that is text but for a few
stray NUL bytes is read, and the cells that held them are named (see
:func:`matchmaker.io.raw.table_from_rows`).
"""

from __future__ import annotations

import csv
import io
import re
import sys

from matchmaker.io.encodings import decode
from matchmaker.io.limits import Clock, ReadLimits
from matchmaker.io.raw import (
    HEADER_SEARCH_ROWS,
    HeaderScore,
    RawTable,
    best_header_index,
    fail,
    has_control,
    table_from_rows,
)
from matchmaker.io.report import ValidationReport

DELIMITERS = (",", ";", "\t", "|")
# the finding that names the delimiter used, one per delimiter so each language words it in full
_DELIMITER_FINDINGS = {",": "delimiter_comma", ";": "delimiter_semicolon", "\t": "delimiter_tab", "|": "delimiter_bar"}
_SNIFF_RECORDS = 200
_LINE_END = re.compile(r"\r\n|\r|\n")
_LONE_CR = re.compile(r"\r(?!\n)")
# Full-width commas, the ideographic comma and the full-width semicolon, as a Chinese input method types
# them: not read as delimiters (Chinese text is full of them), but named when they separate the header.
_WIDE_DELIMITERS = ("，", "、", "；")

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # a 10 MB description cell is still one field


def read_delimited(
    data: bytes, report: ValidationReport, header_score: HeaderScore, limits: ReadLimits, clock: Clock
) -> RawTable:
    """The table in delimited text ``data`` (see the module docstring)."""
    text = decode(data, report)
    if not text.strip():
        fail(report, "file_blank")
    carriage = None
    if "\r" in text and "\n" in text and _LONE_CR.search(text) and not _LONE_CR.search(text[: text.index("\n")]):
        # Lines end in LF (or CR LF), the header's too, so a CR alone is a character of its cell:
        # Python's and pandas' CSV writers leave a cell holding one unquoted. Held as a private
        # character while parsing. (A header ended by a lone CR: a file of mixed line ends.)
        carriage = next(ch for ch in map(chr, range(0xE000, 0xF900)) if ch not in text)
        text = _LONE_CR.sub(carriage, text)
    delimiter = _detect_delimiter(text, header_score)
    if delimiter is None:
        lines = [line for line in text.splitlines() if line.strip()]
        first = lines[0][:120]  # its control characters are escaped by the report (report.shown)
        for wide in _WIDE_DELIMITERS:
            if max(header_score(line.split(wide)) for line in lines[:HEADER_SEARCH_ROWS]) >= 2:
                fail(report, "delimiter_fullwidth", header=first, char=wide)
        if max(header_score(line.split()) for line in lines[:HEADER_SEARCH_ROWS]) >= 2:
            fail(report, "delimiter_unknown", header=first)
        fail(report, "single_column", header=first)
    report.add("info", _DELIMITER_FINDINGS[delimiter])
    records = _records(text, delimiter, report, limits, clock)
    if carriage:
        records = ((number, [cell.replace(carriage, "\r") for cell in row]) for number, row in records)
    return table_from_rows(records, report, header_score, controls=has_control(text))


def _records(text: str, delimiter: str, report: ValidationReport, limits: ReadLimits, clock: Clock):
    """(row, cells) per record within the limits; record i is spreadsheet row i + 1 (a quoted line
    break stays inside its record, as a spreadsheet shows it). Stops the read at the first limit."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True)
    rows = cells = number = 0
    first_line = last_line = 0
    stray = iter(_stray_quote_lines(text, delimiter) if '"' in text else ())
    next_stray = next(stray, 0)
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        number, first_line, last_line = number + 1, start, reader.line_num
        if next_stray and next_stray <= last_line:
            report.add("warning", "stray_quote", rows=(number,))
            while next_stray and next_stray <= last_line:
                next_stray = next(stray, 0)
        if len(row) > limits.max_columns:
            fail(report, "too_many_columns", rows=(number,), found=f"{len(row):,}", limit=f"{limits.max_columns:,}")
        if any(row):  # a row of empty cells (",,,," below an Excel table) is no company: not counted
            rows += 1
            cells += len(row)
            if rows > limits.max_rows + 1:  # the header row is no company
                fail(report, "too_many_rows", row=f"{number:,}", limit=f"{limits.max_rows:,}")
            if cells > limits.max_cells:
                fail(report, "too_many_cells", row=f"{number:,}", limit=f"{limits.max_cells:,}")
        if clock.over():
            fail(report, "time_limit", row=f"{number:,}", limit=f"{limits.max_seconds:g}")
        yield number, row
    # the last record: a quote it opens and never closes swallowed the rest of the file (or just its line break)
    if number and '"' in text and _unclosed_quote(text, first_line, delimiter):
        fail(report, "unclosed_quote", rows=(number,), line=first_line)


def _stray_quote_lines(text: str, delimiter: str) -> list[int]:
    """The physical lines where a quoted value closes and more text follows before the delimiter
    (``"Rhein" GmbH``): a lenient reader, like a spreadsheet program, drops those quotation marks,
    so the rows are reported. Found by a strict reader, which stops at each and goes on on the next line."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True, skipinitialspace=True)
    found = []
    while True:
        try:
            next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            if "expected after" not in str(exc):
                break  # an unclosed quote at the end: reported by _records
            found.append(reader.line_num)
    if not found:
        return found
    # Spaces between a closing quote and the delimiter ("a" , "b") lose nothing: cells are stripped.
    lines = _LINE_END.split(text)
    spaced = re.compile(rf'"[ \t]+(?={re.escape(delimiter)}|$)')
    return [n for n in found if n > len(lines) or not _spaces_only(lines[n - 1], spaced, delimiter)]


def _spaces_only(line: str, spaced: re.Pattern, delimiter: str) -> bool:
    """True when the line's only fault is spaces after a closing quote (a line inside a quoted line
    break parses either way and is kept)."""
    return not _parses(line, delimiter) and _parses(spaced.sub('"', line), delimiter)


def _parses(line: str, delimiter: str) -> bool:
    try:
        list(csv.reader([line], delimiter=delimiter, strict=True, skipinitialspace=True))
    except csv.Error:
        return False
    return True


def _unclosed_quote(text: str, line: int, delimiter: str) -> bool:
    """True when the record starting on physical ``line`` opens a quote that the file never closes
    (it would swallow every line after it into one cell)."""
    starts = [0] + [m.end() for m in _LINE_END.finditer(text)]
    tail = text[starts[line - 1] :] if line - 1 < len(starts) else ""
    try:
        list(csv.reader(io.StringIO(tail, newline=""), delimiter=delimiter, strict=True, skipinitialspace=True))
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def _detect_delimiter(text: str, header_score: HeaderScore) -> str | None:
    """The delimiter under which the first records are most consistent with the header.

    Each candidate parses the first records; it must give a header of at least two cells, and
    whether most records (80 %) fit the header's width or the header names two known columns
    decides, then how many header cells name known columns, then the share that fits, then the
    width. Without a known column name the header is the first record of the most common width
    (title rows above it have one cell)."""
    head = text[: 2**20]  # the first records are enough, and a megabyte holds far more than 200
    best, best_key = None, None
    for delimiter in DELIMITERS:
        reader = csv.reader(io.StringIO(head, newline=""), delimiter=delimiter, skipinitialspace=True)
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
        at = best_header_index(records, header_score)
        if header_score(records[at]) == 0:
            widths = [len(r) for r in records[:HEADER_SEARCH_ROWS]]
            modal = max(set(widths), key=lambda w: (widths.count(w), w))
            at = widths.index(modal)
        width = len(records[at])
        if width < 2:
            continue
        body = records[at + 1 :] or [records[at]]
        consistent = sum(len(r) <= width for r in body) / len(body)
        # a header naming known columns decides even when rows disagree (they are reported one by one)
        score = header_score(records[at])
        key = (consistent >= 0.8 or score >= 2, score, consistent, width)
        if best_key is None or key > best_key:
            best, best_key = delimiter, key
    if best_key is None or not best_key[0]:
        return None
    return best
