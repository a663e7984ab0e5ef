"""Load and validate company profiles (the README's profile columns), reporting every problem at once.

``load_profiles(path)`` returns a :class:`Profiles`: the normalised table plus the validation
report. The table keeps every input column (unknown ones pass through) and adds the derived
columns named in :mod:`matchmaker.vocab` (``city_key``, ``nace_division``, ``focus_keys`` …).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path

import pandas as pd

from matchmaker import config as C
from matchmaker import vocab as V
from matchmaker.errors import ProfileFileError
from matchmaker.io.cells import looks_like_formula
from matchmaker.io.headers import (  # HEADER_ALIASES and canonical_column: re-exported, as before the move
    HEADER_ALIASES,  # noqa: F401
    canonical_column,  # noqa: F401
    header_score,
    map_headers,
    shown_header,
    unique_names,
)
from matchmaker.io.limits import ReadLimits
from matchmaker.io.readers import RawTable, read_bytes_table, read_raw_table
from matchmaker.io.readings import clean_id, is_not_given, read_country, read_employees
from matchmaker.io.report import Severity, ValidationReport
from matchmaker.io.values import cell_text
from matchmaker.knowledge.taxonomy import Taxonomy, load_taxonomy
from matchmaker.text import clean_for_embedding, detect_language, fold

_TRUE = {fold(v) for v in ("true", "yes", "ja", "y", "j", "1", "x", "是", "同意", "wahr")}
_FALSE = {fold(v) for v in ("false", "no", "nein", "n", "0", "否", "不同意", "falsch")}
# [^<>] keeps each try to the next "<": with [^>] a cell of 50,000 "<a" took seconds (quadratic)
_HTML = re.compile(r"<\s*/?\s*[a-zA-Z][^<>]*>|&[a-z]+;")
_LIST_SPLIT = re.compile(r"[;；,，、|/]")
_COOPERATION_SPLIT = re.compile(r"[;；,，、|]")
_LANGUAGE_SPELLINGS = {
    "deutsch": "de",
    "german": "de",
    "德文": "de",
    "德语": "de",
    "chinesisch": "zh",
    "chinese": "zh",
    "cn": "zh",
    "中文": "zh",
    "汉语": "zh",
    "englisch": "en",
    "english": "en",
    "英文": "en",
    "英语": "en",
}


@dataclass
class Profiles:
    """A validated profiles table and its report."""

    table: pd.DataFrame
    report: ValidationReport

    def __len__(self) -> int:
        return len(self.table)


def normalise_country(value: str) -> str | None:
    """``"DE"`` or ``"CN"`` for a spelling of Germany or China (``China (PRC)`` too), else None."""
    return read_country(value)[0]


def size_band(employees: str, band: str) -> str | None:
    """The employee band for a count or a band spelling; None when neither can be read."""
    return read_employees(employees)[0] if employees else read_employees(band)[0] if band else None


def load_profiles(
    path: Path | str,
    taxonomy: Taxonomy | None = None,
    sheet: str | None = None,
    strict: bool = True,
    limits: ReadLimits | None = None,
) -> Profiles:
    """Read, validate and normalise a profiles file, within ``limits`` (:class:`ReadLimits`; the
    defaults when None).

    With ``strict`` (the default) a file with errors raises :class:`ProfileFileError` carrying the
    full report; otherwise the caller gets the table of usable rows and decides.
    """
    taxonomy = taxonomy or load_taxonomy()
    report = ValidationReport(source=str(path))
    raw = read_raw_table(Path(path), report, sheet=sheet, header_score=header_score, limits=limits)
    table = normalise(raw, report, taxonomy)
    if strict and not report.usable:
        raise ProfileFileError(report.summary("en"), report)
    return Profiles(table, report)


def load_profiles_bytes(
    content: bytes,
    name: str,
    taxonomy: Taxonomy | None = None,
    strict: bool = True,
    limits: ReadLimits | None = None,
) -> Profiles:
    """:func:`load_profiles` for a file's bytes in memory (an upload); ``name`` gives the suffix."""
    taxonomy = taxonomy or load_taxonomy()
    report = ValidationReport(source=name)
    raw = read_bytes_table(content, name, report, header_score=header_score, limits=limits)
    table = normalise(raw, report, taxonomy)
    if strict and not report.usable:
        raise ProfileFileError(report.summary("en"), report)
    return Profiles(table, report)


