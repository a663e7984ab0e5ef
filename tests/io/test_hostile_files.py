"""Hostile and careless profile files, one class of issue #16 per section: spreadsheet bombs and the
read limits, things that are no file, messages that say what is wrong, and the readings a German
or Chinese user means. Every file is written here, as such a user would have made it."""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from helpers import issue, refused, write_csv

from matchmaker import vocab as V
from matchmaker.errors import ProfileFileError
from matchmaker.io.limits import ReadLimits
from matchmaker.io.profiles import load_profiles, load_profiles_bytes, validate_file

HEADER = ["id", "name", "country", "city", "description"]
ROWS = [
    ["DE1", "Rheinwerk", "DE", "Köln", "Wir fertigen Getriebe für Industrieroboter."],
    ["CN1", "粤华机器人", "CN", "佛山", "公司生产工业机器人减速器。"],
]


def workbook(path, rows, sheet="Firmen", extra=None):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    if extra:
        extra(book, ws)
    book.save(path)
    return path


def raw_zip(members: list[tuple[str, bytes, int | None]]) -> bytes:
    """A ZIP archive built byte by byte; a member's third field overrides the size it declares."""
    out, directory = io.BytesIO(), []
    for name, data, declared in members:
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        packed = packer.compress(data) + packer.flush()
        size, crc, offset, raw_name = declared or len(data), zlib.crc32(data), out.tell(), name.encode()
        out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(packed), size, len(raw_name), 0))
        out.write(raw_name + packed)
        header = (b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc, len(packed), size, len(raw_name), 0, 0, 0, 0, 0, offset)
        directory.append(struct.pack("<4s6H3L5H2L", *header) + raw_name)
    start = out.tell()
    out.write(b"".join(directory))
    end = (b"PK\x05\x06", 0, 0, len(directory), len(directory), out.tell() - start, start, 0)
    out.write(struct.pack("<4s4H2LH", *end))
    return out.getvalue()


def xlsx_parts(path) -> list[tuple[str, bytes, int | None]]:
    with zipfile.ZipFile(path) as archive:
        return [(name, archive.read(name), None) for name in archive.namelist()]


# --- 2. spreadsheet bombs and the read limits ---------------------------------------------------------
def test_a_value_in_the_last_column_of_the_last_row_is_refused_with_its_address(tmp_path):
    path = workbook(tmp_path / "bomb.xlsx", [HEADER, *ROWS], extra=lambda book, ws: ws.cell(1_048_576, 16_384, "x"))
    assert path.stat().st_size < 20_000
    report = refused(path)
    found = issue(report, "cell_beyond_columns")
    assert found.params["cell"] == "XFD1048576" and found.params["sheet"] == "Firmen"
    assert "1,000 columns" in report.render("en") and "--max-columns" in report.render("en")


def test_a_stray_value_at_row_1048576_is_read_as_that_row_not_a_million_rows(tmp_path):
    path = workbook(tmp_path / "far.xlsx", [HEADER, *ROWS], extra=lambda book, ws: ws.cell(1_048_576, 1, "DE9"))
    report = validate_file(path)
    missing = [i for i in report.issues if i.code == "missing_value"]
    assert {i.rows for i in missing} == {(1_048_576,)} and {i.column for i in missing} == {"name", "country"}
    assert issue(report, "blank_rows").params["count"] == 1_048_576 - 4
    assert report.rows == 3


def test_a_zip_bomb_workbook_is_refused_before_it_is_unpacked(tmp_path):
    good = workbook(tmp_path / "good.xlsx", [HEADER, *ROWS])
    sheet = next(name for name, _, _ in xlsx_parts(good) if name.startswith("xl/worksheets/"))
    bomb = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    bomb += b"<row>" + b"<c><v>1</v></c>" * 1_500_000 + b"</row></sheetData></worksheet>"  # 22 MB of cells
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(raw_zip([(n, bomb if n == sheet else d, None) for n, d, _ in xlsx_parts(good)]))
    assert path.stat().st_size < 200_000
    report = refused(path, limits=ReadLimits(max_unpacked_bytes=10 * 2**20))
    found = issue(report, "unpacked_too_large")
    assert found.params["limit"] == "10 MB" and found.params["size"] == "21 MB"


