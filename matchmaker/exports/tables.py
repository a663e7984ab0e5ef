"""Tables that leave the system: CSV (UTF-8 with BOM, so Excel shows Chinese and umlauts) or XLSX.

Every cell passes :func:`matchmaker.io.cells.safe_table` (no cell, and no line of a cell, can run as
a spreadsheet formula; numbers stay numbers). The CSV writer quotes every text field and ends rows
in CRLF, so a line break inside a cell (a bare CR too) can never end a row; the XLSX writer stores
text as text and shows characters XML cannot hold as control pictures. Contact data appear only
for companies whose ``contact_consent`` is true.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from matchmaker import vocab as V
from matchmaker.errors import ParameterError
from matchmaker.exports.reading import display_city, display_name
from matchmaker.i18n import t
from matchmaker.io.cells import map_text_cells, safe_table, xml_safe
from matchmaker.io.files import writing
from matchmaker.knowledge.taxonomy import load_taxonomy
from matchmaker.scoring.components import COMPONENTS
from matchmaker.scoring.items import ScoredItem, ShortlistItem
from matchmaker.store.shortlists import EntryRecord, latest_steps
from matchmaker.vocab import Language

# Excel holds at most 32,767 characters in a cell (it "repairs" a file with longer ones); longer text
# is cut to this, which leaves room for the apostrophes of safe_cell.
XLSX_TEXT_CHARS = 32_000


def write_table(frame: pd.DataFrame, path: Path | str, sheet: str = "Shortlist") -> Path:
    """Write ``frame`` safely as .csv or .xlsx (by the suffix of ``path``); a path that cannot be
    written raises :class:`~matchmaker.errors.FileAccessError`."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ParameterError(f"The output file must end in .csv or .xlsx. Got '{path.name}' instead.")
    with writing(path) as target:
        if suffix == ".csv":
            safe_table(frame).to_csv(
                target,
                index=False,
                encoding="utf-8-sig",
                errors="replace",
                lineterminator="\r\n",
                quoting=csv.QUOTE_NONNUMERIC,
            )
        else:
            _write_xlsx(safe_table(xlsx_text(frame)), target, sheet)
    return path


def xlsx_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Text an XLSX can hold: no XML-illegal characters, line breaks as LF (XML reads a stored CR as
    LF anyway, and Excel breaks lines in a cell with LF), at most :data:`XLSX_TEXT_CHARS` per cell.
    Applied before :func:`safe_table`, so the apostrophes it adds stay where the line breaks are."""

    def fit(value: object) -> object:
        if not isinstance(value, str):
            return value
        value = xml_safe(value.replace("\r\n", "\n").replace("\r", "\n"))
        return value if len(value) <= XLSX_TEXT_CHARS else value[: XLSX_TEXT_CHARS - 2] + " …"

    return map_text_cells(frame, fit)


def _write_xlsx(safe: pd.DataFrame, path: Path, sheet: str) -> None:
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
            width = min(
                60,
                max(
                    10, int(safe[column].astype(str).str.len().quantile(0.9)) if len(safe) else 10, len(str(column)) + 2
                ),
            )
            sheet_.column_dimensions[get_column_letter(index)].width = width
            if width >= 40:
                for cell in sheet_[get_column_letter(index)][1:]:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
        # Strings stay strings: openpyxl would otherwise treat "=..." as a formula.
        for row in sheet_.iter_rows(min_row=1):
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"


def released_contact(profile: pd.Series) -> dict[str, str]:
    """Contact name and e-mail of a profile, empty unless the company consented to release them."""
    consent = bool(profile[V.CONTACT_CONSENT])
    return {
        "contact_name": profile[V.CONTACT_NAME] if consent else "",
        "contact_email": profile[V.CONTACT_EMAIL] if consent else "",
    }


def items_table(scored: list[ScoredItem], language: Language = "en") -> pd.DataFrame:
    """One readable row per item: both companies, score, weighted components, reasons, note and
    outcome; names and cities as a reader of ``language`` reads them (see :mod:`matchmaker.exports.reading`);
    contact columns only for partners who consented. Column names are keys (``partner``);
    :func:`readable_headers` turns them into the reader's language."""
    components = sorted(
        {name for s in scored if s.explanation for name in s.explanation.contributions}, key=COMPONENTS.index
    )
    saved = any(entry.item.rank is None for entry in scored)  # from a saved shortlist: note and outcome columns
    rows = []
    taxonomy = load_taxonomy()
    for entry in scored:
        item, source, target, explanation = entry.item, entry.source, entry.target, entry.explanation
        row: dict[str, object] = {"rank": item.rank} if item.rank is not None else {}
        if explanation is None:
            row |= {
                "company_id": item.source_id,
                "company": item.source_name,
                "partner_id": item.target_id,
                "partner": item.target_name,
                "partner_local_name": "",
                "partner_city": "",
                "partner_country": "",
                "score": None,
                **{c: None for c in components},
                "why": t("dossier.not_in_data", language),
                "website": "",
                "contact_name": "",
                "contact_email": "",
            }
        else:
            source_name, target_name = display_name(source, language), display_name(target, language)
            row |= {
                "company_id": item.source_id,
                "company": source_name,
                "partner_id": item.target_id,
                "partner": target_name,
                "partner_local_name": target[V.NAME_LOCAL],
                "partner_city": display_city(target, language, taxonomy),
                "partner_country": target[V.COUNTRY],
                "score": round(explanation.score, 4),
                **{c: round(explanation.contributions.get(c, 0.0), 4) for c in components},
                "why": " | ".join(explanation.render(language, (source_name, target_name))),
                "website": target[V.WEBSITE],
                **released_contact(target),
            }
        if saved:
            row |= {
                "note": item.note,
                "status": t(f"outcome.{item.status}", language) if item.status else "",
                "added_by": item.author,
                "added_at": item.added_at,
            }
        rows.append(row)
    return pd.DataFrame(rows)


def column_header(column: str, language: Language) -> str:
    """A column key (``partner``, ``semantic``) as the reader of ``language`` sees it; unknown keys stay."""
    key = f"ui.component_{column}" if column in COMPONENTS else f"ui.column_{column}"
    text = t(key, language)
    return column if text == key else text


def readable_headers(frame: pd.DataFrame, language: Language) -> pd.DataFrame:
    """The same table with column names in ``language`` (component names as the dashboard shows them)."""
    return frame.rename(columns={c: column_header(c, language) for c in frame.columns})


def shortlist_items(entries: list[EntryRecord], history: pd.DataFrame) -> list[ShortlistItem]:
    """Entries of a saved shortlist as items, each with the latest step of its pair in ``history``
    (:meth:`ShortlistStore.outcome_history`), whichever side the entry started from."""
    status = {(d, c): s for d, c, s in latest_steps(history)[[V.DE_ID, V.CN_ID, "status"]].itertuples(index=False)}
    return [
        ShortlistItem(
            e.source_id,
            e.target_id,
            note=e.note,
            author=e.author,
            added_at=f"{e.added_at:%Y-%m-%d}",
            status=status.get((e.source_id, e.target_id)) or status.get((e.target_id, e.source_id)) or "",
            source_name=e.source_name,
            target_name=e.target_name,
        )
        for e in entries
    ]
