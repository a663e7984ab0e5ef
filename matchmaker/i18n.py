"""Interface and message texts in German, Chinese and English.

The catalogues are TOML files in ``matchmaker/locales/<language>/`` (one folder per language, the
same files and keys in each; a file per part of the product, e.g. ``interface.toml``), so
translators edit data, not code. ``t(key, language, **params)`` formats one text.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from matchmaker.vocab import LANGUAGES, Language

_LOCALES = Path(__file__).resolve().parent / "locales"


@cache
def catalogue(language: Language) -> dict[str, str]:
    """All texts of one language, flattened to dotted keys (``"validate.file_empty"``)."""
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}; got {language!r}.")
    flat: dict[str, str] = {}

    def walk(prefix: str, node: dict, source: Path) -> None:
        for key, value in node.items():
            if isinstance(value, dict):
                walk(f"{prefix}{key}.", value, source)
            elif f"{prefix}{key}" in flat:
                raise ValueError(f"The text key '{prefix}{key}' is defined twice; the second time in {source}.")
            else:
                flat[f"{prefix}{key}"] = str(value)

    for source in catalogue_files(language):
        with source.open("rb") as handle:
            walk("", tomllib.load(handle), source)
    return flat


def catalogue_files(language: Language) -> list[Path]:
    """The TOML files that make up one language's catalogue, in a fixed order."""
    return sorted((_LOCALES / language).glob("*.toml"))


def t(key: str, language: Language = "en", /, **params: object) -> str:
    """The text ``key`` in ``language`` with ``params`` filled in; falls back to English, then to
    the key itself, so a missing translation shows up plainly instead of crashing the page. With
    ``count=1``, the singular ``<key>_one`` where the language has one ("1 offener Vorschlag wartet";
    Chinese needs none)."""
    if params.get("count") == 1 and f"{key}_one" in catalogue(language):
        key = f"{key}_one"
    text = catalogue(language).get(key) or catalogue("en").get(key) or key
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return text
