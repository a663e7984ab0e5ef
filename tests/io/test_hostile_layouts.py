"""Hostile and careless profile files, second audit: layouts and encodings that were read wrongly
(columns refused, hidden, replaced or mangled) or refused with a message that named the wrong
cause. Every file is written here byte by byte, as the program or person that made it writes it."""

from __future__ import annotations

import io
import json
import zipfile

import openpyxl
import pytest
from helpers import issue, refused

from matchmaker import vocab as V
from matchmaker.errors import ProfileFileError
from matchmaker.io.limits import ReadLimits
from matchmaker.io.profiles import load_profiles, load_profiles_bytes

HEADER = "id,name,country,city,description"
ROWS = ["DE1,Rheinwerk,DE,Köln,Wir fertigen Getriebe.", "CN1,粤华机器人,CN,佛山,公司生产工业机器人减速器。"]


def csv_file(tmp_path, lines: list[str], name: str = "p.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes("\r\n".join(lines).encode(encoding) + b"\r\n")
    return path


def by_id(profiles):
    return profiles.table.set_index(V.ID)


# --- columns: none refused, hidden or replaced ----------------------------------------------------------
def test_columns_with_values_but_no_header_cell_are_kept_as_their_letter(tmp_path):
    # Excel writes the empty header cells of two note columns as trailing commas
    lines = [HEADER + ",,", ROWS[0] + ",Messe 2025,A-Kunde", ROWS[1] + ",,B"]
    profiles = load_profiles(csv_file(tmp_path, lines))
    assert len(profiles) == 2 and "ragged_row" not in profiles.report.codes()
    rows = by_id(profiles)
    assert rows.loc["DE1", "column_F"] == "Messe 2025" and rows.loc["CN1", "column_G"] == "B"
    named = [i for i in profiles.report.issues if i.code == "unnamed_column"]
    assert [i.params["name"] for i in named] == ["column_F", "column_G"]
    assert "column_F" in named[0].message("de") and "column_F" in named[0].message("zh")


def test_an_unnamed_column_inside_the_table_gets_its_letter_too(tmp_path):
    lines = ["id,name,,country,city,description", "DE1,Rheinwerk,x,DE,Köln,Getriebe.", "CN1,粤华,y,CN,佛山,减速器。"]
    profiles = load_profiles(csv_file(tmp_path, lines))
    assert list(profiles.table["column_C"]) == ["x", "y"] and "" not in profiles.table.columns


def test_repeated_and_reserved_column_names_are_renamed_not_lost(tmp_path):
    lines = [
        HEADER + ",note,note,name,row,city_key",
        ROWS[0] + ",n1,n2,Rheinwerk AG,A7,mine",
        ROWS[1] + ",n3,n4,Yuehua Robotics,B9,mine too",
    ]
    profiles = load_profiles(csv_file(tmp_path, lines))
    table = profiles.table
    assert not table.columns.duplicated().any()
    rows = by_id(profiles)
    assert rows.loc["DE1", V.NAME] == "Rheinwerk" and rows.loc["DE1", "name_2"] == "Rheinwerk AG"
    assert (rows.loc["DE1", "note"], rows.loc["DE1", "note_2"]) == ("n1", "n2")
    assert rows.loc["CN1", "row_2"] == "B9" and rows.loc["CN1", "row"] == 3  # the spreadsheet row stays ours
    assert rows.loc["CN1", "city_key_2"] == "mine too" and rows.loc["CN1", V.CITY_KEY] == "foshan"
    renamed = {i.params["name"]: i.params["new"] for i in profiles.report.issues if i.code == "column_renamed"}
    assert renamed == {"note": "note_2", "name": "name_2", "row": "row_2", "city_key": "city_key_2"}


def test_rows_of_empty_cells_below_the_table_do_not_count_as_companies(tmp_path):
    path = tmp_path / "p.csv"
    path.write_bytes(("\r\n".join([HEADER, *ROWS]) + "\r\n" + ",,,,\r\n" * 300).encode())
    profiles = load_profiles(path, limits=ReadLimits(max_rows=100))
    assert len(profiles) == 2 and profiles.report.usable


def test_a_concatenated_export_skips_the_repeated_header_with_a_warning(tmp_path):
    lines = [HEADER, *ROWS, "\ufeff" + HEADER, "CN2,美的集团,CN,佛山,家电。"]
    profiles = load_profiles(csv_file(tmp_path, lines, name="joined.csv"))
    assert sorted(profiles.table[V.ID]) == ["CN1", "CN2", "DE1"]
    assert issue(profiles.report, "header_repeated").rows == (4,) and "bad_country" not in profiles.report.codes()


def workbook_bytes(sheets: list[tuple[str, list[list], bool]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows, hidden in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        sheet.sheet_state = "hidden" if hidden else "visible"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_hidden_sheet_with_more_rows_does_not_replace_the_visible_table(tmp_path):
    header = HEADER.split(",")
    visible = [header, ["DE1", "Rheinwerk", "DE", "Köln", "x"], ["CN1", "粤华", "CN", "佛山", "y"]]
    old = [header] + [[f"X{i}", "Alt", "DE", "Köln", "x"] for i in range(10)]
    path = tmp_path / "book.xlsx"
    path.write_bytes(workbook_bytes([("Firmen", visible, False), ("Archiv", old, True)]))
    profiles = load_profiles(path)
    assert sorted(profiles.table[V.ID]) == ["CN1", "DE1"]
    assert issue(profiles.report, "hidden_sheets_skipped").params["sheets"] == "Archiv"
    # when only a hidden sheet holds the table, it is read, with a warning
    path.write_bytes(workbook_bytes([("Notizen", [["Hinweis"]], False), ("Firmen", visible, True)]))
    profiles = load_profiles(path)
    assert len(profiles) == 2 and issue(profiles.report, "hidden_sheet_read").severity == "warning"


# --- encodings and delimiters -------------------------------------------------------------------------
def test_german_csv_from_excel_for_mac_is_read_as_mac_roman(tmp_path):
    lines = [
        "id;name;country;city;description",
        "DE1;Müller Präzision;DE;Köln;Zahnräder für Getriebe",
        "CN1;Yuehua;CN;Foshan;x",
    ]
    profiles = load_profiles(csv_file(tmp_path, lines, encoding="mac_roman"))
    rows = by_id(profiles)
    assert rows.loc["DE1", V.NAME] == "Müller Präzision" and rows.loc["DE1", V.CITY] == "Köln"
    assert issue(profiles.report, "encoding_used").params["encoding"] == "Mac OS Roman"
    # Windows-1252 with umlauts and a euro sign stays Windows-1252
    lines[1] = "DE1;Müller Präzision;DE;Köln;Zahnräder ab 5 €, Škoda-Zulieferer"
    rows = by_id(load_profiles(csv_file(tmp_path, lines, encoding="cp1252")))
    assert rows.loc["DE1", V.DESCRIPTION] == "Zahnräder ab 5 €, Škoda-Zulieferer"


def test_quoted_values_after_a_space_keep_their_delimiters_and_lose_their_quotes(tmp_path):
    lines = [HEADER, 'DE1, "Rheinwerk, Köln", DE, Köln, "Getriebe, Wellen"', 'CN1, "粤华", CN, 佛山, "减速器"']
    profiles = load_profiles(csv_file(tmp_path, lines))
    rows = by_id(profiles)
    assert rows.loc["DE1", V.NAME] == "Rheinwerk, Köln" and rows.loc["CN1", V.NAME] == "粤华"
    assert rows.loc["DE1", V.DESCRIPTION] == "Getriebe, Wellen" and "stray_quote" not in profiles.report.codes()


def test_text_after_a_closing_quote_is_reported_on_its_row(tmp_path):
    lines = [HEADER, '"DE1" , Rheinwerk,DE,Köln,x', 'DE2,"Rhein" GmbH,DE,Köln,x', ROWS[1], 'CN2,"a\nb" c,CN,佛山,y']
    profiles = load_profiles(csv_file(tmp_path, lines))
    found = issue(profiles.report, "stray_quote")
    assert found.rows == (3, 5) and found.severity == "warning"
    assert by_id(profiles).loc["DE2", V.NAME] == "Rhein GmbH"  # as a spreadsheet program reads it
    assert "Rhein" in found.message("de") and "引号" in found.message("zh")


@pytest.mark.parametrize("wide", ["，", "、", "；"])
def test_full_width_delimiters_are_named_instead_of_one_column(tmp_path, wide):
    lines = [wide.join(HEADER.split(",")), wide.join(["DE1", "Rheinwerk", "DE", "Koeln", "Getriebe"])]
    report = refused(csv_file(tmp_path, lines))
    assert report.codes() == {"delimiter_fullwidth"}
    found = issue(report, "delimiter_fullwidth")
    assert found.params["char"] == wide and wide in found.message("zh") and "single" not in found.message("en")


def test_terminal_escape_sequences_of_a_first_line_are_not_echoed(tmp_path):
    path = tmp_path / "p.csv"
    path.write_bytes(b"\x1b[2J\x1b[31mFirmenliste ISA " + b"Stand Mai 2026 " * 10 + b"\nRheinwerk\nYuehua\n")
    report = refused(path)
    assert report.codes() == {"single_column"}
    assert "\x1b" not in report.render("en") and "[31mFirmenliste ISA Stand" in report.render("en")


# --- archives and renamed files ----------------------------------------------------------------------
def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "members, name, code",
    [
        ({"export/companies.csv": b"id,name\n", "export/readme.txt": b"x"}, "companies.zip", "zip_archive"),
        ({"companies.csv": b"id,name\n"}, "companies.csv", "zip_archive"),
        (
            {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"},
            "f.ods",
            "opendocument",
        ),
        ({"Index/Document.iwa": b"\x00", "Metadata/x.plist": b""}, "f.numbers", "apple_numbers"),
    ],
)
def test_archives_that_hold_no_workbook_say_what_they_are(members, name, code):
    with pytest.raises(ProfileFileError) as info:
        load_profiles_bytes(zipped(members), name)
    report = info.value.report
    assert report.codes() == {code}
    text = report.render("en")
    assert "KeyError" not in text and "damaged" not in text
    if code == "zip_archive":
        assert "companies.csv" in text and "Unpack" in text


def test_a_csv_named_xlsx_says_it_is_text(tmp_path):
    report = refused(csv_file(tmp_path, [HEADER, *ROWS], name="companies.xlsx"))
    assert report.codes() == {"text_named_workbook"} and ".csv" in report.render("en")


def test_a_short_file_whose_rows_have_extra_fields_names_those_rows(tmp_path):
    # two of three rows have a comma too many: the header still says which delimiter separates columns
    lines = [HEADER, ROWS[0] + ",Messe", ROWS[1], "DE2,Zweiwerk,DE,Aachen,Wellen, Lager"]
    report = refused(csv_file(tmp_path, lines))
    assert "single_column" not in report.codes()
    assert [i.rows for i in report.issues if i.code == "ragged_row"] == [(2, 4)]


def test_a_quote_left_open_in_the_last_line_is_located(tmp_path):
    report = refused(csv_file(tmp_path, [HEADER, ROWS[0], 'CN1,"粤华,CN,佛山,减速器']))
    assert issue(report, "unclosed_quote").params["line"] == 3


def test_a_lone_carriage_return_in_a_cell_of_a_pandas_csv_stays_in_its_cell(tmp_path):
    # pandas and Python's csv module quote a cell with a line feed, but not one with a lone CR
    import pandas as pd

    rows = [["DE1", "Rheinwerk", "DE", "Köln", "Zeile 1\rZeile 2"], ["CN1", "粤华", "CN", "佛山", "第一行\r第二行"]]
    path = tmp_path / "p.csv"
    pd.DataFrame(rows, columns=HEADER.split(",")).to_csv(path, index=False)
    assert b"\rZeile 2" in path.read_bytes() and b'"Zeile' not in path.read_bytes()
    profiles = load_profiles(path)
    assert list(profiles.table[V.DESCRIPTION]) == ["Zeile 1\rZeile 2", "第一行\r第二行"] and profiles.report.usable
    # a file whose lines end in CR only (classic Mac) is still read line by line
    path.write_bytes("\r".join([HEADER, *ROWS]).encode() + b"\r")
    assert sorted(load_profiles(path).table[V.ID]) == ["CN1", "DE1"]
    # and so is one whose header ends in CR and its rows in LF (lines of two programs joined)
    path.write_bytes((HEADER + "\r" + "\n".join(ROWS) + "\n").encode())
    assert sorted(load_profiles(path).table[V.ID]) == ["CN1", "DE1"]


JSON_COMPANIES = [
    {
        "id": "DE1",
        "name": "Rheinwerk",
        "country": "Deutschland",
        "city": "Köln",
        "description": "Getriebe.",
        "focus_areas": ["artificial_intelligence", "automated_production"],
        "employees": 120,
        "address": {"street": "Hansaring 1", "zip": "50670"},
    },
    {"id": "CN1", "name": "粤华机器人", "country": "CN", "city": "佛山", "description": "减速器。"},
]


@pytest.mark.parametrize(
    "name, text",
    [
        ("companies.json", json.dumps(JSON_COMPANIES, ensure_ascii=False)),
        ("companies.csv", json.dumps(JSON_COMPANIES)),  # a CRM export saved with the wrong name
        ("export.json", json.dumps({"exported": "2026-12-01", "companies": JSON_COMPANIES})),
        ("companies.jsonl", "\n".join(json.dumps(c, ensure_ascii=False) for c in JSON_COMPANIES) + "\n"),
    ],
)
def test_json_records_are_read_as_a_table(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    profiles = load_profiles(path)
    table = profiles.table.set_index(V.ID)
    assert list(table.index) == ["DE1", "CN1"] and table.loc["DE1", V.COUNTRY] == "DE"
    assert table.loc["DE1", V.FOCUS_KEYS] == ("artificial_intelligence", "automated_production")
    assert table.loc["DE1", V.SIZE_BAND] == "50-249" and table.loc["CN1", V.SIZE_BAND] == ""  # a key it lacks
    assert table.loc["DE1", "address"] == "street: Hansaring 1; zip: 50670"
    assert "2" in issue(profiles.report, "json_records").message("en")


@pytest.mark.parametrize(
    "name, text, code",
    [
        ("companies.json", '{"companies": []}', "json_file"),
        ("companies.csv", "[1, 2, 3]", "json_file"),
        ("companies.jsonl", '{"id": "DE1", "name": "Rheinwerk"}\n{"id": "CN1", "name": \n', "json_line_bad"),
        ("companies.json", "[" * 100_000 + "]" * 100_000, "unreadable"),
    ],
)
def test_json_that_is_no_list_of_companies_is_named_as_json(tmp_path, name, text, code):
    report = refused(csv_file(tmp_path, [text], name=name))
    assert report.codes() == {code} and "JSON" in report.render("de")
    if code == "json_line_bad":
        assert "Zeile 2" in report.render("de")


def test_a_sql_server_header_in_brackets_is_still_read_as_csv(tmp_path):
    lines = ["[id],[name],[country],[city],[description]", *ROWS]
    assert len(load_profiles(csv_file(tmp_path, lines))) == 2


def test_missing_columns_lists_a_long_header_shortly(tmp_path):
    header = ";".join(f"Spalte mit einem sehr langen Namen Nummer {i}" for i in range(200))
    report = refused(csv_file(tmp_path, [header, ";".join("x" * 200)]))
    found = issue(report, "missing_columns").params["found"]
    assert len(found) < 2_500 and found.endswith("(200 columns)")


def test_ids_other_programs_read_as_missing_are_warned_about(tmp_path):
    lines = [HEADER, "NA,Nord-Anlagen,DE,Köln,Getriebe.", "null,粤华,CN,佛山,减速器。", "CN2,美的,CN,佛山,家电。"]
    profiles = load_profiles(csv_file(tmp_path, lines))
    assert sorted(profiles.table[V.ID]) == ["CN2", "NA", "null"]  # kept as written
    found = [i for i in profiles.report.issues if i.code == "id_read_as_missing"]
    assert [(i.rows, i.params["id"]) for i in found] == [((2,), "NA"), ((3,), "null")]
    assert found[0].severity == "warning" and "pandas" in found[0].message("en")


@pytest.mark.parametrize("encoding", ["utf-32-le", "utf-32-be"])
def test_utf32_without_a_byte_order_mark_is_read(tmp_path, encoding):
    path = tmp_path / "p.csv"
    path.write_bytes("\r\n".join([HEADER, *ROWS, ""]).encode(encoding))
    profiles = load_profiles(path)
    assert by_id(profiles).loc["CN1", V.CITY] == "佛山"
    assert issue(profiles.report, "encoding_used").params["encoding"] == f"{encoding.upper()} (no byte-order mark)"


def test_gb18030_with_four_byte_characters_is_read_exactly(tmp_path):
    # ß, Ö, emoji and no-break spaces are four-byte sequences in GB18030; 喆 lies outside GB2312
    lines = [HEADER, "DE1,Groß & Söhne 🤖,DE,Köln,Getriebe\u00a0für Roboter.", "CN1,王喆科技,CN,佛山,公司生产减速器。"]
    profiles = load_profiles(csv_file(tmp_path, lines, encoding="gb18030"))
    rows = by_id(profiles)
    assert rows.loc["DE1", V.NAME] == "Groß & Söhne 🤖" and rows.loc["CN1", V.NAME] == "王喆科技"
    assert rows.loc["DE1", V.DESCRIPTION] == "Getriebe\u00a0für Roboter."
    assert issue(profiles.report, "encoding_used").params["encoding"] == "GB18030"
    # German text saved as GB18030, with no Chinese character at all
    profiles = load_profiles(
        csv_file(tmp_path, [HEADER, "DE1,Groß,DE,Köln,Maße", "CN1,Yuehua,CN,Foshan,x"], encoding="gb18030")
    )
    assert by_id(profiles).loc["DE1", V.NAME] == "Groß"


def test_a_traditional_chinese_big5_export_is_read_and_german_windows_1252_is_not_taken_for_it(tmp_path):
    lines = [
        HEADER,
        "DE1,Rheinwerk,DE,Aachen,Getriebe.",
        "CN1,精密機械有限公司,CN,佛山,專業生產工業機器人減速器與伺服電機。",
    ]
    profiles = load_profiles(csv_file(tmp_path, lines, encoding="cp950"))
    rows = by_id(profiles)
    assert (
        rows.loc["CN1", V.DESCRIPTION] == "專業生產工業機器人減速器與伺服電機。" and rows.loc["CN1", V.CITY] == "佛山"
    )
    assert issue(profiles.report, "encoding_used").params["encoding"] == "Big5"
    # umlauts followed by letters are valid Big5 byte pairs too ("Köln" -> "K鏛n"): still Windows-1252
    german = [HEADER, "DE1,Müller Präzision,DE,Köln,Zahnräder für Getriebe", "CN1,Yuehua,CN,Foshan,x"]
    profiles = load_profiles(csv_file(tmp_path, german, encoding="cp1252"))
    assert by_id(profiles).loc["DE1", V.NAME] == "Müller Präzision"
    assert issue(profiles.report, "encoding_used").params["encoding"] == "Windows-1252"


def test_a_utf8_line_in_a_gb18030_file_is_named(tmp_path):
    # thirty rows of a GB18030 export, then one pasted from a UTF-8 file: read as GB18030, it is mojibake
    path = tmp_path / "joined.csv"
    rows = [f"CN{i},佛山第{i}机械有限公司,CN,佛山,公司生产工业机器人减速器和伺服电机。" for i in range(30)]
    body = "\r\n".join([HEADER, "DE1,Rheinwerk,DE,Koeln,Getriebe.", *rows]).encode("gb18030") + b"\r\n"
    path.write_bytes(body + "CN99,佛山电机,CN,佛山,电机公司\r\n".encode())  # bytes that GB18030 also decodes
    profiles = load_profiles(path)
    found = issue(profiles.report, "mixed_encoding")
    assert found.params == {"line": 33, "encoding": "GB18030"} and found.severity == "warning"
    assert "UTF-8" in found.message("zh")
    # a plain GB18030 file has none
    path.write_bytes(body)
    assert "mixed_encoding" not in load_profiles(path).report.codes()