def test_a_workbook_declaring_gigabytes_is_refused_from_its_directory(tmp_path):
    good = workbook(tmp_path / "good.xlsx", [HEADER, *ROWS])
    parts = [(n, d, 3 * 2**30 if n.startswith("xl/worksheets/") else None) for n, d, _ in xlsx_parts(good)]
    path = tmp_path / "declared.xlsx"
    path.write_bytes(raw_zip(parts))
    assert issue(refused(path), "unpacked_too_large").params["size"] == "3,072 MB"


def test_a_member_larger_than_it_declares_cannot_unpack_more(tmp_path):
    good = workbook(tmp_path / "good.xlsx", [HEADER, *ROWS])
    parts = [(n, d, 100 if n.startswith("xl/worksheets/") else None) for n, d, _ in xlsx_parts(good)]
    path = tmp_path / "lying.xlsx"
    path.write_bytes(raw_zip(parts))
    assert issue(refused(path), "unreadable").params["kind"] == "XLSX"


def test_an_entity_bomb_in_a_sheet_is_refused(tmp_path):
    good = workbook(tmp_path / "good.xlsx", [HEADER, *ROWS])
    sheet = next(name for name, _, _ in xlsx_parts(good) if name.startswith("xl/worksheets/"))
    entities = '<!ENTITY a "ha">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9)
    )  # &j; is 10^9 times "ha"
    bomb = f'<!DOCTYPE worksheet [{entities}]><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    bomb += '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&j;</t></is></c></row></sheetData></worksheet>'
    parts = [(n, bomb.encode() if n == sheet else d, None) for n, d, _ in xlsx_parts(good)]
    path = tmp_path / "laughs.xlsx"
    path.write_bytes(raw_zip(parts))
    assert "unreadable" in refused(path).codes()


def table_csv(path, rows: int, columns: int = 5):
    header = HEADER + [f"extra{i}" for i in range(columns - 5)]
    body = [[f"DE{i}", f"Firma {i}", "DE", "Köln", "Getriebe."] + ["x"] * (columns - 5) for i in range(rows)]
    pd.DataFrame(body, columns=header).to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    "limits, code, said",
    [
        (ReadLimits(max_rows=100), "too_many_rows", "at most 100 rows"),
        (ReadLimits(max_columns=6), "too_many_columns", "the limit is 6 columns"),
        (ReadLimits(max_cells=1_000), "too_many_cells", "limit of 1,000"),
        (ReadLimits(max_bytes=10_000), "file_too_large", "limit for one profiles file is 0.0 MB"),
        (ReadLimits(max_seconds=1e-9), "time_limit", "time limit of 1e-09 s"),
    ],
)
def test_each_limit_stops_the_read_and_says_how_to_split(tmp_path, limits, code, said):
    path = table_csv(tmp_path / "big.csv", rows=5_000, columns=8)
    report = refused(path, limits=limits)
    assert code in report.codes() and said in report.render("en")
    text = report.render("en") + report.render("de") + report.render("zh")
    assert ("Split" in text or "Prüfen" in text) and "--max-" in text
    # the dashboard's path (bytes of an upload) is bounded by the same limits
    with pytest.raises(ProfileFileError) as info:
        load_profiles_bytes(path.read_bytes(), "upload.csv", limits=limits)
    assert code in info.value.report.codes()


@pytest.mark.parametrize("kind", ["csv", "xlsx", "parquet"])
def test_the_row_limit_counts_companies_not_the_header(tmp_path, kind):
    """A file of exactly --max-rows companies is read (the message says "at most N rows, each with the
    header row", so a file split as told must pass); one company more is refused."""
    rows = [[f"DE{i}", "Firma", "DE", "Köln", "Getriebe."] for i in range(3)] + [ROWS[1]]

    def written(count: int):
        frame = pd.DataFrame(rows[:count], columns=HEADER)
        path = tmp_path / f"{count}.{kind}"
        if kind == "csv":
            frame.to_csv(path, index=False)
        elif kind == "xlsx":
            workbook(path, [HEADER, *rows[:count]])
        else:
            frame.to_parquet(path, index=False)
        return path

    assert len(load_profiles(written(4), limits=ReadLimits(max_rows=4))) == 4
    assert "too_many_rows" in refused(written(4), limits=ReadLimits(max_rows=3)).codes()


