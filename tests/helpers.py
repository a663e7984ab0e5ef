"""Small helpers the tests share (importable as ``helpers``: pytest puts tests/ on the path)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parent.parent


def write_csv(path: Path, rows: list[dict] | pd.DataFrame, **kwargs) -> Path:
    frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows)
    frame.to_csv(path, index=False, **kwargs)
    return path


def company(id_: str, country: str, city: str, description: str, **extra) -> dict:
    return {
        "id": id_,
        "name": extra.pop("name", f"Firma {id_}"),
        "country": country,
        "city": city,
        "description": description,
        **extra,
    }


def without_file_permission_override(command: list[str]) -> list[str]:
    """``command`` run so that file permissions apply to it (root reads and writes anything): as root,
    through util-linux's setpriv without the capabilities that override file permissions."""
    if os.geteuid() != 0:
        return command
    assert shutil.which("setpriv"), (
        "setpriv (Debian's util-linux) is needed to run a command without root's file access"
    )
    drop = "-dac_override,-dac_read_search"
    return ["setpriv", "--bounding-set", drop, "--inh-caps", drop, "--", *command]


DOSSIER_TAGS = frozenset(
    "html head meta title style body header h1 h2 h3 p br table tr th td div section ul li strong span".split()
)  # every element the dossier template may produce
