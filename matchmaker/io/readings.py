"""What a German or Chinese user means by a value: employee counts, countries and ids as people write
them. Each reading that is not the literal value returns a note code, so the validation report can
say what was interpreted (codes and texts in ``[validate]`` of the locale files).

- ``1.000`` and ``12.500`` are a thousand and twelve and a half thousand employees (German digit
  grouping), as are ``1,000`` and ``1 000``; ``1,5`` is one and a half; ``1.2万`` is 12,000;
  ``ca. 500``, ``约500人``, ``500余名``, ``500+`` and ``über 1000`` are about that many; ``100-200`` is
  a range; ``五百人`` and ``一千二百`` are Chinese numerals; ``3,5 Tsd.`` and ``2k`` are thousands;
  ``k.A.``, ``n/a`` and ``未知`` say the count is not known.
- ``China (PRC)``, ``P.R. China``, ``Deutschland (DE)`` name China and Germany; Hong Kong, Macao and
  Taiwan are named as such, so the report can explain why they are not accepted.
- ids: full-width letters (``ＤＥ1``, typed with a Chinese input method) read as ``DE1``; invisible
  characters (zero-width spaces, control characters) are removed.
"""

from __future__ import annotations

import re
import unicodedata

from matchmaker import vocab as V
from matchmaker.text import fold

COUNTRY_SPELLINGS = {
    "DE": (
        "de",
        "deu",
        "ger",
        "germany",
        "deutschland",
        "german",
        "德国",
        "德國",
        "德意志",
        "德意志联邦共和国",
        "d",  # the international vehicle code, as in "D-50667 Köln"
        "brd",
        "frg",
        "bundesrepublik",
        "bundesrepublikdeutschland",
        "federalrepublicofgermany",
    ),
    "CN": (
        "cn",
        "chn",
        "china",
        "中国",
        "中國",
        "中华人民共和国",
        "中華人民共和國",
        "中国大陆",
        "大陆",
        "prc",
        "prchina",
        "vrc",
        "vrchina",
        "volksrepublikchina",
        "peoplesrepublicofchina",
        "mainlandchina",
        "chinamainland",
    ),
}
# Named, so that the report can say why they are not accepted (the alliance's Chinese members are
# cities in mainland China), rather than that the value is no country at all.
OUTSIDE_ALLIANCE = (
    "hk",
    "hongkong",
    "hongkongsar",
    "香港",
    "中国香港",
    "香港特别行政区",
    "mo",
    "macau",
    "macao",
    "澳门",
    "澳門",
    "中国澳门",
    "tw",
    "taiwan",
    "台湾",
    "台灣",
    "中国台湾",
    "roc",
    "republicofchina",
    "chinesetaipei",
    "中华台北",
)
_COUNTRY_INDEX = {fold(s): code for code, spellings in COUNTRY_SPELLINGS.items() for s in spellings}
_OUTSIDE = {fold(s) for s in OUTSIDE_ALLIANCE}
_COUNTRY_PARTS = re.compile(r"[()（）\[\]【】/,，、|;；:：\-–]+")


def read_country(value: str) -> tuple[str | None, str | None]:
    """``(code, note)``: ``("CN", None)`` for a known spelling, ``("CN", "country_read")`` for one read
    from its parts (``China (PRC)``), ``(None, "country_outside")`` for Hong Kong, Macao or Taiwan,
    ``(None, None)`` for anything else."""
    folded = fold(value)
    if folded in _COUNTRY_INDEX:
        return _COUNTRY_INDEX[folded], None
    if folded in _OUTSIDE:
        return None, "country_outside"
    parts = [fold(part) for part in _COUNTRY_PARTS.split(value)]
    parts = [part for part in parts if part]
    if any(part in _OUTSIDE for part in parts):
        return None, "country_outside"
    codes = {_COUNTRY_INDEX.get(part) for part in parts}
    if len(codes) == 1 and None not in codes:
        return codes.pop(), "country_read"
    return None, None


