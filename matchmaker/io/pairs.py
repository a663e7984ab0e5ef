"""Labelled German-Chinese pairs: ``de_id, cn_id, grade`` (0-3 by judgement; higher = better fit).

Any table with those columns serves: the demo pairs, a benchmark of real partnerships, or the
outcomes users recorded on their shortlists (agreement 3, met 2, contacted 1, declined 0); extra
columns are kept.

A pairs file is read by the same reader as a profiles file (:mod:`matchmaker.io.readers`): CSV in
any of its encodings and delimiters, XLSX or Parquet, within the read limits. Every cell is text
as written: an id ``NA`` or ``007`` stays that id (never a missing value or the number 7).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import numpy as np
import pandas as pd

from matchmaker import config
from matchmaker import vocab as V
from matchmaker.errors import LabelsError, ProfileFileError
from matchmaker.io.cells import restore_cell
from matchmaker.io.files import path_kind
from matchmaker.io.headers import unique_names
from matchmaker.io.limits import ReadLimits
from matchmaker.io.readers import read_raw_table
from matchmaker.io.report import ValidationReport
from matchmaker.text import fold

log = logging.getLogger(__name__)

_HEADERS = {fold(column): column for column in V.PAIR_COLUMNS}
_DECIMAL_COMMA = re.compile(r"^\s*[+-]?\d+,\d+\s*$")
MAX_GRADE = 3


def _header_score(cells: list[str]) -> int:
    return len({_HEADERS[fold(cell)] for cell in cells if fold(cell) in _HEADERS})


def load_pairs(path: Path | str, limits: ReadLimits | None = None) -> pd.DataFrame:
    """Read labelled pairs from a table with at least ``de_id, cn_id, grade`` (headers in any case;
    CSV, XLSX or Parquet). Ids are read as text (neutralised spreadsheet ids such as ``'=x`` are
    read back as given); a grade is a number from 0 to 3 (``2,5`` is read as 2.5); other columns are
    kept. Raises :class:`LabelsError` naming the rows of every problem."""
    path = Path(path)
    if path_kind(path) == "missing":
        raise LabelsError(
            f"The pairs file {path} does not exist. Expected a CSV with de_id, cn_id, grade (0-3), "
            f"e.g. {config.DEMO_PAIRS} or a file exported from recorded outcomes."
        )
    report = ValidationReport(source=str(path))
    try:
        raw = read_raw_table(path, report, header_score=_header_score, limits=limits)
    except ProfileFileError:
        raise LabelsError(
            f"The pairs file {path} cannot be read: {_errors(report)} Expected a table with the columns "
            "de_id, cn_id, grade (0-3) and one pair per row."
        ) from None
    if report.errors:
        raise LabelsError(f"The pairs file {path} cannot be used: {_errors(report)}")
    for issue in report.warnings:
        log.warning("%s: %s", path, issue.render("en"))
    header = _column_names(raw.header, report)
    pairs = pd.DataFrame(raw.records, columns=header, dtype=object)
    for column in (V.DE_ID, V.CN_ID):
        if column in pairs:
            pairs[column] = pairs[column].map(restore_cell)
    if V.GRADE in pairs:
        pairs[V.GRADE] = pairs[V.GRADE].map(lambda g: g.replace(",", ".") if _DECIMAL_COMMA.match(g) else g)
    pairs = check_pairs(pairs, str(path), rows=raw.row_numbers)
    grades = pairs[V.GRADE].to_numpy()
    bad = np.flatnonzero(~((grades >= 0) & (grades <= MAX_GRADE)))
    if len(bad):
        rows = _rows_text([raw.row_numbers[i] for i in bad])
        raise LabelsError(
            f"{path}: a grade is a number from 0 to {MAX_GRADE} (3 = agreement, 2 = met, 1 = contacted, "
            f"0 = declined); rows {rows} hold {pairs[V.GRADE].iloc[bad[0]]:g} and the like. Correct those grades."
        )
    return pairs


def check_pairs(pairs: pd.DataFrame, name: str = "the labelled pairs", rows: list[int] | None = None) -> pd.DataFrame:
    """``pairs`` with a float ``grade``; a :class:`LabelsError` naming every bad row otherwise.
    ``rows[i]`` is the row number of pair ``i`` in its file (default: header = 1, pairs from 2)."""
    missing = [c for c in V.PAIR_COLUMNS if c not in pairs.columns]
    if missing:
        raise LabelsError(
            f"{name} lacks the columns {missing}; expected de_id, cn_id, grade. "
            f"Found: {', '.join(map(str, pairs.columns))}."
        )
    grades = pd.to_numeric(pairs[V.GRADE], errors="coerce")
    bad = np.flatnonzero(grades.isna().to_numpy())
    if len(bad):
        numbers = [rows[i] if rows is not None else i + 2 for i in bad]
        raise LabelsError(
            f"{name}: the grade must be a number (0-3) in every row; rows {_rows_text(numbers)} (line numbers, "
            f"header = 1) hold {pairs[V.GRADE].iloc[bad[0]]!r} and the like. Fill in a grade or drop those rows."
        )
    return pairs.assign(grade=grades.astype(float))


def _column_names(header: list[str], report: ValidationReport) -> list[str]:
    """The header with ``de_id``, ``cn_id`` and ``grade`` in any case or spacing named so; a name
    taken twice gets ``_2``, ``_3`` … (the first one is the column read), as in a profiles file."""
    names = [_HEADERS.get(fold(cell), cell) for cell in header]
    columns: dict[int, str] = {}
    for i, name in enumerate(names):
        if name in V.PAIR_COLUMNS and name not in columns.values():
            columns[i] = name
    return unique_names(names, columns, report, V.PAIR_COLUMNS)


def _errors(report: ValidationReport) -> str:
    return " ".join(f"{issue.where('en')}: {issue.message('en')}" for issue in report.errors[:10])


def _rows_text(rows: list[int]) -> str:
    return ", ".join(str(r) for r in rows[:10]) + (" ..." if len(rows) > 10 else "")
