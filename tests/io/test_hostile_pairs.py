"""Hostile and careless labelled-pairs files (``de_id, cn_id, grade``): the pairs file is read by the
profiles reader, so ids stay the text written, any encoding, delimiter or workbook is read, and a
bad grade or a broken row is named with its row."""

from __future__ import annotations

import logging

import openpyxl
import pytest

from matchmaker.errors import LabelsError
from matchmaker.io.pairs import load_pairs


def pairs_file(tmp_path, text: str, encoding: str = "utf-8", name: str = "pairs.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_ids_that_look_missing_or_padded_stay_the_ids_written(tmp_path):
    path = pairs_file(tmp_path, "de_id,cn_id,grade\r\nNA,null,3\r\nNone, CN2 ,2\r\n007,0012,1\r\n")
    pairs = load_pairs(path)
    assert list(pairs["de_id"]) == ["NA", "None", "007"] and list(pairs["cn_id"]) == ["null", "CN2", "0012"]


@pytest.mark.parametrize(
    "text, encoding",
    [
        ("DE_ID;CN_ID;Grade;Notiz\r\nDE1;CN1;2,5;Müller\r\nDE2;CN2;1;x\r\n", "cp1252"),
        ("de_id\tcn_id\tgrade\t备注\r\nDE1\tCN1\t2.5\t很好\r\nDE2\tCN2\t1\t好\r\n", "utf-16"),
        ("de_id,cn_id,grade,备注\r\nDE1,CN1,2.5,很好\r\nDE2,CN2,1,好\r\n", "gb18030"),
    ],
)
def test_german_and_chinese_spreadsheet_exports_are_read(tmp_path, text, encoding):
    pairs = load_pairs(pairs_file(tmp_path, text, encoding))
    assert list(pairs["de_id"]) == ["DE1", "DE2"] and list(pairs["grade"]) == [2.5, 1.0]
    assert pairs.columns[3] in ("Notiz", "备注") and pairs.iloc[0, 3] in ("Müller", "很好")


def test_a_workbook_of_pairs_is_read(tmp_path):
    book = openpyxl.Workbook()
    for row in (["de_id", "cn_id", "grade"], ["DE1", "CN1", 3], ["DE2", "CN2", 0]):
        book.active.append(row)
    book.save(tmp_path / "pairs.xlsx")
    pairs = load_pairs(tmp_path / "pairs.xlsx")
    assert list(pairs["cn_id"]) == ["CN1", "CN2"] and list(pairs["grade"]) == [3.0, 0.0]


def test_grades_outside_zero_to_three_are_refused_with_their_rows(tmp_path):
    path = pairs_file(tmp_path, "de_id,cn_id,grade\r\nDE1,CN1,3\r\nDE2,CN2,7\r\nDE3,CN3,-1\r\nDE4,CN4,inf\r\n")
    with pytest.raises(LabelsError, match=r"from 0 to 3.*rows 3, 4, 5"):
        load_pairs(path)


def test_a_row_with_an_extra_field_is_named_not_shifted(tmp_path):
    path = pairs_file(tmp_path, "de_id,cn_id,grade\r\nDE1,CN1,3,extra\r\nDE2,CN2,1\r\n")
    with pytest.raises(LabelsError, match=r"row 2: The row has 4 fields but the header has 3"):
        load_pairs(path)


def test_a_duplicated_grade_column_reads_the_first(tmp_path):
    pairs = load_pairs(pairs_file(tmp_path, "de_id,cn_id,grade,grade\r\nDE1,CN1,3,1\r\n"))
    assert list(pairs["grade"]) == [3.0] and list(pairs["grade_2"]) == ["1"]


def test_a_removed_control_character_is_logged(tmp_path, caplog):
    path = pairs_file(tmp_path, "de_id,cn_id,grade\r\nDE\x001,CN1,3\r\n")
    with caplog.at_level(logging.WARNING, logger="matchmaker.io.pairs"):
        pairs = load_pairs(path)
    assert list(pairs["de_id"]) == ["DE1"] and "control characters" in caplog.text


@pytest.mark.parametrize(
    "data, said", [(b"", "empty"), (b"%PDF-1.4\n", "binary"), (b'de_id,cn_id,grade\r\n"DE1,CN1,3\r\n', "never closed")]
)
def test_unreadable_pairs_files_say_why(tmp_path, data, said):
    path = tmp_path / "pairs.csv"
    path.write_bytes(data)
    with pytest.raises(LabelsError, match=said):
        load_pairs(path)
