"""Labelled German-Chinese pairs: ``de_id, cn_id, grade`` (0-3 by judgement; higher = better fit).

Any table with those columns serves: the demo pairs, a benchmark of real partnerships, or the
outcomes users recorded on their shortlists (agreement 3, met 2, contacted 1, declined 0); extra
columns are kept.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd

from matchmaker import config
from matchmaker import vocab as V
from matchmaker.errors import LabelsError
from matchmaker.io.cells import restore_cell
from matchmaker.io.files import path_kind, read_bytes


def load_pairs(path: Path | str) -> pd.DataFrame:
    """Read labelled pairs from a CSV with at least ``de_id, cn_id, grade``. Ids are read as text
    (neutralised spreadsheet ids such as ``'=x`` are read back as given); other columns are kept."""
    path = Path(path)
    if path_kind(path) == "missing":
        raise LabelsError(
            f"The pairs file {path} does not exist. Expected a CSV with de_id, cn_id, grade (0-3), "
            f"e.g. {config.DEMO_PAIRS} or a file exported from recorded outcomes."
        )
    data = read_bytes(path, "the pairs file")
    try:
        pairs = pd.read_csv(io.BytesIO(data), dtype={V.DE_ID: str, V.CN_ID: str}, encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LabelsError(
            f"The pairs file {path} is not UTF-8 text (byte {exc.start}). Save it as CSV UTF-8 and try again."
        ) from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise LabelsError(
            f"The pairs file {path} cannot be read as a CSV table ({str(exc).strip()}). Expected a header row "
            "de_id, cn_id, grade and one pair per row, separated by commas."
        ) from exc
    for column in (V.DE_ID, V.CN_ID):
        if column in pairs:
            pairs[column] = pairs[column].map(restore_cell)
    return check_pairs(pairs, str(path))


def check_pairs(pairs: pd.DataFrame, name: str = "the labelled pairs") -> pd.DataFrame:
    """``pairs`` with a float ``grade``; a :class:`LabelsError` naming every bad row otherwise."""
    missing = [c for c in V.PAIR_COLUMNS if c not in pairs.columns]
    if missing:
        raise LabelsError(
            f"{name} lacks the columns {missing}; expected de_id, cn_id, grade. "
            f"Found: {', '.join(map(str, pairs.columns))}."
        )
    grades = pd.to_numeric(pairs[V.GRADE], errors="coerce")
    bad = np.flatnonzero(grades.isna().to_numpy())
    if len(bad):
        rows = ", ".join(str(i + 2) for i in bad[:10]) + (" ..." if len(bad) > 10 else "")
        raise LabelsError(
            f"{name}: the grade must be a number (0-3) in every row; rows {rows} (line numbers, header = 1) "
            f"hold {pairs[V.GRADE].iloc[bad[0]]!r} and the like. Fill in a grade or drop those rows."
        )
    return pairs.assign(grade=grades.astype(float))
