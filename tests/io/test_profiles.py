"""Profile import: every kind of bad file gets a clear message, nothing is silently dropped."""

import subprocess
import sys

import pandas as pd
import pytest
from helpers import company, write_csv

from matchmaker import config as C
from matchmaker import vocab as V
from matchmaker.errors import ProfileFileError
from matchmaker.io.profiles import load_profiles, profiles_from_frame

GOOD = [
    company("DE1", "DE", "Köln", "Wir fertigen Getriebe für Industrieroboter.", sector="C28"),
    company("CN1", "CN", "佛山", "公司生产工业机器人减速器。", sector_cn="C34"),
]


def codes(profiles_or_report):
    report = getattr(profiles_or_report, "report", profiles_or_report)
    return report.codes()


def load_bad(path, **kwargs):
    with pytest.raises(ProfileFileError) as info:
        load_profiles(path, **kwargs)
    return info.value.report


def test_good_file_loads_with_derived_columns(tmp_path):
    profiles = load_profiles(write_csv(tmp_path / "p.csv", GOOD))
    table = profiles.table.set_index(V.ID)
    assert profiles.report.usable and len(profiles) == 2
    assert table.loc["DE1", V.NACE_DIVISION] == "28"
    assert table.loc["CN1", V.NACE_DIVISION] == "28"  # GB/T 34 general machinery -> NACE 28
    assert table.loc["DE1", V.CITY_KEY] == "koeln" and table.loc["CN1", V.CITY_KEY] == "foshan"
    assert table.loc["DE1", V.LANGUAGE] == "de" and table.loc["CN1", V.LANGUAGE] == "zh"
    assert table.loc["DE1", "row"] == 2 and table.loc["CN1", "row"] == 3


def test_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    report = load_bad(path)
    assert "file_empty" in report.codes()
    assert "0 bytes" in report.render("en") and "leer" in report.render("de") and "为空" in report.render("zh")


def test_header_without_rows(tmp_path):
    path = tmp_path / "header.csv"
    path.write_text("id,name,country,city,description\n", encoding="utf-8")
    assert "no_rows" in load_bad(path).codes()


