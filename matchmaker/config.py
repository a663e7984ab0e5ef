"""Paths, column names and defaults; the only module that reads the environment.

Configuration flows one way: the defaults here -> constructor arguments -> dashboard widgets.
Library code takes what it needs as arguments and never reads ``os.environ`` itself.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent
DATA_DIR = REPO_DIR / "data"
TAXONOMY_DIR = DATA_DIR / "taxonomy"
GLOSSARY_DIR = DATA_DIR / "glossary"
DEMO_DIR = DATA_DIR / "demo"
MODELS_DIR = DATA_DIR / "models"
WEIGHTS_DIR = DATA_DIR / "weights"

DEMO_PROFILES = DEMO_DIR / "companies.csv"
DEMO_PAIRS = DEMO_DIR / "pairs.csv"
DEFAULT_WEIGHTS_FILE = WEIGHTS_DIR / "default.toml"

# The offline cross-lingual model trained by `matchmaker train-model` and shipped in data/.
DOMAIN_MODEL_NAME = "isa-domain"
DOMAIN_MODEL_DIR = MODELS_DIR / "isa-domain-static"
DEFAULT_MODEL = DOMAIN_MODEL_NAME

# --- profile columns (shared/CONTRACT.md section 1) -------------------------------------------
ID, NAME, NAME_LOCAL, COUNTRY, CITY, DESCRIPTION = "id", "name", "name_local", "country", "city", "description"
LANGUAGE, SECTOR, SECTOR_CN, FOCUS_AREAS = "language", "sector", "sector_cn", "focus_areas"
OFFERS, SEEKS, COOPERATION = "offers", "seeks", "cooperation"
EMPLOYEES, EMPLOYEES_BAND = "employees", "employees_band"
WEBSITE, CONTACT_NAME, CONTACT_EMAIL, CONTACT_CONSENT = "website", "contact_name", "contact_email", "contact_consent"

REQUIRED_COLUMNS = (ID, NAME, COUNTRY, CITY, DESCRIPTION)
OPTIONAL_COLUMNS = (
    NAME_LOCAL, LANGUAGE, SECTOR, SECTOR_CN, FOCUS_AREAS, OFFERS, SEEKS, COOPERATION,
    EMPLOYEES, EMPLOYEES_BAND, WEBSITE, CONTACT_NAME, CONTACT_EMAIL, CONTACT_CONSENT,
)
CONTACT_COLUMNS = (CONTACT_NAME, CONTACT_EMAIL)

# Columns the loader derives (normalised values); the raw input columns are kept beside them.
CITY_KEY = "city_key"            # member-city key, empty when the city is outside the alliance
NACE_DIVISION = "nace_division"  # two-digit NACE division from `sector` or `sector_cn`, may be empty
FOCUS_KEYS = "focus_keys"        # tuple of focus-area keys, given or inferred
FOCUS_INFERRED = "focus_inferred"
COOPERATION_KEYS = "cooperation_keys"
SIZE_BAND = "size_band"

# --- recommendations table (shared/CONTRACT.md section 2) --------------------------------------
SOURCE_ID, RANK, TARGET_ID, SCORE = "source_id", "rank", "target_id", "score"

COUNTRIES = ("DE", "CN")
LANGUAGES = ("de", "zh", "en")

# Descriptions beyond this many characters are kept in full but only this much is embedded.
MAX_EMBED_CHARS = 20_000


@dataclass(frozen=True)
class Environment:
    """What the environment says; read once, at the edges (CLI, dashboard)."""

    cache_dir: Path
    model: str
    database_url: str
    weights_file: Path

    @classmethod
    def read(cls) -> "Environment":
        cache_home = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
        return cls(
            cache_dir=Path(os.environ.get("MATCHMAKER_CACHE_DIR", cache_home / "isa-matchmaker")),
            model=os.environ.get("MATCHMAKER_MODEL", DEFAULT_MODEL),
            database_url=os.environ.get("MATCHMAKER_DATABASE_URL") or default_database_url(),
            weights_file=Path(os.environ.get("MATCHMAKER_WEIGHTS") or DEFAULT_WEIGHTS_FILE),
        )


def default_database_url() -> str:
    """SQLite in the user's data folder (``~/.local/share/isa-matchmaker`` on Linux, honouring
    ``XDG_DATA_HOME``; the platform's equivalent on macOS and Windows)."""
    from platformdirs import user_data_path

    return f"sqlite:///{user_data_path('isa-matchmaker', appauthor=False) / 'matchmaker.sqlite'}"
