"""The loader's fast path (each distinct cell read once, findings replayed per row; the quicker text
functions) gives exactly what reading every cell of every row did: the same table and the same report,
checked against that straightforward per-row implementation, kept here as the reference."""

from __future__ import annotations

import html
import random
import re
import unicodedata

import pandas as pd
import pytest
from helpers import reference_infer_focus

from matchmaker import config as C
from matchmaker import vocab as V
from matchmaker.io.cells import looks_like_formula
from matchmaker.io.headers import map_headers as _map_headers
from matchmaker.io.profiles import _LANGUAGE_SPELLINGS, normalise
from matchmaker.io.raw import RawTable
from matchmaker.io.readings import clean_id, is_not_given, read_country, read_employees
from matchmaker.io.report import ValidationReport
from matchmaker.text import cjk_share, clean_for_embedding, detect_language, fold

# --- the reference: the text functions and the row loop as they were before the fast path ----------
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_LETTER = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ]")
_WORD = re.compile(r"[a-zäöüß]+")
_GERMAN_WORDS = frozenset(
    "und der die das den dem des für mit von im ist sind wir unser unsere ein eine einen einer "
    "auf zu bei aus nach oder sowie werden wird als auch über durch zur zum suchen bieten "
    "entwickeln gmbh kg ag".split()
)
_ENGLISH_WORDS = frozenset(
    "and the of for with from in is are we our a an to at by or as also through on "
    "seeking offer offers develop develops company ltd inc co".split()
)


def reference_cjk_share(text: str) -> float:
    cjk = len(_CJK.findall(text))
    latin = len(_LATIN_LETTER.findall(text))
    total = cjk + latin
    return cjk / total if total else 0.0


def reference_detect_language(text: str) -> str | None:
    if not text or not text.strip():
        return None
    if reference_cjk_share(text) >= 0.2:
        return "zh"
    words = _WORD.findall(text.lower())
    if not words:
        return None
    german = sum(w in _GERMAN_WORDS for w in words) + 2 * sum(ch in "äöüß" for ch in text.lower())
    english = sum(w in _ENGLISH_WORDS for w in words)
    if german == 0 and english == 0:
        return None
    return "en" if english > german else "de"


def reference_clean_for_embedding(text: str, max_chars: int) -> str:
    text = unicodedata.normalize("NFKC", text[: max_chars * 2])
    text = html.unescape(re.sub(r"<[^>]{0,400}>", " ", text))
    return re.sub(r"\s+", " ", text).strip()[:max_chars]


def reference_check_ids(ids, rows, report):
    cleaned = []
    for value, row in zip(ids, rows):
        id_, note = clean_id(value)
        if note:
            report.add("warning", note, rows=(row,), column=V.ID)
        cleaned.append(id_)
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


_TRUE = {fold(v) for v in ("true", "yes", "ja", "y", "j", "1", "x", "是", "同意", "wahr")}
_FALSE = {fold(v) for v in ("false", "no", "nein", "n", "0", "否", "不同意", "falsch")}
_HTML = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>|&[a-z]+;")
_CANONICAL = (*V.REQUIRED_COLUMNS, *V.OPTIONAL_COLUMNS)


def _given_language(value: str) -> str:
    given = value.strip().lower()
    return _LANGUAGE_SPELLINGS.get(given, given[:2])