def test_the_xlsx_reader_counts_rows_and_cells_over_all_sheets(tmp_path):
    rows = [HEADER] + [[f"DE{i}", "A", "DE", "Köln", "x"] for i in range(300)]
    assert "too_many_rows" in refused(workbook(tmp_path / "r.xlsx", rows), limits=ReadLimits(max_rows=200)).codes()
    assert "too_many_cells" in refused(tmp_path / "r.xlsx", limits=ReadLimits(max_cells=1000)).codes()


def test_parquet_limits_are_checked_from_the_footer_and_the_dictionary(tmp_path):
    many = tmp_path / "many.parquet"
    pq.write_table(pa.table({"id": pa.array([0] * 600_000, pa.int8())}), many)
    assert issue(refused(many), "too_many_rows").params["limit"] == "500,000"
    # one 1 MB description referenced by 3,000 rows: 3 GB of text from a 1 MB file
    for store_schema in (True, False):
        bomb = tmp_path / f"bomb-{store_schema}.parquet"
        description = pa.DictionaryArray.from_arrays(pa.array([0] * 3_000, pa.int32()), pa.array(["x" * 2**20]))
        ids = pa.array([f"DE{i}" for i in range(3_000)])
        table = pa.table({"id": ids, "name": ids, "country": ["DE"] * 3_000, "city": ["Köln"] * 3_000})
        pq.write_table(table.append_column("description", description), bomb, store_schema=store_schema)
        assert bomb.stat().st_size < 3 * 2**20
        found = issue(refused(bomb), "unpacked_too_large")
        assert found.params["size"] == "3,000 MB" and found.params["limit"] == "1,000 MB"


# --- 3. things that are no profiles file --------------------------------------------------------------
@pytest.mark.parametrize("make, code", [("folder", "not_a_file_folder"), ("pipe", "not_a_file_pipe")])
def test_a_folder_or_a_pipe_is_named_as_such(tmp_path, make, code):
    path = tmp_path / "companies.csv"
    if make == "folder":
        path.mkdir()
    else:
        os.mkfifo(path)  # opening it would wait for a writer for ever
    report = refused(path)
    assert code in report.codes() and "does not exist" not in report.render("en")


def test_a_device_is_named_as_such():
    report = refused("/dev/null")
    assert "not_a_file_device" in report.codes() and "/dev/null is a device" in report.render("en")


# --- 4. messages that say what is wrong ---------------------------------------------------------------
@pytest.mark.parametrize(
    "data, code",
    [
        (b"\xef\xbb\xbf", "file_bom_only"),
        (b"\xff\xfe", "file_bom_only"),
        (b"\xef\xbb\xbf\r\n\r\n", "file_bom_only"),
        (b"\n\n\n  \n", "file_blank"),
        (b"Firmen\nRheinwerk\nYuehua\n", "single_column"),
    ],
)
def test_files_without_a_table_say_what_they_hold(tmp_path, data, code):
    path = tmp_path / "p.csv"
    path.write_bytes(data)
    report = refused(path)
    assert report.codes() == {code}
    assert "delimiter" not in report.render("en") and "separates the columns" not in report.render("en")


def test_a_header_below_twenty_title_rows_is_found(tmp_path):
    titles = [[f"Unternehmensliste ISA, Stand Mai 2026 (Teil {i})"] for i in range(20)]
    csv = tmp_path / "titles.csv"
    pd.DataFrame(titles + [HEADER] + ROWS).to_csv(csv, index=False, header=False, sep=";")
    for path in (csv, workbook(tmp_path / "titles.xlsx", titles + [HEADER] + ROWS)):
        profiles = load_profiles(path)
        assert len(profiles) == 2 and issue(profiles.report, "header_offset").params["row"] == 21