# --- employees ----------------------------------------------------------------------------------
def _band_key(text: str) -> str:
    return re.sub(r"\s+", "", text.replace("–", "-").replace("—", "-")).lower()


# Compared without spaces; not folded (folding drops the dash: "1-49" would equal 149 employees).
_BANDS = {_band_key(b): b for b in V.SIZE_BANDS} | {
    _band_key(spelling): band
    for spelling, band in (
        ("<50", "1-49"),
        ("1000 und mehr", "1000+"),
        (">1000", "1000+"),
        ("1000 oder mehr", "1000+"),
        ("1000 and more", "1000+"),
        ("1000人以上", "1000+"),
    )
}
_ABOUT = re.compile(
    r"^(?:ca\.?|circa|zirka|etwa|rund|ungefähr|knapp|about|approx\.?|approximately|around|~|≈|约|大约|近)\s*",
    re.IGNORECASE,
)
_MORE = re.compile(r"^(?:über|ueber|mehr\s+als|more\s+than|over|>|≥|>=|超过|逾|多于)\s*", re.IGNORECASE)
# One or more suffixes: "500余名" is 500 and more (余) people (名), "1000人以上" 1000 people or more
_UNIT = re.compile(
    r"(?:\s*(?:\+|人|名|多|左右|以上|余|mitarbeiter(?:innen)?|mitarbeitende|ma|beschäftigte|personen|"
    r"employees|staff|people|fte)\.?)+\s*$",
    re.IGNORECASE,
)
_AT_LEAST = ("+", "以上", "余", "多", "左右")
_GROUPED = re.compile(r"^\d{1,3}(?:([.,' \u00a0\u202f])\d{3})(?:\1\d{3})*(?:(?!\1)[.,]\d+)?$")
_PLAIN = re.compile(r"^\d+(?:[.,]\d+)?$")
_RANGE = re.compile(r"^(.+?)\s*(?:-|–|—|~|～|bis|to|至|到)\s*(.+)$", re.IGNORECASE)
# A multiplier after the number: 1.2万, 3千, 3,5 Tsd., 2k
_MULTIPLIER = re.compile(r"\s*(万|千|tsd\.?|tausend|k)$", re.IGNORECASE)
_MULTIPLIERS = {"万": 10_000, "千": 1_000, "tsd": 1_000, "tausend": 1_000, "k": 1_000}
# A number in Chinese numerals: 五百, 一千二百, 两万, 十二
_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_POWERS = {"十": 10, "百": 100, "千": 1_000, "万": 10_000}
# What people write in a cell for "not known" (keine Angabe, 不详): read as empty, not as a bad count
_NOT_GIVEN = frozenset(
    fold(v)
    for v in (
        "k.A.",
        "keine Angabe",
        "keine Angaben",
        "unbekannt",
        "n/a",
        "unknown",
        "none",
        "-",
        "未知",
        "不详",
        "不明",
        "暂无",
        "无",
    )
)  # folded: "k. A." is "ka", and a cell of dashes or question marks folds to "" as "-" does
# Longer than any way of writing a head count ("ungefähr 1.200 Mitarbeiterinnen und Mitarbeiter" is 45)
_LONGEST_EMPLOYEES = 100


def band_of(count: float) -> str:
    """The employee band of a head count (``V.SIZE_BANDS``)."""
    return V.SIZE_BANDS[(count >= 50) + (count >= 250) + (count >= 1000)]