def reference_row(record: dict, report, taxonomy, derive: bool) -> dict:
    """One row as the loader read it before the fast path (every cell read, every finding added)."""
    rows = (record["row"],)
    for column in (V.ID, V.NAME, V.COUNTRY):
        if not record[column]:
            report.add("error", "missing_value", rows=rows, column=column)
    country, reading = read_country(record[V.COUNTRY]) if record[V.COUNTRY] else (None, None)
    if record[V.COUNTRY] and country is None:
        code = "country_outside" if reading == "country_outside" else "bad_country"
        report.add("error", code, rows=rows, column=V.COUNTRY, value=record[V.COUNTRY])
    elif reading:
        report.add("info", reading, rows=rows, column=V.COUNTRY, value=record[V.COUNTRY], country=country)
    city_key = taxonomy.city_key(record[V.CITY])
    if not record[V.CITY]:
        report.add("warning", "empty_city", rows=rows, column=V.CITY)
    elif city_key is None:
        report.add("info", "city_outside", rows=rows, column=V.CITY, value=record[V.CITY])
    if not record[V.DESCRIPTION]:
        report.add("warning", "empty_description", rows=rows, column=V.DESCRIPTION)
    for column in (V.NAME, V.DESCRIPTION, V.OFFERS, V.SEEKS):
        value = record[column]
        if not value:
            continue
        if len(value) > C.MAX_EMBED_CHARS:
            length, limit = f"{len(value):,}", f"{C.MAX_EMBED_CHARS:,}"
            report.add("warning", "long_text", rows=rows, column=column, length=length, limit=limit)
        if looks_like_formula(value):
            char = value[0].replace("\t", "TAB").replace("\r", "CR")
            report.add("info", "formula_text", rows=rows, column=column, char=char)
        if ("<" in value or "&" in value) and _HTML.search(value[:100_000]):
            report.add("info", "html_text", rows=rows, column=column)
    language = ""
    text = ""
    if derive or (record[V.LANGUAGE] and _given_language(record[V.LANGUAGE]) not in V.LANGUAGES):
        text = " ".join(filter(None, (record[V.DESCRIPTION], record[V.OFFERS], record[V.SEEKS]))) or record[V.NAME]
        text = reference_clean_for_embedding(text, C.MAX_EMBED_CHARS)
        language = reference_detect_language(text) or ("zh" if country == "CN" else "de")
    if record[V.LANGUAGE]:
        given = _given_language(record[V.LANGUAGE])
        if given in V.LANGUAGES:
            language = given
        else:
            written = record[V.LANGUAGE]
            report.add("warning", "bad_language", rows=rows, column=V.LANGUAGE, value=written, detected=language)
    division = None
    if record[V.SECTOR]:
        division = taxonomy.nace_division(record[V.SECTOR])
        as_gbt = taxonomy.gbt_to_nace(record[V.SECTOR]) if country == "CN" and not record[V.SECTOR_CN] else None
        if division is None and as_gbt is not None:
            division = as_gbt
            report.add(
                "info", "sector_read_as_gbt", rows=rows, column=V.SECTOR, value=record[V.SECTOR], division=as_gbt
            )
        elif division is None:
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
    for part in re.split(r"[;；,，、|/]", record[V.FOCUS_AREAS]) if record[V.FOCUS_AREAS] else ():
        if not part.strip():
            continue
        key = taxonomy.focus_key(part)
        guessed = reference_infer_focus(taxonomy, part, max_areas=1) if key is None else ()
        if guessed:
            key = guessed[0]
            report.add("info", "focus_mapped", rows=rows, column=V.FOCUS_AREAS, value=part.strip(), key=key)
        if key is None:
            known = ", ".join(taxonomy.focus_keys)
            report.add("warning", "unknown_focus", rows=rows, column=V.FOCUS_AREAS, value=part.strip(), known=known)
            key = "other"
        if key not in focus:
            focus.append(key)
    inferred = not focus
    if inferred and derive:
        focus = list(reference_infer_focus(taxonomy, text))
    cooperation: list[str] = []
    for part in re.split(r"[;；,，、|]", record[V.COOPERATION]) if record[V.COOPERATION] else ():
        if not part.strip():
            continue
        key = taxonomy.cooperation_key(part)
        if key is None:
            known = ", ".join(taxonomy.cooperation_types["key"])
            report.add(
                "warning", "unknown_cooperation", rows=rows, column=V.COOPERATION, value=part.strip(), known=known
            )
        elif key not in cooperation:
            cooperation.append(key)
    band = None
    for column in (V.EMPLOYEES, V.EMPLOYEES_BAND):
        if not record[column]:
            continue
        if is_not_given(record[column]):
            report.add("info", "employees_not_given", rows=rows, column=column)
            continue
        read, note = read_employees(record[column])
        if read is None:
            report.add("warning", "bad_employees", rows=rows, column=column, value=record[column])
            continue
        if note:
            report.add("info", note, rows=rows, column=column)
        band = band or read
    consent = fold(record[V.CONTACT_CONSENT]) if record[V.CONTACT_CONSENT] else ""
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