def validate_file(
    path: Path | str, taxonomy: Taxonomy | None = None, sheet: str | None = None, limits: ReadLimits | None = None
) -> ValidationReport:
    """Every problem of a profiles file, without raising for an unusable one (``matchmaker validate``).

    The same checks as :func:`load_profiles`; what only matching needs (focus areas inferred from
    the text, the text to embed, detected languages) is not derived, so this is several times faster.
    """
    report = ValidationReport(source=str(path))
    try:
        raw = read_raw_table(Path(path), report, sheet=sheet, header_score=header_score, limits=limits)
    except ProfileFileError:
        return report
    normalise(raw, report, taxonomy or load_taxonomy(), derive=False)
    return report


def profiles_from_frame(frame: pd.DataFrame, taxonomy: Taxonomy | None = None, source: str = "<table>") -> Profiles:
    """Validate and normalise a table already in memory (tests, notebooks, the generator)."""
    report = ValidationReport(source=source)
    frame = frame.astype(object).where(frame.notna(), "")
    raw = RawTable(
        [str(c) for c in frame.columns],
        [[v if isinstance(v, str) else cell_text(v)[0] for v in row] for row in frame.itertuples(index=False)],
        [i + 2 for i in range(len(frame))],
    )
    table = normalise(raw, report, taxonomy or load_taxonomy())
    return Profiles(table, report)


_CANONICAL = (*V.REQUIRED_COLUMNS, *V.OPTIONAL_COLUMNS)
# What _normalise_row derives, in the order the columns join the table.
_DERIVED = (
    V.COUNTRY,
    V.LANGUAGE,
    V.CITY_KEY,
    V.NACE_DIVISION,
    V.FOCUS_KEYS,
    V.FOCUS_INFERRED,
    V.COOPERATION_KEYS,
    V.SIZE_BAND,
    V.CONTACT_CONSENT,
    V.TEXT,
)


def normalise(raw: RawTable, report: ValidationReport, taxonomy: Taxonomy, derive: bool = True) -> pd.DataFrame:
    """Map headers, check every row and derive the canonical columns; all findings go to ``report``.

    ``derive=False`` checks only: the table gets no focus areas inferred from the text, no text to
    embed and no detected language (see :func:`validate_file`)."""
    columns = map_headers(raw.header, report)
    missing = [c for c in V.REQUIRED_COLUMNS if c not in columns.values()]
    if missing == [V.ID]:  # a CRM list without ids: the rest is there, the fix is a column, not a rename
        report.add("error", "missing_id", found=shown_header(raw.header))
        return pd.DataFrame(columns=list(V.REQUIRED_COLUMNS))
    if missing:
        report.add("error", "missing_columns", missing=", ".join(missing), found=shown_header(raw.header))
        return pd.DataFrame(columns=list(V.REQUIRED_COLUMNS))
    if not raw.records:
        report.add("error", "no_rows")
        return pd.DataFrame(columns=list(V.REQUIRED_COLUMNS))

    names = unique_names(
        [columns.get(i, header) for i, header in enumerate(raw.header)],
        columns,
        report,
        (*_CANONICAL, *_DERIVED, "row"),
    )
    position = {column: i for i, column in columns.items()}
    ids = _check_ids([row[position[V.ID]] for row in raw.records], raw.row_numbers, report)
    absent = [c for c in _CANONICAL if c not in position]
    given = [c for c in _CANONICAL if c in position]  # the required columns at least, so cells are a tuple
    given_cells = itemgetter(*(position[c] for c in given))
    blank = dict.fromkeys(absent, "")
    readings = _Readings(taxonomy)
    derived = []
    for record, row, id_ in zip(raw.records, raw.row_numbers, ids):
        values = dict(zip(given, given_cells(record)), **blank)
        values[V.ID] = id_
        values["row"] = row
        derived.append(_normalise_row(values, report, readings, derive))
    frame = pd.DataFrame(raw.records, columns=names, dtype=object)
    frame[V.ID] = ids
    for column in absent:
        frame[column] = ""
    frame["row"] = raw.row_numbers
    for key, column_values in zip(_DERIVED, zip(*derived)):
        frame[key] = list(column_values)
    report.rows = len(frame)
    report.countries = frame[V.COUNTRY].value_counts().to_dict()
    present = {code for code in report.countries if code in V.COUNTRIES}
    if len(present) == 1:
        (only,) = present
        report.add("warning", "one_country", country=only, other=V.other_country(only))
    return frame


