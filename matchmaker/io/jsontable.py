"""JSON records, read within the limits: what a CRM's or a web form's export gives, an array of
objects (one per company), the same under one key (``{"companies": [...]}``), or JSON lines (one
object per line).

The columns are the objects' keys in the order first seen; a key an object lacks is an empty cell.
Values become text as in a Parquet file (:func:`matchmaker.io.values.cell_text`): a number as
written, a list joined with ``; ``, a nested object as ``key: value`` pairs. A row number in the
report is the record's position (1 for the first; in JSON lines, its line).
"""

from __future__ import annotations

import json

from matchmaker.io.encodings import decode
from matchmaker.io.limits import Clock, ReadLimits
from matchmaker.io.raw import CellNotes, HeaderScore, RawTable, fail, table_from_rows
from matchmaker.io.report import ValidationReport
from matchmaker.io.values import cell_text


def read_json(
    data: bytes, report: ValidationReport, header_score: HeaderScore, limits: ReadLimits, clock: Clock
) -> RawTable:
    """The table of the JSON records in ``data`` (see the module docstring)."""
    records, numbers, kind = _records(decode(data, report), report)
    header: list[str] = []
    position: dict[str, int] = {}
    for record in records:
        for key in record:
            if key not in position:
                position[key] = len(header)
                header.append(str(key))
                if len(header) > limits.max_columns:
                    fail(report, "too_many_columns", found=f"{len(header):,}+", limit=f"{limits.max_columns:,}")
    if len(records) > limits.max_rows:
        fail(report, "too_many_rows", row=f"{len(records):,}", limit=f"{limits.max_rows:,}")
    if len(records) * len(header) > limits.max_cells:
        fail(report, "too_many_cells", row=f"{len(records):,}", limit=f"{limits.max_cells:,}")
    notes = CellNotes()
    numbered: list[tuple[int, list[str]]] = [(0, header)]
    for number, record in zip(numbers, records):
        if clock.over():
            fail(report, "time_limit", row=f"{number:,}", limit=f"{limits.max_seconds:g}")
        row = [""] * len(header)
        for key, value in record.items():
            cell, note = cell_text(value)
            row[position[key]] = cell
            if note:
                notes.add(note, position[key], number, cell)
        numbered.append((number, row))
    report.add("info", "json_records", count=f"{len(records):,}", kind=kind)
    return table_from_rows(numbered, report, header_score, header_found=True, notes=notes)


def _records(text: str, report: ValidationReport) -> tuple[list[dict], list[int], str]:
    """The objects of the file, the row number of each, and the kind of file."""
    text = text.lstrip("\ufeff")
    try:
        parsed = json.loads(text)
    except RecursionError:
        fail(report, "unreadable", kind="JSON", reason="it is nested deeper than any table")
    except ValueError:
        return _lines(text, report)
    if isinstance(parsed, dict):
        tables = [v for v in parsed.values() if isinstance(v, list) and all(isinstance(item, dict) for item in v)]
        parsed = tables[0] if len(tables) == 1 else [parsed]  # {"companies": [...]}, else one company
    if not _is_records(parsed):
        fail(report, "json_file")
    return parsed, list(range(1, len(parsed) + 1)), "JSON"


def _is_records(value: object) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(item, dict) for item in value)


def _lines(text: str, report: ValidationReport) -> tuple[list[dict], list[int], str]:
    records, numbers = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except (ValueError, RecursionError) as exc:
            fail(report, "json_line_bad", line=number, reason=str(exc).split(":")[0])
        if not isinstance(record, dict):
            fail(report, "json_line_bad", line=number, reason=f"a {type(record).__name__}, not an object")
        records.append(record)
        numbers.append(number)
    if not records:
        fail(report, "file_empty")
    return records, numbers, "JSON lines"