def read_employees(text: str) -> tuple[str | None, str | None]:
    """``(band, note)`` for a number of employees or a band as people write it; ``(None, None)``
    when it cannot be read. Notes: ``employees_grouped`` (digit grouping such as 1.000),
    ``employees_about`` (ca. 500, 500+), ``employees_unit`` (1.2万), ``employees_range`` (100-200:
    the band of its middle)."""
    value = unicodedata.normalize("NFKC", text).strip()
    if not value or len(value) > _LONGEST_EMPLOYEES:
        return None, None  # no count or band is that long; the patterns below would take quadratic time
    if _band_key(value) in _BANDS:
        return _BANDS[_band_key(value)], None
    count, note = _count(value)
    if count is not None:
        return band_of(count), note
    ranged = _RANGE.match(value)
    if ranged:
        low, _ = _count(ranged.group(1))
        high, _ = _count(ranged.group(2))
        if low is not None and high is not None and low <= high:
            return band_of((low + high) / 2), "employees_range"
    return None, None


def _count(value: str) -> tuple[float | None, str | None]:
    stripped = _ABOUT.sub("", value)
    more = _MORE.match(stripped)
    stripped = _MORE.sub("", stripped)
    unit = _UNIT.search(stripped)
    plus = unit is not None and any(mark in unit.group(0) for mark in _AT_LEAST)
    stripped = _UNIT.sub("", stripped).strip()
    note = "employees_about" if (stripped != value.strip() and (plus or more or _ABOUT.match(value))) else None
    numerals = _chinese_numeral(stripped)
    if numerals is not None:
        return numerals + (1 if more else 0), note or "employees_numerals"
    factor = 1
    multiplier = _MULTIPLIER.search(stripped)
    if multiplier and stripped[: multiplier.start()].strip():
        factor = _MULTIPLIERS[multiplier.group(1).lower().rstrip(".")]
        stripped = stripped[: multiplier.start()].strip()
        note = note or "employees_unit"
    if _GROUPED.match(stripped) and factor == 1:
        separator = _GROUPED.match(stripped).group(1)
        whole, _, fraction = stripped.replace(separator, "").replace(",", ".").partition(".")
        count = float(f"{whole}.{fraction}" if fraction else whole)
        note = note or "employees_grouped"
    elif _PLAIN.match(stripped):
        count = float(stripped.replace(",", ".")) * factor
    else:
        return None, None
    if more:
        count += 1  # "über 49": at least 50
    return count, note


def _chinese_numeral(text: str) -> int | None:
    """The value of a number written in Chinese numerals (五百 500, 一千二百 1200, 十二 12, 两万 20000),
    else None. Digits and their powers only; no mixed forms such as 1千2百."""
    if not text or any(char not in _DIGITS and char not in _POWERS for char in text):
        return None
    total, section, digit = 0, 0, None
    for char in text:
        if _DIGITS.get(char, -1) == 0:
            continue  # 零 only marks a skipped place: 一百零八 is 108
        if char in _DIGITS:
            if digit is not None:
                return None  # two digits in a row ("五五") is not how a count is written
            digit = _DIGITS[char]
        elif char == "万":
            total += (section + (digit or 0)) * 10_000 if (section or digit) else 10_000
            section, digit = 0, None
        else:
            section += (1 if digit is None else digit) * _POWERS[char]
            digit = None
    return total + section + (digit or 0)


def is_not_given(text: str) -> bool:
    """Whether a cell says the value is not known ("k.A.", "n/a", "未知", "-") instead of giving it."""
    return fold(text) in _NOT_GIVEN  # fold normalises (NFKC) and drops spaces and punctuation


# --- ids ----------------------------------------------------------------------------------------
def clean_id(value: str) -> tuple[str, str | None]:
    """``(id, note)``: the id as meant (invisible format and control characters removed; NFKC, so
    full-width letters and digits are plain; spaces around it removed). Notes: ``id_invisible``,
    ``id_full_width``; None when the id is as written."""
    if value.isascii() and value.isprintable():
        return value.strip(), None
    visible = "".join(ch for ch in value if unicodedata.category(ch) not in _INVISIBLE)
    normal = unicodedata.normalize("NFKC", visible).strip()
    if visible.strip() != value.strip():
        return normal, "id_invisible"
    return normal, ("id_full_width" if normal != visible.strip() else None)


_INVISIBLE = frozenset(("Cc", "Cf", "Zl", "Zp"))