# Ids that pandas, R and spreadsheet programs read as an empty cell (their default missing values)
_READ_AS_MISSING = frozenset(
    v.casefold()
    for v in ("NA", "N/A", "#N/A", "NaN", "-NaN", "null", "NULL", "None", "nil", "<NA>", "#NA", "n/a", "-nan")
)


def _check_ids(ids: list[str], rows: list[int], report: ValidationReport) -> list[str]:
    """The ids as meant (:func:`~matchmaker.io.readings.clean_id`), each cleaning noted; ids that are
    the same are an error, ids that differ only in upper and lower case a warning."""
    cleaned = []
    for value, row in zip(ids, rows):
        id_, note = clean_id(value)
        if note:
            report.add("warning", note, rows=(row,), column=V.ID)
        if id_.casefold() in _READ_AS_MISSING:
            report.add("warning", "id_read_as_missing", rows=(row,), column=V.ID, id=id_)
        elif looks_like_formula(id_):
            report.add("warning", "id_formula", rows=(row,), column=V.ID, id=id_)
        cleaned.append(id_)
    if len(set(cleaned)) == len(cleaned) and len({id_.casefold() for id_ in cleaned}) == len(cleaned):
        return cleaned  # every id differs from every other, in case too: nothing to report (the usual file)
    by_id: dict[str, list[int]] = {}
    for id_, row in zip(cleaned, rows):
        by_id.setdefault(id_, []).append(row)
    by_case: dict[str, list[str]] = {}
    for id_, found in by_id.items():
        if not id_:
            continue
        if len(found) > 1:
            report.add("error", "duplicate_id", rows=tuple(found), column=V.ID, id=id_)
        by_case.setdefault(id_.casefold(), []).append(id_)
    for spellings in by_case.values():
        if len(spellings) > 1:
            found = sorted(row for id_ in spellings for row in by_id[id_])
            shown = ", ".join(f"'{id_}'" for id_ in spellings[:6])
            report.add("warning", "ids_differ_in_case", rows=tuple(found), column=V.ID, ids=shown)
    return cleaned


# A finding before it is placed on a row: (severity, code, column, message parameters).
_Finding = tuple[Severity, str, str | None, dict[str, object]]
_Reading = tuple[object, tuple[_Finding, ...]]


