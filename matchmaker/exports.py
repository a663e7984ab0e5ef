"""Tables that leave the system: CSV (UTF-8 with BOM, so Excel shows Chinese and umlauts) or XLSX.

No cell can run as a spreadsheet formula: text starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return gets a leading apostrophe (the OWASP recommendation); numbers stay numbers.
Contact data appear only for companies whose ``contact_consent`` is true.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from matchmaker import config as C
from matchmaker.errors import ParameterError
from matchmaker.features import COMPONENTS
from matchmaker.i18n import UiLanguage, t

if TYPE_CHECKING:
    from matchmaker.explain import Explanation
    from matchmaker.shortlists import EntryRecord

_DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
_UNSAFE_NAME = re.compile(r"[^\w.\-]+", re.UNICODE)


def safe_cell(value: object) -> object:
    """The value as a spreadsheet should store it: formula-like text neutralised, all else kept."""
    if isinstance(value, str) and value.startswith(_DANGEROUS_START):
        return "'" + value
    return value


def restore_cell(value: object) -> object:
    """The inverse of :func:`safe_cell`, for tools that read an exported file back (e.g. ids in a
    labelled-pairs file): ``'=x`` becomes ``=x`` again; every other value is returned as it is."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(_DANGEROUS_START):
        return value[1:]
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


@dataclass(frozen=True)
class ShortlistItem:
    """One suggested pair as it goes out: from a ranking (``rank``) or a saved shortlist (the rest).

    ``source_name`` / ``target_name`` are the names saved with the entry, shown when the pair is
    not in the profiles in use any more."""

    source_id: str
    target_id: str
    rank: int | None = None
    note: str = ""
    status: str = ""
    author: str = ""
    added_at: str = ""
    source_name: str = ""
    target_name: str = ""


@dataclass(frozen=True)
class ScoredItem:
    """A :class:`ShortlistItem` with the two profiles and the facts behind its score; the profiles
    and explanation are None when a company is not in the matcher's data."""

    item: ShortlistItem
    source: pd.Series | None
    target: pd.Series | None
    explanation: "Explanation | None"


def score_items(matcher, items: list[ShortlistItem], weights: object = None) -> list[ScoredItem]:
    """Profiles, score, contributions and reasons of each item, as the matcher sees them now."""
    from matchmaker.explain import explain_pair

    profiles = matcher.profiles_.set_index(C.ID, drop=False)
    scored = []
    for item in items:
        if item.source_id in matcher.index_ and item.target_id in matcher.index_:
            scored.append(ScoredItem(item, profiles.loc[item.source_id], profiles.loc[item.target_id],
                                     explain_pair(matcher, item.source_id, item.target_id, weights=weights)))
        else:
            scored.append(ScoredItem(item, None, None, None))
    return scored


def items_table(scored: list[ScoredItem], language: UiLanguage = "en") -> pd.DataFrame:
    """One readable row per item: both companies, score, weighted components, reasons, note and
    outcome; contact columns only for partners who consented. Column names are keys (``partner``);
    :func:`readable_headers` turns them into the reader's language."""
    components = sorted({name for s in scored if s.explanation for name in s.explanation.contributions},
                        key=COMPONENTS.index)
    saved = any(entry.item.rank is None for entry in scored)  # from a saved shortlist: note and outcome columns
    rows = []
    for entry in scored:
        item, source, target, explanation = entry.item, entry.source, entry.target, entry.explanation
        row: dict[str, object] = {"rank": item.rank} if item.rank is not None else {}
        if explanation is None:
            row |= {"company_id": item.source_id, "company": item.source_name, "partner_id": item.target_id,
                    "partner": item.target_name, "partner_local_name": "", "partner_city": "", "partner_country": "",
                    "score": None, **{c: None for c in components},
                    "why": t("dossier.not_in_data", language), "website": "", "contact_name": "", "contact_email": ""}
        else:
            row |= {"company_id": item.source_id, "company": source[C.NAME], "partner_id": item.target_id,
                    "partner": target[C.NAME], "partner_local_name": target[C.NAME_LOCAL], "partner_city": target[C.CITY],
                    "partner_country": target[C.COUNTRY], "score": round(explanation.score, 4),
                    **{c: round(explanation.contributions.get(c, 0.0), 4) for c in components},
                    "why": " | ".join(explanation.render(language, (source[C.NAME], target[C.NAME]))),
                    "website": target[C.WEBSITE], **released_contact(target)}
        if saved:
            row |= {"note": item.note, "status": t(f"outcome.{item.status}", language) if item.status else "",
                    "added_by": item.author, "added_at": item.added_at}
        rows.append(row)
    return pd.DataFrame(rows)


def column_header(column: str, language: UiLanguage) -> str:
    """A column key (``partner``, ``semantic``) as the reader of ``language`` sees it; unknown keys stay."""
    key = f"ui.component_{column}" if column in COMPONENTS else f"ui.column_{column}"
    text = t(key, language)
    return column if text == key else text


def readable_headers(frame: pd.DataFrame, language: UiLanguage) -> pd.DataFrame:
    """The same table with column names in ``language`` (component names as the dashboard shows them)."""
    return frame.rename(columns={c: column_header(c, language) for c in frame.columns})


def company_items(matcher, company_id: str, k: int) -> list[ShortlistItem]:
    """One company's ``k`` best suggestions as items, ranked."""
    suggestions = matcher.recommend(company_id, k=k)
    return [ShortlistItem(r.source_id, r.target_id, rank=int(r.rank)) for r in suggestions.itertuples(index=False)]


def company_shortlist(matcher, company_id: str, k: int, language: UiLanguage = "en") -> pd.DataFrame:
    """A readable shortlist of one company's ``k`` best suggestions (see :func:`items_table`)."""
    return items_table(score_items(matcher, company_items(matcher, company_id, k)), language)


def shortlist_items(entries: list["EntryRecord"], history: pd.DataFrame) -> list[ShortlistItem]:
    """Entries of a saved shortlist as items, each with the latest step of its pair in ``history``
    (:meth:`ShortlistStore.outcome_history`), whichever side the entry started from."""
    from matchmaker.shortlists import latest_steps

    status = {(d, c): s for d, c, s in latest_steps(history)[["de_id", "cn_id", "status"]].itertuples(index=False)}
    return [ShortlistItem(e.source_id, e.target_id, note=e.note, author=e.author, added_at=f"{e.added_at:%Y-%m-%d}",
                          status=status.get((e.source_id, e.target_id)) or status.get((e.target_id, e.source_id)) or "",
                          source_name=e.source_name, target_name=e.target_name)
            for e in entries]
