"""Spreadsheet safety of single cells: what any table that leaves the system passes through.

A cell that starts like a formula (:data:`matchmaker.vocab.FORMULA_START`) gets a leading apostrophe
(the OWASP recommendation), so Excel, LibreOffice and Google Sheets show it as text; numbers stay
numbers. :func:`restore_cell` reads such a cell back exactly (ids in an exported labelled-pairs file).
"""

from __future__ import annotations

import re

import pandas as pd

from matchmaker import vocab as V

_UNSAFE_NAME = re.compile(r"[^\w.\-]+", re.UNICODE)


def looks_like_formula(text: str) -> bool:
    """True when ``text`` would start a formula in a spreadsheet. A lone leading dash (a bullet, a
    negative-looking code) only counts when an operator follows it (``-=``, ``-+``)."""
    if text.startswith("-"):
        return text[1:2] in ("=", "+")
    return text.startswith(V.FORMULA_START)


def safe_cell(value: object) -> object:
    """The value as a spreadsheet should store it: formula-like text neutralised, all else kept."""
    if isinstance(value, str) and value.startswith(V.FORMULA_START):
        return "'" + value
    return value


def restore_cell(value: object) -> object:
    """The inverse of :func:`safe_cell`: ``'=x`` becomes ``=x`` again; every other value is returned as it is."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(V.FORMULA_START):
        return value[1:]
    return value


def safe_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Every text cell passed through :func:`safe_cell`; column names too."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(safe_cell)
    safe.columns = [safe_cell(str(c)) for c in safe.columns]
    return safe


def safe_filename(name: str, fallback: str = "export") -> str:
    """A file name without path separators or shell-special characters (Chinese letters kept)."""
    cleaned = _UNSAFE_NAME.sub("_", name).strip("._")
    return cleaned[:120] or fallback