def reference_normalise(raw: RawTable, report, taxonomy, derive: bool = True) -> pd.DataFrame:
    """The loader's normalise for a table with the required columns and rows, as it was."""
    columns = _map_headers(raw.header, report)
    names = [columns.get(i, header) for i, header in enumerate(raw.header)]
    position = {column: i for i, column in columns.items()}
    ids = reference_check_ids([row[position[V.ID]] for row in raw.records], raw.row_numbers, report)
    absent = [c for c in _CANONICAL if c not in position]
    take = [position.get(c) for c in _CANONICAL]
    derived = []
    for record, row, id_ in zip(raw.records, raw.row_numbers, ids):
        values = dict(zip(_CANONICAL, ("" if i is None else record[i] for i in take)))
        values[V.ID] = id_
        values["row"] = row
        derived.append(reference_row(values, report, taxonomy, derive))
    frame = pd.DataFrame(raw.records, columns=names, dtype=object)
    frame[V.ID] = ids
    for column in absent:
        frame[column] = ""
    frame["row"] = raw.row_numbers
    for key in derived[0]:
        frame[key] = [d[key] for d in derived]
    report.rows = len(frame)
    report.countries = frame[V.COUNTRY].value_counts().to_dict()
    present = {code for code in report.countries if code in V.COUNTRIES}
    if len(present) == 1:
        (only,) = present
        report.add("warning", "one_country", country=only, other=V.other_country(only))
    return frame


# --- varied cells: German with umlauts, Chinese, English, mixed, empty, HTML, full-width ------------
TEXTS = [
    "",
    " ",
    "Wir fertigen Getriebe für Industrieroboter und Förderbänder; Schweißroboter, Batteriespeicher.",
    "Präzisionsgetriebe für Förderbänder. Über 50 Jahre Erfahrung mit Wärmepumpen und Elektromobilität.",
    "公司生产工业机器人减速器，主要从事电芯监控和电网辅助服务的研发与生产，客户覆盖大型储能领域。",
    "公司开发自动驾驶系统和激光雷达（LiDAR）：L4级！支持5G、IoT？",
    "We develop battery management systems (BMS) for electric buses and battery storage.",
    "Battery Batterie 电池 mixed text with 储能 and Wasserstoff / hydrogen, e-bike and E-Bikes.",
    "<b>Wir</b> bauen <script>alert(1)</script> Pumpen &amp; Ventile &lt;DN50&gt; &nbsp;Industrie 4.0",
    "Ｗｉｒ ｅｎｔｗｉｃｋｅｌｎ Ｂａｔｔｅｒｉｅｎ　ｕｎｄ　ＢＭＳ，ａｕｃｈ　ｆüｒ　ＣＮＣ",
    "，\u0301 full-width comma before a combining accent；（ａ\u0308）",
    "tabs\tand\nnew lines\r\nand\u00a0no-break\u2028separators\x1cand\u3000ideographic space",
    '=HYPERLINK("http://evil.example","klick")',
    "-=1+2 and @SUM(A1)",
    "ΣΊΣΥΦΟΣ ΚΑΙ İSTANBUL ǅ ﬁ ﬃ ẞ straße STRASSE",
    "cnc CNC-Fräsen xcncx, bms/lfp nmc. 5g-netz iot; v2x h2-ready, plug-in hybrid, plug-in-hybrid",
    "Getriebe und Lager. " * 300,
    "12345 !!! ??? ...",
]
COUNTRIES = ["DE", "CN", "Deutschland", "中国", "China (PRC)", "Hongkong", "Frankreich", "", "germany"]
CITIES = ["Köln", "Koeln", "佛山", "佛山市顺德区", "广东省佛山市顺德区", "Köln-Ehrenfeld", "Berlin", "阿拉尔市", ""]
LANGUAGES = ["", "de", "zh", "en", "Deutsch", "chinesisch", "English", "Klingonisch", " ZH ", "xx", "  "]
SECTORS = ["", "C28", "28", "28.41", "C28.4", "ZZ9", "C99", "35", "C34", "3491"]
SECTORS_CN = ["", "C34", "C36", "3670", "9999", "C3670", "D44"]
FOCUS = ["", "robotics", "自动驾驶;Elektromobilität", "Quatsch; ;robotics/Wasserstoff，自动驾驶、foo|bar", "Batterien"]
COOPERATION = ["", "joint venture; Lizenz;unbekannt，joint venture", "Lizenz", "R&D|research"]
EMPLOYEES = ["", "120", "viele", "ca. 50", "1.200", "1,2万", "100-200", "500+", "k.A.", "五百人"]
BANDS = ["", "1000+", "10-49", "1-49", "groß"]
CONSENTS = ["", "ja", "否", "vielleicht", "JA ", "yes"]
IDS = ["DE1", "de1", "DE2", "CN1", "", " CN2 ", "ＣＮ３", "DE\u200b4"]


