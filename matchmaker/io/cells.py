"""Spreadsheet safety of single cells: what any table that leaves the system passes through.

A cell that starts like a formula (:data:`matchmaker.vocab.FORMULA_START`) gets a leading apostrophe
(the OWASP recommendation), so Excel, LibreOffice and Google Sheets show it as text; numbers stay
numbers. So does every line of a cell: a reader that splits rows at a line break (or cells at a
tab) would otherwise start a new cell at ``=`` in ``"Evil Co\r=cmd|' /C calc'!A0"``. Where a line
starts with apostrophes and then a formula character, one more apostrophe is added, so that
:func:`restore_cell` reads every cell back exactly (ids in an exported labelled-pairs file).

The writers do their part too (:mod:`matchmaker.exports.tables`): every text field of a CSV is
quoted and rows end in CRLF, so no line break inside a cell can end a row.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pandas as pd

from matchmaker import vocab as V

_UNSAFE_NAME = re.compile(r"[^\w.\-]+", re.UNICODE)
# Where a spreadsheet or CSV reader may start a new cell: the start of the text, and after any
# line break Python, Excel or LibreOffice knows (CR, LF, VT, FF, FS, GS, RS, NEL, LS, PS) or a tab.
_BREAKS = "\n\r\t\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_STARTS = "".join(re.escape(ch) for ch in V.FORMULA_START)
_NEUTRALISE = re.compile(rf"(?:\A|(?<=[{_BREAKS}]))(?='*[{_STARTS}])")
_RESTORE = re.compile(rf"(?:\A|(?<=[{_BREAKS}]))'(?='*[{_STARTS}])")
# XML 1.0 (and so XLSX) cannot hold these; openpyxl refuses them. Shown as Unicode control pictures.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def looks_like_formula(text: str) -> bool:
    """True when ``text`` would start a formula in a spreadsheet. A lone leading dash (a bullet, a
    negative-looking code) only counts when an operator follows it (``-=``, ``-+``)."""
    if text.startswith("-"):
        return text[1:2] in ("=", "+")
    return text.startswith(V.FORMULA_START)


def safe_cell(value: object) -> object:
    """The value as a spreadsheet should store it: text whose start, or the start of any of its
    lines, could begin a formula gets an apostrophe there; every other value is kept.

    >>> safe_cell("Evil Co\\r=cmd")
    "Evil Co\\r'=cmd"
    """
    if isinstance(value, str) and _NEUTRALISE.search(value):
        return _NEUTRALISE.sub("'", value)
    return value


def restore_cell(value: object) -> object:
    """The inverse of :func:`safe_cell`: ``restore_cell(safe_cell(x)) == x`` for every text ``x``."""
    if isinstance(value, str) and "'" in value:
        return _RESTORE.sub("", value)
    return value


def xml_safe(text: str) -> str:
    """``text`` with the characters XML cannot hold (C0 controls but tab and line breaks, lone
    surrogates) shown as their Unicode control pictures (NUL as ␀), so an XLSX can store it."""
    if not _NOT_XML.search(text):
        return text
    return _NOT_XML.sub(lambda m: chr(0x2400 + ord(m.group())) if ord(m.group()) < 0x20 else "\ufffd", text)


def map_text_cells(frame: pd.DataFrame, change: Callable[[object], object]) -> pd.DataFrame:
    """A copy of ``frame`` with ``change`` applied to every cell of its text columns and to its column names."""
    changed = frame.copy()
    for column in changed.columns:
        if changed[column].dtype == object or pd.api.types.is_string_dtype(changed[column]):
            changed[column] = changed[column].map(change)
    changed.columns = [change(str(c)) for c in changed.columns]
    return changed


def safe_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Every text cell passed through :func:`safe_cell`; column names too."""
    return map_text_cells(frame, safe_cell)


def safe_filename(name: str, fallback: str = "export") -> str:
    """A file name without path separators or shell-special characters (Chinese letters kept)."""
    cleaned = _UNSAFE_NAME.sub("_", name).strip("._")
    return cleaned[:120] or fallback
