"""Hostile and unusual workbooks, as Excel, LibreOffice and export tools write them: escaped
characters in cell text, and workbook kinds that cannot be read (password-protected, binary,
Strict Open XML), each named as what it is rather than as a damaged file."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from matchmaker import vocab as V
from matchmaker.errors import ProfileFileError
from matchmaker.io.profiles import load_profiles_bytes

HEADER = ["id", "name", "country", "city", "description"]
ROWS = [["DE1", "Rheinwerk", "DE", "Köln", "Getriebe."], ["CN1", "粤华", "CN", "佛山", "减速器。"]]
SHEET = "xl/worksheets/sheet1.xml"


def workbook() -> bytes:
    book = openpyxl.Workbook()
    for row in [HEADER, *ROWS]:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rezipped(data: bytes, change) -> bytes:
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in source.namelist():
            archive.writestr(name, change(name, source.read(name)))
    return out.getvalue()


def inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def sheet_xml(rows: list[list[str]]) -> bytes:
    cells = "".join(
        f'<row r="{n}">' + "".join(inline(f"{chr(65 + i)}{n}", v) for i, v in enumerate(row)) + "</row>"
        for n, row in enumerate(rows, start=1)
    )
    namespace = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    return f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{namespace}"><sheetData>{cells}</sheetData></worksheet>'.encode()


def refused(data: bytes, name: str):
    with pytest.raises(ProfileFileError) as info:
        load_profiles_bytes(data, name)
    return info.value.report


def test_escaped_characters_in_cell_text_read_as_excel_shows_them():
    # Excel stores a carriage return in a cell as _x000D_ and a literal "_x" as _x005F_x
    rows = [HEADER, ["DE1", "Rhein_x000D_werk", "DE", "Köln", "Zeile 1_x000D_\nZeile 2, Code _x005F_x0041_"], ROWS[1]]
    data = rezipped(workbook(), lambda name, content: sheet_xml(rows) if name == SHEET else content)
    table = load_profiles_bytes(data, "p.xlsx").table.set_index(V.ID)
    assert table.loc["DE1", V.NAME] == "Rhein\rwerk"
    assert table.loc["DE1", V.DESCRIPTION] == "Zeile 1\r\nZeile 2, Code _x0041_"


def test_escaped_utf16_halves_become_their_character_or_a_replacement_mark():
    rows = [HEADER, ["DE1", "Robo _xD83E__xDD16_", "DE", "Köln", "half _xD800_ alone"], ROWS[1]]
    data = rezipped(workbook(), lambda name, content: sheet_xml(rows) if name == SHEET else content)
    table = load_profiles_bytes(data, "p.xlsx").table.set_index(V.ID)
    assert table.loc["DE1", V.NAME] == "Robo 🤖" and table.loc["DE1", V.DESCRIPTION] == "half \ufffd alone"
    table.to_csv(io.BytesIO(), encoding="utf-8")  # writable: no lone surrogate left


def test_a_password_protected_workbook_is_named_as_such():
    # an encrypted workbook is an OLE compound file holding the streams EncryptionInfo and EncryptedPackage
    data = bytearray(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096))
    data[1024:1056] = "EncryptedPackage".encode("utf-16-le")
    data[2048:2076] = "EncryptionInfo".encode("utf-16-le")
    for name in ("companies.xlsx", "companies.csv"):
        report = refused(bytes(data), name)
        assert report.codes() == {"encrypted_workbook"}
        assert (
            "password" in report.render("en")
            and "Kennwort" in report.render("de")
            and ".xls)" not in report.render("en")
        )


def test_an_excel_binary_workbook_is_named_as_such():
    buffer = io.BytesIO(workbook())
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("xl/workbook.bin", b"\x83\x01\x00")
    report = refused(buffer.getvalue(), "companies.xlsb")
    assert report.codes() == {"binary_workbook"} and ".xlsb" in report.render("zh")


def test_a_strict_open_xml_workbook_is_named_as_such():
    strict = b"http://purl.oclc.org/ooxml/spreadsheetml/main"
    transitional = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    data = rezipped(workbook(), lambda name, content: content.replace(transitional, strict))
    report = refused(data, "companies.xlsx")
    assert report.codes() == {"strict_workbook"} and "no_sheet" not in report.codes()


def formula(ref: str, source: str, cached: str | None, kind: str = "str") -> str:
    saved = f"<v>{cached}</v>" if cached is not None else ""
    return f'<c r="{ref}" t="{kind}"><f>{source}</f>{saved}</c>' if kind else f'<c r="{ref}"><f>{source}</f>{saved}</c>'


def test_formula_cells_read_as_the_values_excel_saved_with_them():
    # ids made by a formula (="DE"&ROW()), a computed head count, and a formula no program calculated
    cells = [
        formula("A2", '"DE"&amp;ROW()', "DE2"),
        inline("B2", "Rheinwerk"),
        inline("C2", "DE"),
        inline("D2", "Köln"),
        inline("E2", "Getriebe."),
        formula("F2", "SUM(1000,200)", "1200", kind=""),
    ]
    uncalculated = [inline("A3", "CN1"), formula("B3", 'A3&amp;" Ltd"', None), inline("C3", "CN"), inline("D3", "佛山")]
    header = "".join(inline(f"{chr(65 + i)}1", v) for i, v in enumerate(HEADER + ["employees"]))
    namespace = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    xml = (
        f'<worksheet xmlns="{namespace}"><sheetData><row r="1">{header}</row><row r="2">{"".join(cells)}</row>'
        f'<row r="3">{"".join(uncalculated)}</row></sheetData></worksheet>'
    ).encode()
    profiles = load_profiles_bytes(rezipped(workbook(), lambda n, c: xml if n == SHEET else c), "p.xlsx")
    table = profiles.table.set_index(V.ID)
    assert list(table.index) == ["DE2", "CN1"] and table.loc["DE2", V.EMPLOYEES] == "1200"
    assert table.loc["DE2", V.SIZE_BAND] == "1000+" and table.loc["CN1", V.NAME] == '=A3&" Ltd"'
    notes = {i.code: i for i in profiles.report.issues if i.code.startswith("formula_")}
    assert notes["formula_values"].rows == (2,) and notes["formula_uncalculated"].rows == (3,)
    assert "Excel" in notes["formula_uncalculated"].message("en")


def test_a_sheet_asked_for_by_a_name_the_workbook_lacks_lists_its_sheets(tmp_path):
    path = tmp_path / "p.xlsx"
    path.write_bytes(workbook())
    from matchmaker.io.profiles import load_profiles

    with pytest.raises(ProfileFileError) as info:
        load_profiles(path, sheet="Firmen 2025")
    report = info.value.report
    assert report.codes() == {"sheet_not_found"}
    assert "'Firmen 2025'" in report.render("en") and "'Sheet'" in report.render("de")


def test_archives_damaged_where_zipfile_raises_odd_errors_are_reported_not_raised():
    data = workbook()
    # an unknown 'version needed to extract' in the directory: zipfile raises NotImplementedError
    directory = data.index(b"PK\x01\x02")
    newer = data[: directory + 6] + bytes([147, 0]) + data[directory + 8 :]
    # deflate data that does not inflate: zlib.error
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo("xl/workbook.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    broken = data[:start] + bytes([0xFF]) * 16 + data[start + 16 :]
    for damaged in (newer, broken):
        report = refused(damaged, "companies.xlsx")
        assert report.codes() == {"unreadable"} and "XLSX" in report.render("en")