def varied_table(rows: int, seed: int, header: list[str] | None = None) -> RawTable:
    """``rows`` records drawn from the lists above (values repeat from row to row, as in a real file)."""
    header = header or [
        "Firmen-ID",
        "Firmenname",
        "Land",
        "Stadt",
        "Beschreibung",
        "Sprache",
        "nace",
        "gbt",
        "Schwerpunkte",
        "offers",
        "seeks",
        "Kooperation",
        "Mitarbeiter",
        "Größenklasse",
        "consent",
        "Interne Notiz",
    ]
    pick = random.Random(seed).choice
    columns = {
        "Firmen-ID": lambda i: pick(IDS) if i % 7 == 0 else f"ID{i}",
        "Firmenname": lambda i: pick(["", f"Firma {i}", "=cmd", "<i>Name</i>", "粤华机器人"]),
        "Land": lambda i: pick(COUNTRIES),
        "Stadt": lambda i: pick(CITIES),
        "Beschreibung": lambda i: pick(TEXTS),
        "Sprache": lambda i: pick(LANGUAGES),
        "nace": lambda i: pick(SECTORS),
        "gbt": lambda i: pick(SECTORS_CN),
        "Schwerpunkte": lambda i: pick(FOCUS),
        "offers": lambda i: pick(TEXTS[:8]),
        "seeks": lambda i: pick(["", "Gesucht: Partner für Avionik.", "寻求大型储能方面的合作伙伴。", "Seeking OEMs."]),
        "Kooperation": lambda i: pick(COOPERATION),
        "Mitarbeiter": lambda i: pick(EMPLOYEES),
        "Größenklasse": lambda i: pick(BANDS),
        "consent": lambda i: pick(CONSENTS),
        "Interne Notiz": lambda i: pick(["", "VIP"]),
    }
    records = [[columns[name](i) for name in header] for i in range(rows)]
    return RawTable(list(header), records, [i + 2 for i in range(rows)])


def issues(report: ValidationReport) -> list[tuple]:
    return [(i.severity, i.code, i.rows, i.column, i.params) for i in report.issues]


