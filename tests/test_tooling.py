"""Project hygiene that can break: lint and format (ruff), locale catalogues that agree, and a public
API whose names all resolve."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib

import pytest
from helpers import REPO

import matchmaker
from matchmaker.i18n import catalogue, catalogue_files
from matchmaker.vocab import LANGUAGES


def ruff(*args: str) -> subprocess.CompletedProcess:
    executable = shutil.which("ruff", path=str(REPO / ".venv" / "bin")) or shutil.which("ruff")
    command = [executable] if executable else [sys.executable, "-m", "ruff"]
    return subprocess.run([*command, *args], cwd=REPO, capture_output=True, text=True)


def test_ruff_lint_passes():
    done = ruff("check", ".", "--output-format", "concise")
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_format_is_applied():
    done = ruff("format", "--check", ".")
    assert done.returncode == 0, "run `ruff format .`:\n" + done.stdout + done.stderr


def flat_keys(node: dict, prefix: str = "") -> set[str]:
    keys = set()
    for key, value in node.items():
        keys |= flat_keys(value, f"{prefix}{key}.") if isinstance(value, dict) else {f"{prefix}{key}"}
    return keys


def test_the_three_locale_folders_hold_the_same_files_and_keys():
    catalogues = {}
    for language in LANGUAGES:
        files = catalogue_files(language)
        assert [file.name for file in files] == [file.name for file in catalogue_files("en")]
        catalogues[language] = set()
        for file in files:
            with file.open("rb") as handle:
                catalogues[language] |= {f"{file.stem}:{key}" for key in flat_keys(tomllib.load(handle))}
    everything = set().union(*catalogues.values())
    missing = {language: sorted(everything - keys) for language, keys in catalogues.items() if everything - keys}
    assert not missing, f"keys missing per language: {missing}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_text_key_is_defined_in_two_files_of_a_language(language):
    catalogue.cache_clear()
    assert catalogue(language)["severity.error"]


@pytest.mark.parametrize("name", matchmaker.__all__)
def test_every_public_name_resolves(name):
    assert getattr(matchmaker, name) is not None
    assert name in dir(matchmaker)


def test_an_unknown_public_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'Matchr'"):
        matchmaker.Matchr  # noqa: B018


def test_a_count_of_one_takes_the_singular_where_a_language_has_one():
    from matchmaker.i18n import t

    key = "dashboard.introductions.open_count"
    assert t(key, "de", count=1).startswith("1 offener Vorschlag für eine Vorstellung wartet")
    assert t(key, "de", count=3).startswith("3 offene Vorschläge für Vorstellungen warten")
    assert t(key, "en", count=1).startswith("1 open introduction proposal waits")
    assert t(key, "zh", count=1) == t(key, "zh", count=2).replace("2", "1")  # no singular in Chinese
    assert t("validate.zip_archive", "de", count=1, name="a.zip", members="x.csv").startswith(
        "Die Datei 'a.zip' ist ein ZIP-Archiv mit 1 Datei (x.csv)"
    )
    assert t("dashboard.introductions.incoming", "de", count=1) == "Eingegangen (1 offen)"  # no singular needed
