"""Small helpers the tests share (importable as ``helpers``: pytest puts tests/ on the path)."""

from __future__ import annotations

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
