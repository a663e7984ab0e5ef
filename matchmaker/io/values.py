"""One cell of a workbook or a Parquet file as the text its user sees, and which reading that took.

Every profile cell becomes ``str``. Most values have one obvious text; some do not, and for those the
text is the one the person who filled in the sheet meant, with a note code so the validation report
can say what was interpreted:

- a date cell reads as the sheet shows it (``dd.mm.yyyy`` -> ``02.01.2024``; ISO ``2024-01-02`` for
  formats that name months or weekdays); midnight has no time part (``date_cells``);
- a whole number whose cell format pads it (``000``, ``"DE"0000``) reads padded, ``001`` stays ``001``
  (``number_format_used``);
- a list reads as its items joined with ``; ``, the separator of ``focus_areas`` and ``cooperation``
  (``list_cells``); a record (struct, map) as ``key: value; ...`` (``record_cells``);
- bytes read as UTF-8 text (``bytes_decoded``); bytes that are not text raise :class:`BinaryCell`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal

import numpy as np

LIST_SEPARATOR = "; "

_LOCALE_PREFIX = re.compile(r"\[\$[^\]]*\]|\[[a-z]+\]", re.IGNORECASE)
_DATE_TOKEN = re.compile(r'yyyy|yy|mmmmm|mmmm|mmm|mm|m|dddd|ddd|dd|d|hh|h|ss|s|am/pm|a/p|"[^"]*"|\\.|[./\-: ,]|.', re.I)
_NUMBER_TOKEN = re.compile(r'"[^"]*"|\\.|0+|.')


# Excel's built-in short date and time formats show in the reader's locale (02.01.2024 in a German
# Excel, 2024/1/2 in a Chinese one); openpyxl names them by their US form. They read as ISO dates.
_LOCALE_DATE_FORMATS = {"mm-dd-yy", "d-mmm-yy", "d-mmm", "mmm-yy", "m/d/yy h:mm"}


class BinaryCell(ValueError):
    """A bytes value that is not UTF-8 text."""


def cell_text(value: object, number_format: str | None = None) -> tuple[str, str | None]:
    """``(text, note)``: the text of ``value`` and the note code of the reading, None when plain."""
    if value is None or isinstance(value, str):
        return value or "", None
    if isinstance(value, bool | np.bool_):
        return ("true" if value else "false"), None
    if isinstance(value, int | np.integer):
        return _whole_number(int(value), number_format)
    if isinstance(value, float | np.floating):
        value = float(value)
        if math.isnan(value):
            return "", None
        if math.isinf(value):
            return ("inf" if value > 0 else "-inf"), None
        if value.is_integer() and abs(value) < 1e18:
            return _whole_number(int(value), number_format)
        return repr(value), None
    if isinstance(value, Decimal):
        return (format(value, "f") if value.is_finite() else ""), None
    if isinstance(value, dt.datetime | dt.date):
        return _date_text(value, number_format), "date_cells"
    if isinstance(value, dt.time):
        return value.isoformat(), None
    if isinstance(value, dt.timedelta):
        return str(value), None
    if isinstance(value, bytes | bytearray | memoryview):
        try:
            return bytes(value).decode("utf-8"), "bytes_decoded"
        except UnicodeDecodeError as exc:
            raise BinaryCell(f"bytes at {exc.start} are not UTF-8") from None
    if isinstance(value, dict):
        parts = [f"{key}: {cell_text(item)[0]}" for key, item in value.items() if item is not None]
        return LIST_SEPARATOR.join(parts), "record_cells"
    if isinstance(value, list | tuple | np.ndarray):
        if value and all(isinstance(item, tuple) and len(item) == 2 for item in value):  # a Parquet map
            return cell_text(dict(value))[0], "record_cells"
        parts = [cell_text(item)[0] for item in value]
        return LIST_SEPARATOR.join(part for part in parts if part), "list_cells"
    text = getattr(value, "text", None)  # openpyxl's array and table formulas keep their text there
    return (text if isinstance(text, str) else str(value)), None


def _whole_number(number: int, number_format: str | None) -> tuple[str, str | None]:
    plain = str(number)
    if not number_format or number < 0 or "0" not in number_format:
        return plain, None
    tokens = _NUMBER_TOKEN.findall(number_format.split(";")[0])
    zeros = [t for t in tokens if set(t) == {"0"}]
    if len(zeros) != 1 or any(len(t) == 1 and t not in "0" and not t.startswith("\\") for t in tokens):
        return plain, None  # "#,##0", "0.00", "0%" and the like: the plain number is what is meant
    text = "".join(
        plain.zfill(len(t)) if t == zeros[0] else t[1:-1] if t.startswith('"') else t[1:] if t[0] == "\\" else t
        for t in tokens
    )
    return text, ("number_format_used" if text != plain else None)


def _date_text(value: dt.date, number_format: str | None) -> str:
    midnight = not isinstance(value, dt.datetime) or value.time() == dt.time(0)
    if number_format and number_format not in _LOCALE_DATE_FORMATS:
        shown = _excel_date(value, number_format, with_time=not midnight)
        if shown is not None:
            return shown
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if midnight else value.isoformat(sep=" ", timespec="seconds")
    return value.isoformat()


def _excel_date(value: dt.date, number_format: str, with_time: bool) -> str | None:
    """``value`` in an Excel date format made of day, month, year, hour, minute and second numbers;
    None for a format this does not read (month or weekday names depend on the reader's locale).
    Without ``with_time`` the format ends before its hours (a date typed without a time)."""
    pattern = _LOCALE_PREFIX.sub("", number_format.split(";")[0]).strip()
    tokens = _DATE_TOKEN.findall(pattern)
    if not with_time:
        hours = [i for i, t in enumerate(tokens) if t.lower().startswith("h")]
        tokens = tokens[: hours[0]] if hours else tokens
        while tokens and tokens[-1] in "./-: ,":
            tokens.pop()
    if not tokens or not any(t.lower().startswith(("y", "d")) for t in tokens):
        return None
    moment = value if isinstance(value, dt.datetime) else dt.datetime(value.year, value.month, value.day)
    out: list[str] = []
    for index, token in enumerate(tokens):
        lower = token.lower()
        if lower in ("mmm", "mmmm", "mmmmm", "ddd", "dddd", "am/pm", "a/p"):
            return None
        if lower[0] == "m":
            before = [t.lower() for t in tokens[:index] if t.lower()[0] in "ydhs"]
            after = [t.lower() for t in tokens[index + 1 :] if t.lower()[0] in "ydhs"]
            minutes = (before and before[-1][0] == "h") or (after and after[0][0] == "s")
            number = moment.minute if minutes else moment.month
            out.append(f"{number:0{len(lower)}d}")
        elif lower[0] == "y":
            out.append(f"{moment.year % 100:02d}" if lower == "yy" else f"{moment.year:04d}")
        elif lower[0] in "dhs" and set(lower) == {lower[0]}:
            number = {"d": moment.day, "h": moment.hour, "s": moment.second}[lower[0]]
            out.append(f"{number:0{len(lower)}d}")
        elif token.startswith('"'):
            out.append(token[1:-1])
        elif token.startswith("\\"):
            out.append(token[1:])
        elif token in "./-: ,":
            out.append(token)
        else:
            return None
    return "".join(out)
