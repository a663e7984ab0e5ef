"""The product's vocabulary: every domain constant, defined once.

Column names of the profiles table (the interchange contract, section 1) and of the
recommendations table (section 2), the derived columns the loader adds, the languages, countries,
employee bands, ranking directions and the columns of labelled pairs. Pure constants and two tiny
functions; no imports from the rest of the package.
"""

from __future__ import annotations

from typing import Literal

# --- languages and countries ------------------------------------------------------------------
Language = Literal["de", "zh", "en"]
LANGUAGES: tuple[Language, ...] = ("de", "zh", "en")
LANGUAGE_NAMES: dict[Language, str] = {"de": "Deutsch", "zh": "中文", "en": "English"}

Country = Literal["DE", "CN"]
COUNTRIES: tuple[Country, ...] = ("DE", "CN")

Direction = Literal["de_to_cn", "cn_to_de"]
DIRECTIONS: tuple[Direction, ...] = ("de_to_cn", "cn_to_de")

# The candidate searches of the two-stage ranking (matchmaker.retrieval.index), as `recommend --index` names them.
IndexKind = Literal["auto", "flat", "ivf", "ivf-pq", "hnsw"]
INDEX_KINDS: tuple[IndexKind, ...] = ("auto", "flat", "ivf", "ivf-pq", "hnsw")
DIRECTION_COUNTRIES: dict[Direction, tuple[Country, Country]] = {"de_to_cn": ("DE", "CN"), "cn_to_de": ("CN", "DE")}


def other_country(country: str) -> Country:
    """The partner side of ``country``: ``"CN"`` for ``"DE"`` and ``"DE"`` for ``"CN"``."""
    return "CN" if country == "DE" else "DE"


def direction_from(country: str) -> Direction:
    """The ranking direction that starts from a company of ``country``."""
    return "de_to_cn" if country == "DE" else "cn_to_de"


# --- employee bands ---------------------------------------------------------------------------
SIZE_BANDS = ("1-49", "50-249", "250-999", "1000+")

# --- profile columns (contract section 1) -----------------------------------------------------
ID, NAME, NAME_LOCAL, NAME_EN = "id", "name", "name_local", "name_en"
COUNTRY, CITY, DESCRIPTION = "country", "city", "description"
DESCRIPTION_DE, DESCRIPTION_ZH, DESCRIPTION_EN = "description_de", "description_zh", "description_en"
LANGUAGE, SECTOR, SECTOR_CN, FOCUS_AREAS = "language", "sector", "sector_cn", "focus_areas"
OFFERS, SEEKS, COOPERATION = "offers", "seeks", "cooperation"
EMPLOYEES, EMPLOYEES_BAND = "employees", "employees_band"
WEBSITE, CONTACT_NAME, CONTACT_EMAIL, CONTACT_CONSENT = "website", "contact_name", "contact_email", "contact_consent"

REQUIRED_COLUMNS = (ID, NAME, COUNTRY, CITY, DESCRIPTION)
OPTIONAL_COLUMNS = (
    NAME_LOCAL,
    NAME_EN,
    DESCRIPTION_DE,
    DESCRIPTION_ZH,
    DESCRIPTION_EN,
    LANGUAGE,
    SECTOR,
    SECTOR_CN,
    FOCUS_AREAS,
    OFFERS,
    SEEKS,
    COOPERATION,
    EMPLOYEES,
    EMPLOYEES_BAND,
    WEBSITE,
    CONTACT_NAME,
    CONTACT_EMAIL,
    CONTACT_CONSENT,
)

# Columns the loader derives (normalised values); the raw input columns are kept beside them.
CITY_KEY = "city_key"  # member-city key, empty when the city is outside the alliance
NACE_DIVISION = "nace_division"  # two-digit NACE division from `sector` or `sector_cn`, may be empty
FOCUS_KEYS = "focus_keys"  # tuple of focus-area keys, given or inferred
FOCUS_INFERRED = "focus_inferred"
COOPERATION_KEYS = "cooperation_keys"
SIZE_BAND = "size_band"
TEXT = "text"  # the cleaned text that is embedded (description, offers, seeks)

# --- recommendations table (contract section 2) -----------------------------------------------
SOURCE_ID, RANK, TARGET_ID, SCORE = "source_id", "rank", "target_id", "score"

# --- labelled pairs ---------------------------------------------------------------------------
DE_ID, CN_ID, GRADE = "de_id", "cn_id", "grade"
PAIR_COLUMNS = (DE_ID, CN_ID, GRADE)

# --- spreadsheets -----------------------------------------------------------------------------
# A cell starting with one of these may run as a formula in Excel, LibreOffice or Google Sheets
# (OWASP's list: "=", "+", "-", "@", tab, carriage return).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