def assert_same_as_reference(raw: RawTable, taxonomy, derive: bool = True) -> ValidationReport:
    fast_report, slow_report = ValidationReport(source="t"), ValidationReport(source="t")
    fast = normalise(raw, fast_report, taxonomy, derive=derive)
    slow = reference_normalise(raw, slow_report, taxonomy, derive=derive)
    pd.testing.assert_frame_equal(fast, slow, check_exact=True)
    assert [type(v) for v in fast[V.FOCUS_KEYS]] == [type(v) for v in slow[V.FOCUS_KEYS]]
    assert issues(fast_report) == issues(slow_report)
    assert (fast_report.rows, fast_report.countries) == (slow_report.rows, slow_report.countries)
    for language in ("en", "de", "zh"):
        assert fast_report.render(language) == slow_report.render(language)
    return fast_report


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("derive", [True, False])
def test_varied_rows_give_the_reference_table_and_report(taxonomy, seed, derive):
    report = assert_same_as_reference(varied_table(400, seed), taxonomy, derive=derive)
    found = report.codes()  # the comparison covers findings replayed on many rows, not a clean file
    assert {"bad_country", "city_outside", "bad_language", "bad_sector", "unknown_focus", "focus_mapped"} <= found
    assert {"duplicate_id", "ids_differ_in_case", "bad_employees", "bad_consent", "html_text"} <= found
    assert max(len(i.rows) for i in report.issues) > 20


def test_a_table_without_optional_columns_gives_the_reference(taxonomy):
    assert_same_as_reference(
        varied_table(200, 4, header=["Firmen-ID", "Firmenname", "Land", "Stadt", "Beschreibung"]), taxonomy
    )


def test_unique_ids_without_findings_give_the_reference(taxonomy):
    raw = varied_table(300, 5)
    for i, record in enumerate(raw.records):
        record[0] = f"X{i}"
    report = assert_same_as_reference(raw, taxonomy)
    assert not {"duplicate_id", "ids_differ_in_case"} & report.codes()


def test_ids_that_differ_only_in_case_are_still_reported(taxonomy):
    raw = varied_table(50, 6)
    for i, record in enumerate(raw.records):
        record[0] = f"X{i}"
    raw.records[40][0] = "x3"  # unique as written, the same as X3 in lower case
    report = assert_same_as_reference(raw, taxonomy)
    (issue,) = [i for i in report.issues if i.code == "ids_differ_in_case"]
    assert issue.rows == (5, 42)


# --- the text functions against their former implementations -----------------------------------------
MORE_TEXTS = TEXTS + [
    "一",
    "ß",
    "äöüÄÖÜß",
    "The company and the partners of the GmbH für die Welt",
    "日本語のテキストとKorean 한국어",
    "\uf900\uf901 compatibility ideographs 㐀",
    "Ｇｅｔｒｉｅｂｅ　ｕｎｄ　Ｌａｇｅｒ",
    "<p>" + "x" * 500 + "</p> and <" + "y" * 401 + "> &#x4E2D;&#25991; &unknown; &amp",
    "\x00\x01 control \x7f characters",
    "ﾊﾝｶｸ ｶﾀｶﾅ and ㈱ ㍻ ①②③",
]


@pytest.mark.parametrize("text", MORE_TEXTS)
def test_text_functions_give_the_reference(text):
    assert cjk_share(text) == reference_cjk_share(text)
    assert detect_language(text) == reference_detect_language(text)
    for max_chars in (5, 50, 20_000):
        assert clean_for_embedding(text, max_chars) == reference_clean_for_embedding(text, max_chars)


def test_every_character_is_cleaned_and_counted_as_before():
    """Each code point of the Basic Multilingual Plane, alone and between Chinese and Latin text."""
    for start in range(0, 0x10000, 256):
        block = "".join(chr(c) for c in range(start, start + 256) if not 0xD800 <= c < 0xE000)
        for text in (block, f"中文{block}text", "，" + block):
            assert cjk_share(text) == reference_cjk_share(text)
            assert detect_language(text) == reference_detect_language(text)
            assert clean_for_embedding(text, 20_000) == reference_clean_for_embedding(text, 20_000)
    for c in range(0x10000):
        ch = chr(c)
        if not 0xD800 <= c < 0xE000:
            text = f"a{ch}，{ch}"
            assert clean_for_embedding(text, 100) == reference_clean_for_embedding(text, 100), hex(c)