def test_delimiter_that_cannot_be_told(tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("id name country city description\nDE1 Firma DE Köln Getriebe\n", encoding="utf-8")
    report = load_bad(path)
    assert "delimiter_unknown" in report.codes()
    assert "id name country" in report.render("en")  # shows the first line it saw


@pytest.mark.parametrize("separator", [";", "\t", "|"])
def test_german_excel_semicolons_and_tabs_are_detected(tmp_path, separator):
    path = write_csv(tmp_path / "p.csv", GOOD, sep=separator)
    assert len(load_profiles(path)) == 2


def test_missing_required_columns_are_named(tmp_path):
    path = write_csv(tmp_path / "p.csv", [{"id": "1", "name": "A", "city": "Köln"}])
    report = load_bad(path)
    (issue,) = [i for i in report.issues if i.code == "missing_columns"]
    assert "country" in issue.params["missing"] and "description" in issue.params["missing"]


def test_a_file_without_ids_is_told_to_add_a_column_not_to_rename_one(tmp_path):
    rows = [{"企业名称": "佛山测试机器人", "国家": "中国", "城市": "佛山", "企业简介": "我们生产工业机器人。"}]
    report = load_bad(write_csv(tmp_path / "p.csv", rows))
    (error,) = [i for i in report.issues if i.severity == "error"]
    assert error.code == "missing_id"
    assert "企业名称" in error.message("de") and "Fügen Sie eine hinzu" in error.message("de")
    rows[0]["统一社会信用代码"] = "91440606MA4UJ0XX1X"  # the register number Chinese exports carry
    assert load_profiles(write_csv(tmp_path / "q.csv", rows)).table[V.ID].tolist() == ["91440606MA4UJ0XX1X"]


def test_duplicate_ids_list_every_row(tmp_path):
    rows = GOOD + [
        company("DE1", "DE", "Aachen", "Zweite Firma mit gleicher id."),
        company("DE1", "DE", "Mainz", "Dritte."),
    ]
    report = load_bad(write_csv(tmp_path / "p.csv", rows))
    (issue,) = [i for i in report.issues if i.code == "duplicate_id"]
    assert issue.rows == (2, 4, 5)


def test_all_problems_reported_at_once(tmp_path):
    rows = [
        company("DE1", "Frankreich", "Köln", "Text."),
        company("", "DE", "Köln", "Text."),
        company("DE3", "DE", "Köln", "", sector="ZZ9"),
    ]
    report = load_bad(write_csv(tmp_path / "p.csv", rows))
    assert {"bad_country", "missing_value", "empty_description", "bad_sector"} <= report.codes()
    assert {i.rows[0] for i in report.issues if i.rows} >= {2, 3, 4}


def test_empty_description_is_kept_with_a_warning(tmp_path):
    rows = GOOD + [company("DE2", "DE", "Köln", "", offers="Wir bieten Schweißroboter.")]
    profiles = load_profiles(write_csv(tmp_path / "p.csv", rows))
    assert len(profiles) == 3 and "empty_description" in codes(profiles)
    assert "Schweißroboter" in profiles.table.set_index(V.ID).loc["DE2", "text"]


def test_undecodable_bytes_name_the_line(tmp_path):
    path = tmp_path / "broken.csv"
    good = pd.DataFrame(GOOD).to_csv(index=False).encode("utf-8")
    path.write_bytes(good + b"DE9,Firma \xff\xfe,DE,K\xc3\xb6ln,Text\n")
    report = load_bad(path)
    (issue,) = [i for i in report.issues if i.code == "undecodable"]
    assert issue.params["line"] == 4 and "0xFF" in issue.params["bytes"]
    assert "UTF-8" in report.render("en")


@pytest.mark.parametrize("encoding, label", [("utf-8-sig", None), ("gb18030", "GB18030"), ("utf-16", "UTF-16")])
def test_encodings_are_detected(tmp_path, encoding, label):
    path = write_csv(tmp_path / "p.csv", GOOD, encoding=encoding)
    profiles = load_profiles(path)
    assert profiles.table.set_index(V.ID).loc["CN1", V.DESCRIPTION] == "公司生产工业机器人减速器。"
    assert list(profiles.table.columns[:1]) == ["id"]  # no BOM left in the first header
    if label:
        assert any(i.code == "encoding_used" and i.params["encoding"] == label for i in profiles.report.issues)


def test_windows_1252_german_export(tmp_path):
    path = write_csv(
        tmp_path / "p.csv",
        [
            company("DE1", "DE", "Köln", "Präzisionsgetriebe für Förderbänder."),
            company("CN1", "CN", "Foshan", "Gear boxes."),
        ],
        sep=";",
        encoding="cp1252",
    )
    table = load_profiles(path).table.set_index(V.ID)
    assert table.loc["DE1", V.DESCRIPTION] == "Präzisionsgetriebe für Förderbänder."


def test_workbook_renamed_to_csv(tmp_path):
    path = tmp_path / "export.csv"
    pd.DataFrame(GOOD).to_excel(path.with_suffix(".xlsx"), index=False)
    path.write_bytes(path.with_suffix(".xlsx").read_bytes())
    report = load_bad(path)
    assert "renamed_workbook" in report.codes() and ".xlsx" in report.render("en")


def test_binary_file_renamed_to_csv(tmp_path):
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    report = load_bad(path)
    assert "binary_file" in report.codes() and "PNG" in report.render("en")


def test_workbook_with_several_sheets_reads_the_company_table(tmp_path):
    path = tmp_path / "crm.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"Hinweis": ["Export vom 1. Mai"]}).to_excel(writer, sheet_name="Info", index=False)
        pd.DataFrame(GOOD).to_excel(writer, sheet_name="Firmen", index=False)
    profiles = load_profiles(path)
    assert len(profiles) == 2
    assert any(i.code == "several_sheets" and i.params["sheet"] == "Firmen" for i in profiles.report.issues)


def test_workbook_without_a_company_sheet(tmp_path):
    path = tmp_path / "crm.xlsx"
    pd.DataFrame({"a": [1], "b": [2]}).to_excel(path, index=False)
    assert "no_sheet" in load_bad(path).codes()


def test_merged_header_cells_and_title_rows(tmp_path):
    import openpyxl

    path = tmp_path / "merged.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Unternehmensliste ISA 2026"])
    sheet.merge_cells("A1:D1")  # a title row above the header: skipped, not an error
    sheet.append(["Firmen-ID", "Firmenname", "Land", "Stadt", "Beschreibung", "Kontakt", ""])
    sheet.merge_cells("F2:G2")  # one header over two columns
    sheet.append(["DE1", "Rheinwerk", "Deutschland", "Köln", "Getriebe", "Frau A", "a@x.example"])
    sheet.append(["CN1", "粤华", "中国", "佛山", "减速器", "王先生", "w@y.example"])
    book.save(path)
    profiles = load_profiles(path)
    assert len(profiles) == 2 and set(profiles.table[V.COUNTRY]) == {"DE", "CN"}
    merged = [i for i in profiles.report.issues if i.code == "merged_header"]
    assert merged and merged[0].params["cells"] == "F2:G2" and merged[0].params["letter"] == "G"
    assert "column_G" in profiles.table.columns  # the unnamed column is kept, not dropped
    assert any(i.code == "header_offset" or i.code == "merged_header" for i in profiles.report.issues)


