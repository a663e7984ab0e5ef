"""Hostile cell values: text built to make the readings' patterns take quadratic time. A profiles
file of a few rows must be checked in well under a second per row, whatever its cells hold."""

from __future__ import annotations

import time

import pandas as pd
from helpers import write_csv

from matchmaker.io.profiles import validate_file

HEADER = ["id", "name", "country", "city", "description", "employees"]


def timed_report(tmp_path, rows):
    path = write_csv(tmp_path / "p.csv", pd.DataFrame(rows, columns=HEADER))
    started = time.perf_counter()
    report = validate_file(path)
    return report, time.perf_counter() - started


def test_many_unclosed_tags_in_a_text_are_checked_in_linear_time(tmp_path):
    # 50,000 "<a" and no ">": the markup check tried every "<" up to the end of the cell (5 s a cell)
    rows = [[f"DE{i}", "Rheinwerk", "DE", "Köln", "<a" * 50_000, "10"] for i in range(10)]
    rows.append(["CN1", "粤华", "CN", "佛山", "减速器。", "10"])
    report, seconds = timed_report(tmp_path, rows)
    assert report.usable and "html_text" not in report.codes()
    assert seconds < 20, f"{seconds:.1f} s"  # a few tenths here; the quadratic patterns took minutes


def test_a_long_employees_cell_is_refused_quickly_with_a_warning(tmp_path):
    # "1", 100,000 spaces, "x": the unit pattern backtracked over the spaces from every position (minutes)
    rows = [
        ["DE1", "Rheinwerk", "DE", "Köln", "Getriebe.", "1" + " " * 100_000 + "x"],
        ["CN1", "粤华", "CN", "佛山", "减速器。", "约500人"],
    ]
    report, seconds = timed_report(tmp_path, rows)
    found = [i for i in report.issues if i.code == "bad_employees"]
    assert [i.rows for i in found] == [(2,)] and "employees_about" in report.codes()
    assert seconds < 20, f"{seconds:.1f} s"  # a few tenths here; the quadratic patterns took minutes


def test_values_quoted_in_the_report_cannot_rewrite_the_terminal_or_reorder_the_line(tmp_path):
    # a carriage return would overwrite the message shown, a right-to-left mark move its end (overrides
    # are removed from cells when they are read: test_hostile_files)
    rows = [
        ["DE1", "Rheinwerk", "Deutschland\r✓ all companies are usable", "Köln", "Getriebe.", "10"],
        ["CN1", "粤华", "CN", "佛山", "减速器。", "500\u200f 人"],
        ["CN2", "美的", "CN", "佛山", "家电。", "ca.\x9b31m 500"],
    ]
    report = validate_file(write_csv(tmp_path / "p.csv", pd.DataFrame(rows, columns=HEADER)))
    for language in ("en", "de", "zh"):
        text = report.render(language)
        assert "\r" not in text and "\u200f" not in text and "\x9b" not in text
    text = report.render("en")
    assert "'Deutschland\\r✓ all companies are usable'" in text and "'500\\u200f 人'" in text and "ca.\\x9b31m" in text
    # the cell itself keeps its carriage return (pandas wrote it unquoted inside an LF-ended line)
    assert [i.rows for i in report.issues if i.code == "bad_country"] == [(2,)]


def test_an_id_that_starts_like_a_formula_is_warned_about(tmp_path):
    # ids go into the recommendations file exactly as given (tools join on them), so say it where it starts
    rows = [['=HYPERLINK("http://x.example","DE1")', "Rheinwerk", "DE", "Köln", "Getriebe.", "10"]]
    rows += [["@CN1", "粤华", "CN", "佛山", "减速器。", "10"], ["-5", "Minus", "DE", "Köln", "x", "10"]]
    report = validate_file(write_csv(tmp_path / "p.csv", pd.DataFrame(rows, columns=HEADER)))
    found = [i for i in report.issues if i.code == "id_formula"]
    assert [i.rows for i in found] == [(2,), (3,)] and report.usable  # "-5" is no formula
    assert found[0].severity == "warning" and "letter or a digit" in found[0].message("en")
