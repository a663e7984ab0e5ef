"""Hostile text files for ``matchmaker embed`` (one text per line): line i stays text i whatever
characters the texts hold, any common encoding is read, and what is no text file says so."""

from __future__ import annotations

import pytest

from matchmaker.errors import ProfileFileError
from matchmaker.io.limits import ReadLimits
from matchmaker.io.texts import read_text_lines

TEXTS = ["Wir fertigen Getriebe.", "公司生产减速器。", "", "Robots & more"]


def test_separators_inside_a_text_do_not_start_a_new_line(tmp_path):
    # NEL, line and paragraph separators, form feed, record separator: str.splitlines cuts at each
    texts = ["Seite 1\x0cSeite 2", "Zeile\u2028weiter\u2029Absatz", "NEL\x85hier", "RS\x1eGS\x1dFS\x1c", "x\x0by"]
    texts += ["Wir fertigen Getriebe und Wellen für Industrieroboter in Köln."] * 5  # a file, not just controls
    path = tmp_path / "texts.txt"
    path.write_bytes("\n".join(texts).encode() + b"\n")
    assert read_text_lines(path) == texts


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "gb18030"])
def test_every_common_encoding_and_line_ending_gives_one_text_per_line(tmp_path, ending, encoding):
    path = tmp_path / "texts.txt"
    path.write_bytes((ending.join(TEXTS) + ending).encode(encoding))
    assert read_text_lines(path) == TEXTS


def test_the_last_line_needs_no_line_break_and_empty_lines_stay(tmp_path):
    path = tmp_path / "texts.txt"
    path.write_bytes(b"a\n\n\nb")
    assert read_text_lines(path) == ["a", "", "", "b"]
    path.write_bytes(b"\xef\xbb\xbf")
    assert read_text_lines(path) == []


@pytest.mark.parametrize(
    "data, code",
    [
        (b"%PDF-1.4\n\x00\x01\x02\x03\x04\x05\x06\x07binary", "texts_binary"),
        (b"caf\xc3\xa9\n\xff\xfe\xfd broken \xc3\xa9\xc3\xa9", "undecodable"),
        (b"a\n" * 11, "texts_too_many_lines"),
    ],
)
def test_what_is_no_text_file_is_refused_with_a_reason(tmp_path, data, code):
    path = tmp_path / "texts.txt"
    path.write_bytes(data)
    with pytest.raises(ProfileFileError) as info:
        read_text_lines(path, limits=ReadLimits(max_rows=10))
    assert info.value.report.codes() == {code}
    assert "{" not in info.value.report.render("de")


def test_a_folder_or_a_too_large_file_is_named(tmp_path):
    with pytest.raises(ProfileFileError) as info:
        read_text_lines(tmp_path)
    assert info.value.report.codes() == {"not_a_file_folder"}
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 2000)
    with pytest.raises(ProfileFileError) as info:
        read_text_lines(path, limits=ReadLimits(max_bytes=1000))
    assert info.value.report.codes() == {"file_too_large"}
