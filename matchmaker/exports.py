"""Tables that leave the system: CSV (UTF-8 with BOM, so Excel shows Chinese and umlauts) or XLSX.

No cell can run as a spreadsheet formula: text starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return gets a leading apostrophe (the OWASP recommendation); numbers stay numbers.
Contact data appear only for companies whose ``contact_consent`` is true.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from matchmaker import config as C
from matchmaker.errors import ParameterError

_DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
_UNSAFE_NAME = re.compile(r"[^\w.\-]+", re.UNICODE)


def safe_cell(value: object) -> object:
    """The value as a spreadsheet should store it: formula-like text neutralised, all else kept."""
    if isinstance(value, str) and value.startswith(_DANGEROUS_START):
        return "'" + value
    return value


def safe_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Every text cell passed through :func:`safe_cell`; column names too."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(safe_cell)
    safe.columns = [safe_cell(str(c)) for c in safe.columns]
    return safe


def safe_filename(name: str, fallback: str = "export") -> str:
    """A file name without path separators or shell-special characters (Chinese letters kept)."""
    cleaned = _UNSAFE_NAME.sub("_", name).strip("._")
    return cleaned[:120] or fallback


def write_table(frame: pd.DataFrame, path: Path | str, sheet: str = "Shortlist") -> Path:
    """Write ``frame`` safely as .csv or .xlsx (by the suffix of ``path``)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ParameterError(f"The output file must end in .csv or .xlsx. Got '{path.name}' instead.")
    path.parent.mkdir(parents=True, exist_ok=True)
    safe = safe_table(frame)
    if suffix == ".csv":
        safe.to_csv(path, index=False, encoding="utf-8-sig")
        return path
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        safe.to_excel(writer, index=False, sheet_name=sheet[:31])
        sheet_ = writer.sheets[sheet[:31]]
        for cell in sheet_[1]:
            cell.font = Font(bold=True, color="FFFFFF")
            cell.fill = PatternFill("solid", fgColor="1F4E79")
        sheet_.freeze_panes = "A2"
        for index, column in enumerate(safe.columns, start=1):
            width = min(60, max(10, int(safe[column].astype(str).str.len().quantile(0.9)) if len(safe) else 10, len(str(column)) + 2))
            sheet_.column_dimensions[get_column_letter(index)].width = width
            if width >= 40:
                for cell in sheet_[get_column_letter(index)][1:]:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
        # Strings stay strings: openpyxl would otherwise treat "=..." as a formula.
        for row in sheet_.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
    return path


def released_contact(profile: pd.Series) -> dict[str, str]:
    """Contact name and e-mail of a profile, empty unless the company consented to release them."""
    consent = bool(profile[C.CONTACT_CONSENT])
    return {"contact_name": profile[C.CONTACT_NAME] if consent else "",
            "contact_email": profile[C.CONTACT_EMAIL] if consent else ""}


def company_shortlist(matcher, company_id: str, k: int, language: str = "en") -> pd.DataFrame:
    """A readable shortlist of one company's suggestions: partner data, score, components,
    explanation; contact columns only for partners who consented."""
    from matchmaker.explain import explain_pair

    suggestions = matcher.recommend(company_id, k=k)
    profiles = matcher.profiles_.set_index(C.ID)
    components = [c for c in suggestions.columns if c not in (C.SOURCE_ID, C.RANK, C.TARGET_ID, C.SCORE)]
    rows = []
    for record in suggestions.to_dict("records"):
        partner = profiles.loc[record[C.TARGET_ID]]
        explanation = explain_pair(matcher, company_id, record[C.TARGET_ID])
        rows.append({
            "rank": record[C.RANK], "partner_id": record[C.TARGET_ID], "partner": partner[C.NAME],
            "partner_local_name": partner[C.NAME_LOCAL], "city": partner[C.CITY], "country": partner[C.COUNTRY],
            "score": round(float(record[C.SCORE]), 4),
            **{c: round(float(record[c]), 4) for c in components},
            "why": " | ".join(explanation.render(language, (profiles.loc[company_id][C.NAME], partner[C.NAME]))),
            "website": partner[C.WEBSITE],
            **released_contact(partner),
        })
    return pd.DataFrame(rows)