class _Readings(dict):
    """What the cells of one table read as, each distinct value read once:
    ``readings[reader, *cells]`` is ``reader(taxonomy, *cells)``, remembered.

    Countries, cities, sectors, focus lists, cooperation types, sizes and consents repeat from row to
    row (a few dozen distinct values in 100,000 synthetic rows, and few in a real export too), so a
    value's reading and its findings are kept, and the findings placed on every row that has the value:
    the report gets the same findings, on the same rows, in the same order as reading every cell."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        super().__init__()
        self.taxonomy = taxonomy

    def __missing__(self, key: tuple) -> _Reading:
        reader, *cells = key
        self[key] = reading = reader(self.taxonomy, *cells)
        return reading


def _note(report: ValidationReport, rows: tuple[int, ...], findings: tuple[_Finding, ...]) -> None:
    for severity, code, column, params in findings:
        report.add(severity, code, rows=rows, column=column, **params)


def _normalise_row(record: dict, report: ValidationReport, readings: _Readings, derive: bool = True) -> tuple:
    """One row's derived values, in the order of :data:`_DERIVED`; its findings go to ``report``."""
    taxonomy = readings.taxonomy
    rows = (record["row"],)
    for column in (V.ID, V.NAME, V.COUNTRY):
        if not record[column]:
            report.add("error", "missing_value", rows=rows, column=column)

    country, findings = readings[_read_country_cell, record[V.COUNTRY]]
    _note(report, rows, findings)
    city_key, findings = readings[_read_city_cell, record[V.CITY]]
    _note(report, rows, findings)

    if not record[V.DESCRIPTION]:
        report.add("warning", "empty_description", rows=rows, column=V.DESCRIPTION)
    for column in (V.NAME, V.DESCRIPTION, V.OFFERS, V.SEEKS):
        value = record[column]
        if not value:
            continue
        if len(value) > C.MAX_EMBED_CHARS:
            report.add(
                "warning",
                "long_text",
                rows=rows,
                column=column,
                length=f"{len(value):,}",
                limit=f"{C.MAX_EMBED_CHARS:,}",
            )
        if looks_like_formula(value):
            report.add(
                "info", "formula_text", rows=rows, column=column, char=value[0].replace("\t", "TAB").replace("\r", "CR")
            )
        if "<" in value or "&" in value:
            if _HTML.search(value[:100_000]):
                report.add("info", "html_text", rows=rows, column=column)

    written = record[V.LANGUAGE]
    given = _given_language(written) if written else ""
    language = ""
    text = ""
    if derive or (written and given not in V.LANGUAGES):
        text = " ".join(filter(None, (record[V.DESCRIPTION], record[V.OFFERS], record[V.SEEKS]))) or record[V.NAME]
        text = clean_for_embedding(text, C.MAX_EMBED_CHARS)
        if not (written and given in V.LANGUAGES):  # a language written in the file replaces the detected one
            language = detect_language(text) or ("zh" if country == "CN" else "de")
    if written:
        if given in V.LANGUAGES:
            language = given
        else:
            report.add("warning", "bad_language", rows=rows, column=V.LANGUAGE, value=written, detected=language)

    division, findings = readings[_read_sector_cells, record[V.SECTOR], record[V.SECTOR_CN], country]
    _note(report, rows, findings)
    focus, findings = readings[_read_focus_cell, record[V.FOCUS_AREAS]]
    _note(report, rows, findings)
    inferred = not focus
    if inferred and derive:
        focus = taxonomy.infer_focus(text)
    cooperation, findings = readings[_read_cooperation_cell, record[V.COOPERATION]]
    _note(report, rows, findings)
    band, findings = readings[_read_size_cells, record[V.EMPLOYEES], record[V.EMPLOYEES_BAND]]
    _note(report, rows, findings)
    consent, findings = readings[_read_consent_cell, record[V.CONTACT_CONSENT]]
    _note(report, rows, findings)

    return (
        country or record[V.COUNTRY],
        language,
        city_key or "",
        division or "",
        tuple(focus),
        inferred,
        cooperation,
        band or "",
        consent,
        text,
    )


# --- what one cell (or a pair) reads as: pure functions of the cells, for _Readings to remember -------
def _read_country_cell(taxonomy: Taxonomy, value: str) -> _Reading:
    if not value:
        return None, ()
    country, reading = read_country(value)
    if country is None:
        code = "country_outside" if reading == "country_outside" else "bad_country"
        return None, (("error", code, V.COUNTRY, {"value": value}),)
    if reading:
        return country, (("info", reading, V.COUNTRY, {"value": value, "country": country}),)
    return country, ()


def _read_city_cell(taxonomy: Taxonomy, value: str) -> _Reading:
    city_key = taxonomy.city_key(value)
    if not value:
        return city_key, (("warning", "empty_city", V.CITY, {}),)
    if city_key is None:
        return None, (("info", "city_outside", V.CITY, {"value": value}),)
    return city_key, ()


