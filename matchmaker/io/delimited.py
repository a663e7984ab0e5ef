"""CSV and other delimited text: the encoding, the delimiter and the records, within the read limits.

Encodings: UTF-8 (with or without BOM), UTF-16 and UTF-32 with a BOM, UTF-16 without a BOM (told by
its zero bytes), GB18030 and Windows-1252 (accepted only when the text they give is plausible).
Delimiters: comma, semicolon, tab or vertical bar, the one under which the first records agree
with the header. A file that is text but for a few stray NUL bytes is read, and the cells that held
them are named (see :func:`matchmaker.io.raw.table_from_rows`).
"""

from __future__ import annotations

import csv
import io
import re
import sys

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
from matchmaker.text import has_cjk

DELIMITERS = (",", ";", "\t", "|")
# the finding that names the delimiter used, one per delimiter so each language words it in full
_DELIMITER_FINDINGS = {",": "delimiter_comma", ";": "delimiter_semicolon", "\t": "delimiter_tab", "|": "delimiter_bar"}
_SNIFF_RECORDS = 200
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8", None),
    (b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32"),
    (b"\xff\xfe", "utf-16-le", "UTF-16"),
    (b"\xfe\xff", "utf-16-be", "UTF-16"),
)
_LINE_END = re.compile(r"\r\n|\r|\n")
# Full-width commas, the ideographic comma and the full-width semicolon, as a Chinese input method types
# them: not read as delimiters (Chinese text is full of them), but named when they separate the header.
_WIDE_DELIMITERS = ("，", "、", "；")
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # a 10 MB description cell is still one field


def looks_binary(data: bytes) -> bool:
    """True for bytes that are no text in any encoding read here: many control bytes (text has
    none but tab and line breaks; a stray NUL in a cell does not make a file binary)."""
    sample = data[:8192]
    if not sample or utf16_without_bom(sample) or any(sample.startswith(bom) for bom, _, _ in _BOMS):
        return False
    controls = sum(1 for byte in sample if byte < 0x20 and byte not in (9, 10, 13) or byte == 0x7F)
    return controls > max(2, len(sample) // 50)


def utf16_without_bom(sample: bytes) -> str | None:
    """``"utf-16-le"`` / ``"utf-16-be"`` when ``sample`` is UTF-16 without a byte-order mark: ASCII
    letters, digits, delimiters and line breaks leave a zero byte in every other position."""
    pairs = len(sample) // 2
    if pairs < 4:
        return None
    even = sample[0 : 2 * pairs : 2].count(0) / pairs
    odd = sample[1 : 2 * pairs : 2].count(0) / pairs
    if odd > 0.3 and even < 0.02:
        return "utf-16-le"
    if even > 0.3 and odd < 0.02:
        return "utf-16-be"
    return None


def decode(data: bytes, report: ValidationReport) -> str:
    """The text of ``data``; notes the encoding unless UTF-8. Raises for bytes no encoding explains."""
    for bom, encoding, label in _BOMS:
        if data.startswith(bom):
            body = data[len(bom) :]
            if not body.strip(b"\x00 \t\r\n"):
                fail(report, "file_bom_only")
            try:
                text = body.decode(encoding)
            except UnicodeDecodeError as exc:
                _undecodable(body, report, encoding, exc.start)
            if label:
                report.add("info", "encoding_used", encoding=label)
            return text
    guessed = utf16_without_bom(data[:8192])
    if guessed:
        try:
            text = data.decode(guessed)
        except UnicodeDecodeError:
            pass
        else:
            report.add("info", "encoding_used", encoding=f"{guessed.upper()} (no byte-order mark)")
            return text
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    # Not UTF-8. A file that is UTF-8 but for a few stray bytes is damaged: say where, guess nothing.
    lossy = data.decode("utf-8", errors="replace")
    bad = lossy.count("\ufffd")
    good_multibyte = sum(1 for ch in lossy if ord(ch) > 0x7F and ch != "\ufffd")
    if good_multibyte > bad:
        _undecodable(data, report, "utf-8", first_bad)
    for encoding, label in (("gb18030", "GB18030"), ("cp1252", "Windows-1252")):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _plausible(text, encoding):
            if encoding == "cp1252" and _mac_roman(text):
                text, label = data.decode("mac_roman"), "Mac OS Roman"
            report.add("info", "encoding_used", encoding=label)
            return text
    _undecodable(data, report, "utf-8", first_bad)
    raise AssertionError("unreachable")


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


def _mac_roman(cp1252: str) -> bool:
    """True when text read as Windows-1252 is German saved as Mac OS Roman (Excel for Mac's "CSV"):
    its umlauts then read as letters German never uses ("Köln" -> "Kšln", "Müller" -> "MŸller")
    and no umlaut is left. Decided from the Windows-1252 text (the two encodings swap these bytes)."""
    if any(ch in _UMLAUTS for ch in cp1252):
        return False
    return any(ch in _MAC_UMLAUTS_AS_CP1252 for ch in cp1252)


_UMLAUTS = frozenset("äöüÄÖÜß")
# ä ö ü é of Mac OS Roman (0x8A 0x9A 0x9F 0x8E) as Windows-1252 reads them
_MAC_UMLAUTS_AS_CP1252 = frozenset("ŠšŸŽ")


def _undecodable(data: bytes, report: ValidationReport, encoding: str, position: int) -> None:
    if encoding.startswith(("utf-16", "utf-32")):
        unit = 2 if encoding.startswith("utf-16") else 4
        line = data[:position].decode(encoding, errors="replace").count("\n") + 1
        snippet = " ".join(f"0x{b:02X}" for b in data[position : position + unit])
        fail(report, "undecodable_utf16", line=line, bytes=snippet, encoding=encoding[:6].upper())
    line = data[:position].count(b"\n") + 1
    snippet = " ".join(f"0x{b:02X}" for b in data[position : position + 4])
    fail(report, "undecodable", line=line, bytes=snippet)


def read_delimited(
    data: bytes, report: ValidationReport, header_score: HeaderScore, limits: ReadLimits, clock: Clock
) -> RawTable:
    """The table in delimited text ``data`` (see the module docstring)."""
    text = decode(data, report)
    if not text.strip():
        fail(report, "file_blank")
    delimiter = _detect_delimiter(text, header_score)
    if delimiter is None:
        lines = [line for line in text.splitlines() if line.strip()]
        first = _CONTROL_CHARS.sub("", lines[0][:120])  # shown in a terminal: no escape sequences
        for wide in _WIDE_DELIMITERS:
            if max(header_score(line.split(wide)) for line in lines[:HEADER_SEARCH_ROWS]) >= 2:
                fail(report, "delimiter_fullwidth", header=first, char=wide)
        if max(header_score(line.split()) for line in lines[:HEADER_SEARCH_ROWS]) >= 2:
            fail(report, "delimiter_unknown", header=first)
        fail(report, "single_column", header=first)
    report.add("info", _DELIMITER_FINDINGS[delimiter])
    return table_from_rows(
        _records(text, delimiter, report, limits, clock), report, header_score, controls=has_control(text)
    )


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
            if rows > limits.max_rows:
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
