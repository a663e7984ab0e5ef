"""Profile headers: the spellings of each contract column in German, Chinese and English CRM
exports, how a header row is recognised and mapped, and the table's column names made unique."""

from __future__ import annotations

from collections.abc import Iterable

from matchmaker import vocab as V
from matchmaker.io.raw import column_letter
from matchmaker.io.report import ValidationReport
from matchmaker.text import fold

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
        "firmennummer",
        "unternehmensnummer",
        "编号",
        "企业编号",
        "公司编号",
        "id号",
        "统一社会信用代码",
        "信用代码",
        "企业代码",
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
    V.NAME_EN: ("name_en", "english_name", "englischer_name", "name_englisch", "英文名"),
    V.DESCRIPTION_DE: ("description_de", "beschreibung_de", "beschreibung_deutsch", "德文简介", "德语简介"),
    V.DESCRIPTION_ZH: ("description_zh", "beschreibung_zh", "beschreibung_chinesisch", "中文简介", "简介_中文"),
    V.DESCRIPTION_EN: ("description_en", "beschreibung_en", "beschreibung_englisch", "英文简介", "简介_英文"),
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


def canonical_column(header: str) -> str | None:
    """The contract column a header names (``"Firmenname"`` -> ``"name"``), else None."""
    return _ALIAS_INDEX.get(fold(header))


def header_score(cells: list[str]) -> int:
    """How many cells of a candidate header row name contract columns (used to find the header)."""
    return len({canonical_column(c) for c in cells if isinstance(c, str) and canonical_column(c)})


def map_headers(header: list[str], report: ValidationReport) -> dict[int, str]:
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


def unique_names(
    names: list[str], columns: dict[int, str], report: ValidationReport, reserved: Iterable[str]
) -> list[str]:
    """The table's column names: an extra column whose name is taken (a second ``name``, two
    ``note`` columns, or a name the table derives such as ``row`` or ``city_key``) is renamed
    ``name_2``, ``row_2`` …, and the renaming reported, so that no column hides or replaces another.
    ``reserved``: the names the table has or adds itself (contract and derived columns)."""
    taken = set(reserved)
    unique = list(names)
    for i, name in enumerate(names):
        if i in columns:
            continue
        if name not in taken:
            taken.add(name)
            continue
        number = 2
        while f"{name}_{number}" in taken or f"{name}_{number}" in names:
            number += 1
        unique[i] = f"{name}_{number}"
        taken.add(unique[i])
        report.add("info", "column_renamed", name=name, new=unique[i], letter=column_letter(i + 1))
    return unique


def shown_header(header: list[str], most: int = 30, longest: int = 60) -> str:
    """The header as a message lists it: the first ``most`` names, each cut at ``longest`` characters
    (a JSON file or a wrong delimiter makes one 'name' of a whole line)."""
    names = [name if len(name) <= longest else name[: longest - 1] + "…" for name in header[:most]]
    return ", ".join(names) + (f", … ({len(header):,} columns)" if len(header) > most else "")