def _read_sector_cells(taxonomy: Taxonomy, sector: str, sector_cn: str, country: str | None) -> _Reading:
    """The NACE division of a NACE code, else of a GB/T code. A Chinese company's sector that is no
    NACE code but a GB/T one (C34, 3491: what a Chinese agency's file holds) is read as GB/T."""
    findings: list[_Finding] = []
    division = None
    if sector:
        division = taxonomy.nace_division(sector)
        gbt = taxonomy.gbt_to_nace(sector) if division is None and country == "CN" and not sector_cn else None
        if gbt is not None:
            division = gbt
            findings.append(("info", "sector_read_as_gbt", V.SECTOR, {"value": sector, "division": gbt}))
        elif division is None:
            findings.append(("warning", "bad_sector", V.SECTOR, {"value": sector}))
    if sector_cn:
        mapped = taxonomy.gbt_to_nace(sector_cn)
        if mapped is None:
            findings.append(("warning", "bad_sector_cn", V.SECTOR_CN, {"value": sector_cn}))
        elif division is None:
            division = mapped
        elif mapped != division:
            findings.append(("info", "sector_conflict", None, {"nace": division, "gbt": sector_cn, "mapped": mapped}))
    return division, tuple(findings)


def _read_focus_cell(taxonomy: Taxonomy, value: str) -> _Reading:
    """The focus-area keys a list names, a part that names none read by its keywords, else "other"."""
    findings: list[_Finding] = []
    focus: list[str] = []
    for part in _LIST_SPLIT.split(value) if value else ():
        if not part.strip():
            continue
        key = taxonomy.focus_key(part)
        guessed = taxonomy.infer_focus(part, max_areas=1) if key is None else ()
        if guessed:
            key = guessed[0]
            findings.append(("info", "focus_mapped", V.FOCUS_AREAS, {"value": part.strip(), "key": key}))
        if key is None:
            known = ", ".join(taxonomy.focus_keys)
            findings.append(("warning", "unknown_focus", V.FOCUS_AREAS, {"value": part.strip(), "known": known}))
            key = "other"
        if key not in focus:
            focus.append(key)
    return tuple(focus), tuple(findings)


def _read_cooperation_cell(taxonomy: Taxonomy, value: str) -> _Reading:
    findings: list[_Finding] = []
    cooperation: list[str] = []
    for part in _COOPERATION_SPLIT.split(value) if value else ():
        if not part.strip():
            continue
        key = taxonomy.cooperation_key(part)
        if key is None:
            known = ", ".join(taxonomy.cooperation_types["key"])
            findings.append(("warning", "unknown_cooperation", V.COOPERATION, {"value": part.strip(), "known": known}))
        elif key not in cooperation:
            cooperation.append(key)
    return tuple(cooperation), tuple(findings)


def _read_size_cells(taxonomy: Taxonomy, employees: str, band: str) -> _Reading:
    """The size band of the head count, else of the band written."""
    findings: list[_Finding] = []
    size = None
    for column, value in ((V.EMPLOYEES, employees), (V.EMPLOYEES_BAND, band)):
        if not value:
            continue
        if is_not_given(value):
            findings.append(("info", "employees_not_given", column, {}))
            continue
        read, note = read_employees(value)
        if read is None:
            findings.append(("warning", "bad_employees", column, {"value": value}))
            continue
        if note:
            findings.append(("info", note, column, {}))
        size = size or read
    return size, tuple(findings)


def _read_consent_cell(taxonomy: Taxonomy, value: str) -> _Reading:
    consent = fold(value) if value else ""
    if consent and consent not in _TRUE | _FALSE:
        return False, (("warning", "bad_consent", V.CONTACT_CONSENT, {"value": value}),)
    return consent in _TRUE, ()


def _given_language(value: str) -> str:
    given = value.strip().lower()
    return _LANGUAGE_SPELLINGS.get(given, given[:2])