def test_one_nul_byte_in_a_cell_is_removed_and_located(tmp_path):
    path = write_csv(tmp_path / "p.csv", pd.DataFrame(ROWS, columns=HEADER))
    path.write_bytes(path.read_bytes().replace(b"Rheinwerk", b"Rhein\x00werk"))
    profiles = load_profiles(path)
    found = issue(profiles.report, "control_characters")
    assert found.rows == (2,) and found.column == "name" and found.severity == "warning"
    assert profiles.table.set_index(V.ID).loc["DE1", V.NAME] == "Rheinwerk"


@pytest.mark.parametrize("control", ["\u202e", "\u2066", "\u202a"])
def test_a_direction_override_is_removed_from_csv_and_workbook_cells(tmp_path, control):
    """A right-to-left override makes "Getriebe" display as "ebeirteG" in every export and explanation
    that quotes the cell; German and Chinese text never needs one."""
    rows = [list(ROWS[0]), list(ROWS[1])]
    rows[0][4] = f"Wir fertigen {control}Getriebe\u202c für Industrieroboter."
    for path in (
        write_csv(tmp_path / "p.csv", pd.DataFrame(rows, columns=HEADER)),
        workbook(tmp_path / "p.xlsx", [HEADER] + rows),
    ):
        profiles = load_profiles(path)
        found = issue(profiles.report, "control_characters")
        assert found.rows == (2,) and found.column == "description" and found.severity == "warning"
        assert profiles.table.set_index(V.ID).loc["DE1", V.DESCRIPTION] == ROWS[0][4]
        assert "direction" in found.message("en") and "Schreibrichtung" in found.message("de")


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_read(tmp_path, encoding):
    path = tmp_path / "p.csv"
    path.write_bytes(pd.DataFrame(ROWS, columns=HEADER).to_csv(index=False, sep="\t").encode(encoding))
    profiles = load_profiles(path)
    assert profiles.table.set_index(V.ID).loc["CN1", V.CITY] == "佛山"
    assert "no byte-order mark" in issue(profiles.report, "encoding_used").params["encoding"]


def test_a_damaged_utf16_file_names_the_line(tmp_path):
    path = tmp_path / "p.csv"
    path.write_bytes(pd.DataFrame(ROWS, columns=HEADER).to_csv(index=False).encode("utf-16") + b"\x00\xd8")
    found = issue(refused(path), "undecodable_utf16")
    assert found.params["line"] == 4 and found.params["encoding"] == "UTF-16"


