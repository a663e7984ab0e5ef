"""Where the product's files are, the defaults, and the environment; the only module that reads it.

Everything the product needs at run time (taxonomy, glossary, trained model, demo data, default
weights) ships inside the installed package as ``matchmaker/data`` (the wheel maps the repository's
top-level ``data/`` there) and is found through :mod:`importlib.resources`; in a source checkout the
same files are read from ``data/`` beside the package. Files users write (tuned weights, the
embedding cache, the database) go to the user's folders (platformdirs) or a folder they name,
never into the installed package.

Configuration flows one way: the defaults here -> constructor arguments -> dashboard widgets.
Library code takes what it needs as arguments and never reads ``os.environ`` itself.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

from platformdirs import user_cache_path, user_data_path

APP_NAME = "isa-matchmaker"


def _data_dir() -> Path:
    shipped = Path(str(files("matchmaker"))) / "data"  # an installed wheel
    if shipped.is_dir():
        return shipped
    return Path(__file__).resolve().parent.parent / "data"  # a source checkout


DATA_DIR = _data_dir()
TAXONOMY_DIR = DATA_DIR / "taxonomy"
GLOSSARY_DIR = DATA_DIR / "glossary"
DEMO_DIR = DATA_DIR / "demo"
MODELS_DIR = DATA_DIR / "models"
WEIGHTS_DIR = DATA_DIR / "weights"
MAPS_DIR = DATA_DIR / "maps"

DEMO_PROFILES = DEMO_DIR / "companies.csv"
# country outlines under the portfolio map (Natural Earth, public domain; scripts/build_basemap.py)
BASEMAP = MAPS_DIR / "countries.geojson"
DEMO_PAIRS = DEMO_DIR / "pairs.csv"
DEFAULT_WEIGHTS_FILE = WEIGHTS_DIR / "default.toml"

# The offline cross-lingual model trained by `matchmaker train-model` and shipped in data/.
DOMAIN_MODEL_NAME = "isa-domain"
DOMAIN_MODEL_DIR = MODELS_DIR / "isa-domain-static"
# The same kind of static model distilled from use-multilingual (`matchmaker train-model --teacher use-multilingual`).
STUDENT_MODEL_NAME = "isa-student"
STUDENT_MODEL_DIR = MODELS_DIR / "isa-student-static"
# The general multilingual model and the industrial domain model in one space (embeddings/multilingual.py);
# the weights are the ones measured best on the real-partnership benchmark (benchmarks/README.md).
HYBRID_MODEL_NAME = "isa-hybrid"
HYBRID_MODEL_SPEC = "use-multilingual=0.5+isa-domain=0.5"
DEFAULT_MODEL = HYBRID_MODEL_NAME

# Descriptions beyond this many characters are kept in full but only this much is embedded.
MAX_EMBED_CHARS = 20_000
# Companies on the larger side above which a ranking of everyone (--ranking auto, the crowding of the
# dashboard and exports) takes the two stages of matchmaker.retrieval (benchmarks/README.md, "Scale": at
# 20,000 a side two stages take 0.81x the time of embedding plus an exact similarity search)
TWO_STAGE_FROM = 10_000


def user_data_dir() -> Path:
    """The user's data folder (``~/.local/share/isa-matchmaker`` on Linux, honouring ``XDG_DATA_HOME``;
    the platform's equivalent on macOS and Windows)."""
    return user_data_path(APP_NAME, appauthor=False)


@dataclass(frozen=True)
class Environment:
    """What the environment says; read once, at the edges (CLI, dashboard)."""

    cache_dir: Path
    model: str
    database_url: str
    weights_file: Path
    weights_dir: Path  # where tuned weights files are written and found (besides the shipped ones)
    # the alliance platform (matchmaker/store): "local" = one user, no sign-in; "shared" = sign-in required
    mode: str = "local"
    session_hours: float = 8.0  # a signed-in session lasts this long
    max_failed_sign_ins: int = 5  # wrong passwords in a row before the account is locked ...
    lock_minutes: float = 15.0  # ... for this long
    verify_months: int = 12  # profiles not verified for longer are flagged
    smtp_host: str = ""  # empty: no e-mail notifications
    smtp_port: int = 25
    smtp_sender: str = "isa-matchmaker@localhost"
    smtp_user: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_starttls: bool = False

    @classmethod
    def read(cls) -> Environment:
        env = os.environ.get
        return cls(
            cache_dir=Path(os.environ.get("MATCHMAKER_CACHE_DIR") or user_cache_path(APP_NAME, appauthor=False)),
            model=os.environ.get("MATCHMAKER_MODEL") or DEFAULT_MODEL,
            database_url=os.environ.get("MATCHMAKER_DATABASE_URL") or default_database_url(),
            weights_file=Path(os.environ.get("MATCHMAKER_WEIGHTS") or DEFAULT_WEIGHTS_FILE),
            weights_dir=Path(os.environ.get("MATCHMAKER_WEIGHTS_DIR") or user_data_dir() / "weights"),
            mode=env("MATCHMAKER_MODE") or "local",
            session_hours=_number(env("MATCHMAKER_SESSION_HOURS"), 8.0),
            max_failed_sign_ins=int(_number(env("MATCHMAKER_MAX_FAILED_SIGN_INS"), 5)),
            lock_minutes=_number(env("MATCHMAKER_LOCK_MINUTES"), 15.0),
            verify_months=int(_number(env("MATCHMAKER_VERIFY_MONTHS"), 12)),
            smtp_host=env("MATCHMAKER_SMTP_HOST") or "",
            smtp_port=int(_number(env("MATCHMAKER_SMTP_PORT"), 25)),
            smtp_sender=env("MATCHMAKER_SMTP_SENDER") or "isa-matchmaker@localhost",
            smtp_user=env("MATCHMAKER_SMTP_USER") or "",
            smtp_password=env("MATCHMAKER_SMTP_PASSWORD") or "",
            smtp_starttls=(env("MATCHMAKER_SMTP_STARTTLS") or "").lower() in ("1", "true", "yes"),
        )


def _number(value: str | None, default: float) -> float:
    """A positive number from the environment; the default when unset or unreadable."""
    try:
        number = float(value) if value else default
    except ValueError:
        return default
    return number if number > 0 else default


def default_database_url() -> str:
    """SQLite in the user's data folder."""
    return f"sqlite:///{user_data_dir() / 'matchmaker.sqlite'}"


def weights_files(user_dir: Path, configured: Path = DEFAULT_WEIGHTS_FILE) -> list[Path]:
    """The weights files a user can choose: ``configured`` first, then the user's tuned files
    (newest name first), then the other shipped ones."""
    found = [configured]
    for folder in (user_dir, WEIGHTS_DIR):
        if folder.is_dir():
            found += sorted(folder.glob("*.toml"), reverse=True)
    unique: dict[Path, Path] = {}
    for path in found:
        unique.setdefault(path.resolve(), path)
    return list(unique.values())