def test_ten_megabyte_description_is_kept_whole(tmp_path):
    huge = ("Getriebe und Lager. " * 550_000).strip()  # ~11 MB
    path = write_csv(tmp_path / "big.csv", GOOD + [company("DE2", "DE", "Köln", huge)])
    profiles = load_profiles(path)
    row = profiles.table.set_index(V.ID).loc["DE2"]
    assert len(row[V.DESCRIPTION]) == len(huge)
    assert len(row["text"]) <= C.MAX_EMBED_CHARS
    assert "long_text" in codes(profiles)


def test_formulas_and_html_stay_text(tmp_path):
    rows = GOOD + [
        company("DE2", "DE", "Köln", '=HYPERLINK("http://evil.example","klick")'),
        company("DE3", "DE", "Köln", "<b>Wir</b> bauen <script>alert(1)</script> Pumpen &amp; Ventile."),
    ]
    profiles = load_profiles(write_csv(tmp_path / "p.csv", rows))
    table = profiles.table.set_index(V.ID)
    assert table.loc["DE2", V.DESCRIPTION].startswith("=HYPERLINK")
    assert table.loc["DE3", V.DESCRIPTION].startswith("<b>Wir</b>")
    assert "<" not in table.loc["DE3", "text"] and "& Ventile" in table.loc["DE3", "text"]
    assert {"formula_text", "html_text"} <= codes(profiles)


def test_formula_in_xlsx_is_read_as_its_text_not_its_value(tmp_path):
    import openpyxl

    path = tmp_path / "f.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["id", "name", "country", "city", "description"])
    sheet.append(["DE1", "A", "DE", "Köln", "=1+1"])
    sheet.append(["CN1", "B", "CN", "佛山", "公司"])
    book.save(path)
    assert load_profiles(path).table.set_index(V.ID).loc["DE1", V.DESCRIPTION] == "=1+1"


def test_german_and_chinese_headers_and_unknown_columns(tmp_path):
    rows = [
        {
            "Firmen-ID": "DE1",
            "Firmenname": "A",
            "Land": "Deutschland",
            "Stadt": "Koeln",
            "Beschreibung": "Getriebe.",
            "Interne Notiz": "VIP",
        },
        {
            "Firmen-ID": "CN1",
            "Firmenname": "B",
            "Land": "中国",
            "Stadt": "佛山市",
            "Beschreibung": "减速器。",
            "Interne Notiz": "",
        },
    ]
    profiles = load_profiles(write_csv(tmp_path / "p.csv", rows))
    assert set(profiles.table[V.COUNTRY]) == {"DE", "CN"}
    assert profiles.table.set_index(V.ID).loc["DE1", "Interne Notiz"] == "VIP"
    chinese = pd.DataFrame([{"编号": "CN1", "公司名称": "粤华", "国家": "中国", "城市": "佛山", "简介": "减速器。"}])
    assert profiles_from_frame(chinese).table.iloc[0][V.CITY_KEY] == "foshan"


def test_city_outside_the_alliance_is_accepted_and_flagged(tmp_path):
    profiles = load_profiles(write_csv(tmp_path / "p.csv", GOOD + [company("DE2", "DE", "Berlin", "Getriebe.")]))
    assert len(profiles) == 3 and profiles.table.set_index(V.ID).loc["DE2", V.CITY_KEY] == ""
    assert "city_outside" in codes(profiles)