def test_an_unclosed_quote_is_located_instead_of_swallowing_the_rest(tmp_path):
    path = tmp_path / "p.csv"
    lines = [",".join(HEADER), 'DE1,"Rheinwerk,DE,Köln,Getriebe'] + [f"DE{i},A,DE,Köln,x" for i in range(2, 40)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    found = issue(refused(path), "unclosed_quote")
    assert found.params["line"] == 2


@pytest.mark.parametrize("language, word", [("en", "appears more than once"), ("de", "mehrfach"), ("zh", "多次")])
def test_the_duplicate_id_message_names_the_id_and_its_rows(tmp_path, language, word):
    rows = ROWS + [["DE1", "Zweite", "DE", "Aachen", "Text."]]
    text = refused(write_csv(tmp_path / "p.csv", pd.DataFrame(rows, columns=HEADER))).render(language)
    line = next(line for line in text.splitlines() if word in line)
    assert "DE1" in line and "2, 4" in line and "{" not in line


def test_ids_that_differ_only_invisibly_or_in_width_are_the_same_company(tmp_path):
    rows = ROWS + [["ＤＥ1", "Breitschrift", "DE", "Köln", "x"], ["CN1\u200b", "零宽", "CN", "佛山", "y"]]
    report = refused(write_csv(tmp_path / "p.csv", pd.DataFrame(rows, columns=HEADER)))
    duplicates = {i.params["id"]: i.rows for i in report.issues if i.code == "duplicate_id"}
    assert duplicates == {"DE1": (2, 4), "CN1": (3, 5)}
    assert issue(report, "id_full_width").rows == (4,) and issue(report, "id_invisible").rows == (5,)


def test_ids_that_differ_only_in_case_are_kept_with_a_warning(tmp_path):
    rows = ROWS + [["de1", "Klein", "DE", "Köln", "x"]]
    profiles = load_profiles(write_csv(tmp_path / "p.csv", pd.DataFrame(rows, columns=HEADER)))
    assert len(profiles) == 3
    found = issue(profiles.report, "ids_differ_in_case")
    assert found.rows == (2, 4) and "'DE1', 'de1'" in found.message("en")


# --- 5. the readings a German or Chinese user means -----------------------------------------------------
@pytest.mark.parametrize(
    "written, band, note",
    [
        ("1.000", "1000+", "employees_grouped"),
        ("12.500", "1000+", "employees_grouped"),
        ("1,000", "1000+", "employees_grouped"),
        ("1 200", "1000+", "employees_grouped"),
        ("120", "50-249", None),
        ("2,5", "1-49", None),
        ("ca. 300", "250-999", "employees_about"),
        ("约500人", "250-999", "employees_about"),
        ("1.2万", "1000+", "employees_unit"),
        ("über 49", "50-249", "employees_about"),
        ("200-300", "250-999", "employees_range"),
        ("149", "50-249", None),
        ("50-249", "50-249", None),
        ("500余名", "250-999", "employees_about"),
        ("五百人", "250-999", "employees_numerals"),
        ("一千二百", "1000+", "employees_numerals"),
        ("一百零八人", "50-249", "employees_numerals"),
        ("3,5 Tsd.", "1000+", "employees_unit"),
        ("2k", "1000+", "employees_unit"),
    ],
)
def test_employees_are_read_as_written_in_german_and_chinese(tmp_path, written, band, note):
    rows = [r + [written] for r in ROWS]
    profiles = load_profiles(write_csv(tmp_path / "p.csv", pd.DataFrame(rows, columns=HEADER + ["Mitarbeiter"])))
    assert set(profiles.table[V.SIZE_BAND]) == {band}
    notes = [i for i in profiles.report.issues if i.code.startswith("employees_")]
    assert [i.code for i in notes] == ([note] if note else [])
    if note:
        assert notes[0].rows == (2, 3) and notes[0].column == V.EMPLOYEES


@pytest.mark.parametrize("written", ["k.A.", "keine Angabe", "n/a", "未知", "不详", "-", "?"])
def test_employees_not_known_is_an_empty_cell_not_a_bad_count(tmp_path, written):
    rows = [r + [written] for r in ROWS]
    profiles = load_profiles(write_csv(tmp_path / "p.csv", pd.DataFrame(rows, columns=HEADER + ["Mitarbeiter"])))
    assert set(profiles.table[V.SIZE_BAND]) == {""}
    assert not [i for i in profiles.report.issues if i.code == "bad_employees"]
    assert issue(profiles.report, "employees_not_given").rows == (2, 3)


@pytest.mark.parametrize("written", ["C34", "3491"])
def test_a_chinese_company_s_gbt_code_in_the_nace_column_is_read_as_gbt(tmp_path, written):
    rows = [r + [written] for r in ROWS]  # GB/T 34 (general machinery, 3491 industrial robots): NACE 28
    profiles = load_profiles(write_csv(tmp_path / "p.csv", pd.DataFrame(rows, columns=HEADER + ["Branche"])))
    assert profiles.table.set_index(V.ID).loc["CN1", V.NACE_DIVISION] == "28"
    assert issue(profiles.report, "sector_read_as_gbt").rows == (3,)
    # the German company's code is no NACE code: not read as GB/T, the sector comes from its text
    assert issue(profiles.report, "bad_sector").rows == (2,)
    assert f"'{written}'" in issue(profiles.report, "sector_read_as_gbt").message("de")


def test_a_count_no_one_writes_is_still_a_warning(tmp_path):
    rows = [r + [written] for r, written in zip(ROWS, ["viele", "五五"])]
    profiles = load_profiles(write_csv(tmp_path / "p.csv", pd.DataFrame(rows, columns=HEADER + ["Mitarbeiter"])))
    assert [i.rows for i in profiles.report.issues if i.code == "bad_employees"] == [(2,), (3,)]


def test_xlsx_dates_and_formatted_numbers_read_as_the_sheet_shows_them(tmp_path):
    import datetime as dt

    def cells(book, ws):
        ws["A2"].value, ws["A2"].number_format = dt.datetime(2024, 1, 2), "dd.mm.yyyy"
        ws["A3"].value = dt.datetime(2024, 1, 3)  # openpyxl's default format: yyyy-mm-dd h:mm:ss
        ws["A4"].value, ws["A4"].number_format = 1, "000"
        ws["A5"].value, ws["A5"].number_format = 42, '"DE"0000'
        ws["F4"].value, ws["F4"].number_format = 1500, "#,##0"

    rows = [HEADER + ["employees"]] + [[None, f"Firma {i}", "DE", "Köln", "Getriebe."] for i in range(4)]
    profiles = load_profiles(workbook(tmp_path / "d.xlsx", rows, extra=cells))
    assert list(profiles.table[V.ID]) == ["02.01.2024", "2024-01-03", "001", "DE0042"]
    assert profiles.table.set_index(V.ID).loc["001", V.EMPLOYEES] == "1500"
    dates, numbers = issue(profiles.report, "date_cells"), issue(profiles.report, "number_format_used")
    assert dates.rows == (2, 3) and dates.column == "id" and numbers.rows == (4, 5)
    assert "02.01.2024" in dates.message("de") and "Excel" in dates.message("en")


def test_of_several_company_sheets_the_one_with_most_rows_is_read(tmp_path):
    small = [HEADER] + [[f"DE{i}", "A", "DE", "Köln", "x"] for i in range(3)]
    large = [HEADER] + [
        [f"{c}{i}", "B", c, "Köln" if c == "DE" else "佛山", "y"] for i in range(6) for c in ("DE", "CN")
    ]

    def sheets(book, ws):
        for name, rows in (
            ("Notizen", [["Hinweis"], ["Export"]]),
            ("Alle Firmen", large),
            ("Leer", []),
            ("Info", [["a", "b"]]),
        ):
            sheet = book.create_sheet(name)
            for row in rows:
                sheet.append(row)

    profiles = load_profiles(workbook(tmp_path / "s.xlsx", small, sheet="Auswahl", extra=sheets))
    assert len(profiles) == 12 and set(profiles.table[V.COUNTRY]) == {"DE", "CN"}
    found = issue(profiles.report, "sheet_ambiguous")
    assert found.params["sheet"] == "Alle Firmen" and "most rows" in found.message("en")


def test_a_german_and_a_chinese_sheet_of_the_same_table_are_read_as_one(tmp_path):
    german = [HEADER + ["employees"], ["DE1", "Rheinwerk", "DE", "Köln", "Getriebe.", "120"]]

    def china(book, ws):
        sheet = book.create_sheet("China")
        for row in [
            ["Stand: 2026"],  # a title above the header
            HEADER + ["employees"],
            ["CN1", "粤华机器人", "CN", "佛山", "机器人减速器。", "五百人"],
            [],
            ["CN2", "湖州电驱", "CN", "湖州", "电驱动系统。", "viele"],
        ]:
            sheet.append(row)

    profiles = load_profiles(workbook(tmp_path / "w.xlsx", german, sheet="Deutschland", extra=china))
    assert profiles.table[V.ID].tolist() == ["DE1", "CN1", "CN2"]
    assert profiles.table[V.SIZE_BAND].tolist() == ["50-249", "250-999", ""]
    assert "'Deutschland', 'China'" in issue(profiles.report, "sheets_joined").message("en")
    bad = issue(profiles.report, "bad_employees")  # named by its sheet's own row, as Excel shows it
    assert bad.where("de") == "Zeile China!5" and "China!3" in issue(profiles.report, "employees_numerals").where("en")
    assert issue(profiles.report, "blank_rows").params["count"] == 1
    assert "sheet_ambiguous" not in profiles.report.codes() and "one_country" not in profiles.report.codes()


def test_sheets_that_share_ids_are_not_joined(tmp_path):
    rows = [HEADER, ["DE1", "Rheinwerk", "DE", "Köln", "Getriebe."]]

    def copy(book, ws):
        sheet = book.create_sheet("Kopie")
        for row in rows + [["CN1", "粤华机器人", "CN", "佛山", "减速器。"]]:
            sheet.append(row)

    profiles = load_profiles(workbook(tmp_path / "c.xlsx", rows, extra=copy), strict=False)
    assert profiles.table[V.ID].tolist() == ["DE1", "CN1"]  # the larger sheet, alone
    assert issue(profiles.report, "sheet_ambiguous").params["sheet"] == "Kopie"
    assert "sheets_joined" not in profiles.report.codes()


def test_parquet_lists_records_and_bytes_are_read_as_text(tmp_path):
    path = tmp_path / "p.parquet"
    table = pa.table(
        {
            "id": ["DE1", "CN1"],
            "name": [b"Rheinwerk", "粤华".encode()],
            "country": ["DE", "CN"],
            "city": ["Köln", "佛山"],
            "description": ["Wir bauen Batteriezellen.", "公司生产电池单体。"],
            "focus_areas": [["batteries_storage", "e_mobility"], ["batteries_storage"]],
            "details": [{"name": "A. Weber", "phone": "0221"}, {"name": "王", "phone": None}],
            "logo": [b"\x89PNG\x00\xff", None],
        }
    )
    pq.write_table(table, path)
    report = validate_file(path)
    assert issue(report, "binary_cell").rows == (2,) and issue(report, "binary_cell").column == "logo"
    pq.write_table(table.drop_columns(["logo"]), path)
    profiles = load_profiles(path)
    rows = profiles.table.set_index(V.ID)
    assert rows.loc["DE1", V.FOCUS_KEYS] == ("batteries_storage", "e_mobility")  # both areas, not a repr
    assert rows.loc["DE1", V.FOCUS_AREAS] == "batteries_storage; e_mobility" and not rows.loc["DE1", V.FOCUS_INFERRED]
    assert rows.loc["CN1", V.NAME] == "粤华" and rows.loc["DE1", "details"] == "name: A. Weber; phone: 0221"
    assert {"list_cells", "record_cells", "bytes_decoded"} <= profiles.report.codes()


@pytest.mark.parametrize(
    "written, code, noted",
    [
        ("China (PRC)", "CN", True),
        ("P.R. China", "CN", False),
        ("Deutschland (DE)", "DE", True),
        ("D", "DE", False),
        ("中国（大陆）", "CN", False),
    ],
)
def test_country_spellings_with_parentheses_and_dots_are_understood(tmp_path, written, code, noted):
    other = (
        ["CN9", "粤华", "CN", "佛山", "减速器。"] if code == "DE" else ["DE9", "Rheinwerk", "DE", "Köln", "Getriebe."]
    )
    rows = [["X1", "Firma", written, "Köln", "Getriebe."], other]
    profiles = load_profiles(write_csv(tmp_path / "p.csv", pd.DataFrame(rows, columns=HEADER)))
    assert profiles.table.set_index(V.ID).loc["X1", V.COUNTRY] == code
    assert ("country_read" in profiles.report.codes()) == noted
    if noted:
        assert issue(profiles.report, "country_read").message("en") == f"'{written}' was read as {code}."


@pytest.mark.parametrize("written", ["Hong Kong", "香港", "Taiwan", "台湾", "China (Taiwan)", "Macao"])
def test_hong_kong_macao_and_taiwan_are_refused_with_the_reason(tmp_path, written):
    rows = ROWS + [["X1", "Harbour Ltd", written, "Kowloon", "Trading."]]
    report = refused(write_csv(tmp_path / "p.csv", pd.DataFrame(rows, columns=HEADER)))
    found = issue(report, "country_outside")
    assert found.rows == (4,) and "bad_country" not in report.codes()
    assert "mainland China" in found.message("en") and "中国内地" in found.message("zh")
