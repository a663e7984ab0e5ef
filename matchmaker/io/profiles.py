"""Load and validate company profiles (the README's profile columns), reporting every problem at once.

``load_profiles(path)`` returns a :class:`Profiles`: the normalised table plus the validation
report. The table keeps every input column (unknown ones pass through) and adds the derived
columns named in :mod:`matchmaker.vocab` (``city_key``, ``nace_division``, ``focus_keys`` …).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from matchmaker import config as C
from matchmaker import vocab as V
from matchmaker.errors import ProfileFileError
from matchmaker.io.cells import looks_like_formula
from matchmaker.io.readers import RawTable, read_raw_table
from matchmaker.io.report import ValidationReport
from matchmaker.knowledge.taxonomy import Taxonomy, load_taxonomy
from matchmaker.text import clean_for_embedding, detect_language, fold

# Header spellings seen in German, Chinese and English CRM exports; compared after ``fold``.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    V.ID: (
        "id",
        "company_id",
        "companyid",
        "firmen_id",
        "firmenid",
        "unternehmens_id",
        "kennung",
        "nummer",
        "编号",
        "企业编号",
        "公司编号",
        "id号",
    ),
    V.NAME: (
        "name",
        "company",
        "company_name",
        "companyname",
        "firmenname",
        "firma",
        "unternehmen",
        "unternehmensname",
        "公司名称",
        "企业名称",
        "名称",
        "公司",
        "企业",
    ),
    V.NAME_LOCAL: (
        "name_local",
        "local_name",
        "localname",
        "chinesischer_name",
        "chinese_name",
        "deutscher_name",
        "german_name",
        "中文名称",
        "英文名称",
        "德文名称",
        "外文名称",
        "name_andere_schrift",
    ),
    V.COUNTRY: ("country", "land", "staat", "国家", "国别"),
    V.CITY: ("city", "stadt", "ort", "standort", "kommune", "城市", "所在城市", "所在地", "地区"),
    V.DESCRIPTION: (
        "description",
        "beschreibung",
        "firmenbeschreibung",
        "unternehmensbeschreibung",
        "profil",
        "kurzprofil",
        "简介",
        "公司简介",
        "企业简介",
        "描述",
        "介绍",
        "企业介绍",
    ),
    V.LANGUAGE: ("language", "sprache", "语言", "lang"),
    V.SECTOR: (
        "sector",
        "nace",
        "nace_code",
        "nacecode",
        "branche",
        "wirtschaftszweig",
        "wz",
        "wz2008",
        "nace代码",
        "行业nace",
    ),
    V.SECTOR_CN: (
        "sector_cn",
        "gbt",
        "gbt4754",
        "gb_t_4754",
        "国民经济行业分类",
        "行业分类代码",
        "行业代码",
        "国标行业",
        "行业",
    ),
    V.FOCUS_AREAS: (
        "focus_areas",
        "focus",
        "focusareas",
        "schwerpunkte",
        "schwerpunkt",
        "themen",
        "fokus",
        "fokusbereiche",
        "重点领域",
        "领域",
        "关注领域",
    ),
    V.OFFERS: ("offers", "offer", "angebot", "bietet", "wirbieten", "提供", "可提供", "优势"),
    V.SEEKS: ("seeks", "seek", "gesucht", "sucht", "gesuch", "wirsuchen", "需求", "寻求", "合作需求"),
    V.COOPERATION: (
        "cooperation",
        "kooperation",
        "kooperationsart",
        "kooperationsform",
        "合作方式",
        "合作类型",
        "合作形式",
    ),
    V.EMPLOYEES: (
        "employees",
        "mitarbeiter",
        "mitarbeitende",
        "beschaeftigte",
        "员工人数",
        "员工数",
        "人数",
        "职工人数",
    ),
    V.EMPLOYEES_BAND: ("employees_band", "groessenklasse", "mitarbeiterklasse", "规模", "企业规模", "员工规模"),
    V.WEBSITE: ("website", "webseite", "homepage", "internet", "url", "网站", "网址", "官网"),
    V.CONTACT_NAME: ("contact_name", "contact", "kontakt", "ansprechpartner", "ansprechperson", "联系人"),
    V.CONTACT_EMAIL: ("contact_email", "email", "e_mail", "mail", "邮箱", "电子邮件", "联系邮箱"),
    V.CONTACT_CONSENT: (
        "contact_consent",
        "consent",
        "einwilligung",
        "kontaktfreigabe",
        "同意公开",
        "同意联系",
        "授权",
    ),
}
_ALIAS_INDEX = {fold(alias): column for column, aliases in HEADER_ALIASES.items() for alias in aliases}

COUNTRY_SPELLINGS = {
    "DE": ("de", "deu", "germany", "deutschland", "german", "德国", "德意志", "brd", "bundesrepublikdeutschland"),
    "CN": (
        "cn",
        "chn",
        "china",
        "中国",
        "中华人民共和国",
        "prc",
        "vrchina",
        "volksrepublikchina",
        "peoplesrepublicofchina",
    ),
}
_COUNTRY_INDEX = {fold(s): code for code, spellings in COUNTRY_SPELLINGS.items() for s in spellings}

_TRUE = {fold(v) for v in ("true", "yes", "ja", "y", "j", "1", "x", "是", "同意", "wahr")}
_FALSE = {fold(v) for v in ("false", "no", "nein", "n", "0", "否", "不同意", "falsch")}
_BAND_FOLDED = {fold(b): b for b in V.SIZE_BANDS} | {
    fold("<50"): "1-49",
    fold("1000 und mehr"): "1000+",
    fold(">1000"): "1000+",
}
_HTML = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>|&[a-z]+;")
_LIST_SPLIT = re.compile(r"[;；,，、|/]")
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
_NUMBER = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*$")


@dataclass
class Profiles:
    """A validated profiles table and its report."""

    table: pd.DataFrame
    report: ValidationReport

    def __len__(self) -> int:
        return len(self.table)


def canonical_column(header: str) -> str | None:
    """The contract column a header names (``"Firmenname"`` -> ``"name"``), else None."""
    return _ALIAS_INDEX.get(fold(header))


def header_score(cells: list[str]) -> int:
    """How many cells of a candidate header row name contract columns (used to find the header)."""
    return len({canonical_column(c) for c in cells if isinstance(c, str) and canonical_column(c)})


def normalise_country(value: str) -> str | None:
    return _COUNTRY_INDEX.get(fold(value))


def size_band(employees: str, band: str) -> str | None:
    """The employee band for a count or a band spelling; None when neither can be read."""
    if employees:
        match = _NUMBER.match(employees.replace("\u202f", "").replace(" ", ""))
        if match:
            count = float(match.group(1).replace(",", "."))
            return V.SIZE_BANDS[(count >= 50) + (count >= 250) + (count >= 1000)]
    if band:
        folded = fold(band.replace("–", "-"))
        if folded in _BAND_FOLDED:
            return _BAND_FOLDED[folded]
    return None


def load_profiles(
    path: Path | str, taxonomy: Taxonomy | None = None, sheet: str | None = None, strict: bool = True
) -> Profiles:
    """Read, validate and normalise a profiles file.

    With ``strict`` (the default) a file with errors raises :class:`ProfileFileError` carrying the
    full report; otherwise the caller gets the table of usable rows and decides.
    """
    taxonomy = taxonomy or load_taxonomy()
    report = ValidationReport(source=str(path))
    raw = read_raw_table(Path(path), report, sheet=sheet, header_score=header_score)
    table = normalise(raw, report, taxonomy)
    if strict and not report.usable:
        raise ProfileFileError(report.summary("en"), report)
    return Profiles(table, report)


def profiles_from_frame(frame: pd.DataFrame, taxonomy: Taxonomy | None = None, source: str = "<table>") -> Profiles:
    """Validate and normalise a table already in memory (tests, notebooks, the generator)."""
    report = ValidationReport(source=source)
    frame = frame.astype(object).where(frame.notna(), "")
    raw = RawTable(
        [str(c) for c in frame.columns],
        [[str(v) for v in row] for row in frame.itertuples(index=False)],
        [i + 2 for i in range(len(frame))],
    )
    table = normalise(raw, report, taxonomy or load_taxonomy())
    return Profiles(table, report)


def normalise(raw: RawTable, report: ValidationReport, taxonomy: Taxonomy) -> pd.DataFrame:
    """Map headers, check every row and derive the canonical columns; all findings go to ``report``."""
    columns = _map_headers(raw.header, report)
    missing = [c for c in V.REQUIRED_COLUMNS if c not in columns.values()]
    if missing:
        report.add("error", "missing_columns", missing=", ".join(missing), found=", ".join(raw.header))
        return pd.DataFrame(columns=list(V.REQUIRED_COLUMNS))
    if not raw.records:
        report.add("error", "no_rows")
        return pd.DataFrame(columns=list(V.REQUIRED_COLUMNS))

    names = [columns.get(i, header) for i, header in enumerate(raw.header)]
    frame = pd.DataFrame(raw.records, columns=names, dtype=object)
    for column in (*V.REQUIRED_COLUMNS, *V.OPTIONAL_COLUMNS):
        if column not in frame.columns:
            frame[column] = ""
    frame["row"] = raw.row_numbers

    _check_ids(frame, report)
    derived = [_normalise_row(record, report, taxonomy) for record in frame.to_dict("records")]
    for key in derived[0] if derived else ():
        frame[key] = [d[key] for d in derived]
    report.rows = len(frame)
    report.countries = frame[V.COUNTRY].value_counts().to_dict()
    present = {code for code in report.countries if code in V.COUNTRIES}
    if len(present) == 1:
        (only,) = present
        report.add("warning", "one_country", country=only, other=V.other_country(only))
    return frame


def _map_headers(header: list[str], report: ValidationReport) -> dict[int, str]:
    mapped: dict[int, str] = {}
    first_of: dict[str, str] = {}
    extra = []
    for i, name in enumerate(header):
        column = canonical_column(name)
        if column is None:
            extra.append(name)
        elif column in first_of:
            report.add("warning", "duplicate_header", first=first_of[column], second=name, column=column)
        else:
            mapped[i] = column
            first_of[column] = name
    if extra:
        report.add("info", "extra_columns", columns=", ".join(extra))
    return mapped


def _check_ids(frame: pd.DataFrame, report: ValidationReport) -> None:
    ids = frame[V.ID].astype(str).str.strip()
    for value, rows in frame.groupby(ids)["row"]:
        if value and len(rows) > 1:
            report.add("error", "duplicate_id", rows=tuple(rows), id=value)


def _normalise_row(record: dict, report: ValidationReport, taxonomy: Taxonomy) -> dict:
    row = record["row"]
    rows = (row,)
    for column in (V.ID, V.NAME, V.COUNTRY):
        if not record[column]:
            report.add("error", "missing_value", rows=rows, column=column)

    country = normalise_country(record[V.COUNTRY]) if record[V.COUNTRY] else None
    if record[V.COUNTRY] and country is None:
        report.add("error", "bad_country", rows=rows, column=V.COUNTRY, value=record[V.COUNTRY])

    city_key = taxonomy.city_key(record[V.CITY])
    if not record[V.CITY]:
        report.add("warning", "empty_city", rows=rows, column=V.CITY)
    elif city_key is None:
        report.add("info", "city_outside", rows=rows, column=V.CITY, value=record[V.CITY])

    if not record[V.DESCRIPTION]:
        report.add("warning", "empty_description", rows=rows, column=V.DESCRIPTION)
    for column in (V.NAME, V.DESCRIPTION, V.OFFERS, V.SEEKS):
        value = record[column]
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
        if _HTML.search(value[:100_000]):
            report.add("info", "html_text", rows=rows, column=column)

    text = " ".join(filter(None, (record[V.DESCRIPTION], record[V.OFFERS], record[V.SEEKS]))) or record[V.NAME]
    text = clean_for_embedding(text, C.MAX_EMBED_CHARS)
    detected = detect_language(text) or ("zh" if country == "CN" else "de")
    language = detected
    if record[V.LANGUAGE]:
        given = record[V.LANGUAGE].strip().lower()
        given = _LANGUAGE_SPELLINGS.get(given, given[:2])
        if given in V.LANGUAGES:
            language = given
        else:
            report.add(
                "warning", "bad_language", rows=rows, column=V.LANGUAGE, value=record[V.LANGUAGE], detected=detected
            )

    division = None
    if record[V.SECTOR]:
        division = taxonomy.nace_division(record[V.SECTOR])
        if division is None:
            report.add("warning", "bad_sector", rows=rows, column=V.SECTOR, value=record[V.SECTOR])
    if record[V.SECTOR_CN]:
        mapped = taxonomy.gbt_to_nace(record[V.SECTOR_CN])
        if mapped is None:
            report.add("warning", "bad_sector_cn", rows=rows, column=V.SECTOR_CN, value=record[V.SECTOR_CN])
        elif division is None:
            division = mapped
        elif mapped != division:
            report.add("info", "sector_conflict", rows=rows, nace=division, gbt=record[V.SECTOR_CN], mapped=mapped)

    focus: list[str] = []
    for part in _LIST_SPLIT.split(record[V.FOCUS_AREAS]) if record[V.FOCUS_AREAS] else ():
        if not part.strip():
            continue
        key = taxonomy.focus_key(part)
        guessed = taxonomy.infer_focus(part, max_areas=1) if key is None else ()
        if guessed:
            key = guessed[0]
            report.add("info", "focus_mapped", rows=rows, column=V.FOCUS_AREAS, value=part.strip(), key=key)
        if key is None:
            report.add(
                "warning",
                "unknown_focus",
                rows=rows,
                column=V.FOCUS_AREAS,
                value=part.strip(),
                known=", ".join(taxonomy.focus_keys),
            )
            key = "other"
        if key not in focus:
            focus.append(key)
    inferred = not focus
    if inferred:
        focus = list(taxonomy.infer_focus(text))

    cooperation: list[str] = []
    for part in re.split(r"[;；,，、|]", record[V.COOPERATION]) if record[V.COOPERATION] else ():
        if not part.strip():
            continue
        key = taxonomy.cooperation_key(part)
        if key is None:
            report.add(
                "warning",
                "unknown_cooperation",
                rows=rows,
                column=V.COOPERATION,
                value=part.strip(),
                known=", ".join(taxonomy.cooperation_types["key"]),
            )
        elif key not in cooperation:
            cooperation.append(key)

    band = size_band(record[V.EMPLOYEES], record[V.EMPLOYEES_BAND])
    for column in (V.EMPLOYEES, V.EMPLOYEES_BAND):
        if record[column] and band is None:
            report.add("warning", "bad_employees", rows=rows, column=column, value=record[column])

    consent = fold(record[V.CONTACT_CONSENT])
    if consent and consent not in _TRUE | _FALSE:
        report.add("warning", "bad_consent", rows=rows, column=V.CONTACT_CONSENT, value=record[V.CONTACT_CONSENT])

    return {
        V.COUNTRY: country or record[V.COUNTRY],
        V.LANGUAGE: language,
        V.CITY_KEY: city_key or "",
        V.NACE_DIVISION: division or "",
        V.FOCUS_KEYS: tuple(focus),
        V.FOCUS_INFERRED: inferred,
        V.COOPERATION_KEYS: tuple(cooperation),
        V.SIZE_BAND: band or "",
        V.CONTACT_CONSENT: consent in _TRUE,
        V.TEXT: text,
    }