def test_language_detected_when_missing_and_focus_inferred(tmp_path):
    rows = [
        company("DE1", "DE", "Köln", "We develop battery management systems for electric buses and battery storage."),
        company("CN1", "CN", "佛山", "公司开发自动驾驶系统和激光雷达。", focus_areas="自动驾驶;Elektromobilität"),
    ]
    table = load_profiles(write_csv(tmp_path / "p.csv", rows)).table.set_index(V.ID)
    assert table.loc["DE1", V.LANGUAGE] == "en"
    assert "batteries_storage" in table.loc["DE1", V.FOCUS_KEYS] and table.loc["DE1", V.FOCUS_INFERRED]
    assert table.loc["CN1", V.FOCUS_KEYS] == ("autonomous_driving", "e_mobility")


def test_employees_bands_and_consent(tmp_path):
    rows = [
        company("DE1", "DE", "Köln", "Getriebe.", employees="120", contact_consent="ja"),
        company("CN1", "CN", "佛山", "减速器。", employees_band="1000+", contact_consent="否"),
        company("DE2", "DE", "Köln", "Getriebe.", employees="viele", contact_consent="vielleicht"),
    ]
    profiles = load_profiles(write_csv(tmp_path / "p.csv", rows))
    table = profiles.table.set_index(V.ID)
    assert table.loc["DE1", V.SIZE_BAND] == "50-249" and table.loc["CN1", V.SIZE_BAND] == "1000+"
    assert table.loc["DE1", V.CONTACT_CONSENT] and not table.loc["CN1", V.CONTACT_CONSENT]
    assert not table.loc["DE2", V.CONTACT_CONSENT]
    assert {"bad_employees", "bad_consent"} <= codes(profiles)


def test_parquet_is_read(tmp_path):
    path = tmp_path / "p.parquet"
    pd.DataFrame(GOOD).to_parquet(path)
    assert len(load_profiles(path)) == 2


def test_cli_validate_exit_codes_and_no_traceback(tmp_path):
    good = write_csv(tmp_path / "good.csv", GOOD)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\x00\x01\x02binary")

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "matchmaker.cli", "validate", *args], capture_output=True, text=True
        )

    ok = run(str(good))
    assert ok.returncode == 0 and "2 companies" in ok.stdout
    failed = run(str(bad), "--lang", "de")
    assert failed.returncode != 0
    assert "Traceback" not in failed.stdout + failed.stderr
    assert "Binärdaten" in failed.stdout + failed.stderr
    missing = run(str(tmp_path / "nope.csv"))
    assert missing.returncode != 0 and "does not exist" in missing.stdout + missing.stderr


def test_a_table_of_one_country_is_told_so_by_country_name_in_each_language(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(
        "id,name,country,city,description\nC1,甲,CN,佛山,公司生产电池。\nC2,乙,中国,湖州,我们生产电机。\n", "utf-8"
    )
    (issue,) = [i for i in load_profiles(path).report.warnings if i.code == "one_country"]
    assert not issue.rows  # about the whole table
    assert "aus China" in issue.message("de") and "aus Deutschland hinzu" in issue.message("de")
    assert "都来自中国" in issue.message("zh") and "来自德国的企业" in issue.message("zh")
    assert "from China" in issue.message("en") and "from Germany" in issue.message("en")


def test_the_summary_counts_in_the_reader_s_language(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    report = load_bad(empty)
    assert "1 error, 0 warnings." in report.summary("en") and "1 errors" not in report.summary("en")
    assert "1 Fehler, 0 Warnungen." in report.summary("de") and "错误 1 个，警告 0 个" in report.summary("zh")
    usable = load_profiles(write_csv(tmp_path / "p.csv", GOOD)).report
    assert f"{len(GOOD)} companies usable (" in usable.summary("en")
    one = load_profiles(write_csv(tmp_path / "one.csv", GOOD[:1])).report  # one country only: a warning
    assert "1 company usable (" in one.summary("en") and "1 warning." in one.summary("en")
    assert "1 Unternehmen nutzbar (" in one.summary("de") and "1 Warnung." in one.summary("de")
