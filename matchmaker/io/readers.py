"""Read a profiles file of any accepted kind into a table of strings, within the read limits.

CSV and other delimited text (:mod:`.delimited`: encodings and delimiters detected), XLSX
(:mod:`.workbook`: the sheet with the company table, a header row below title rows, merged header
cells reported), Parquet (:mod:`.columnar`) and JSON records (:mod:`.jsontable`). Every cell comes back as ``str`` ("" when empty):
nothing is evaluated (an XLSX formula reads as the value saved with it). Problems that make the file unreadable raise
:class:`ProfileFileError` carrying a report; everything else is collected in the report for the
caller to extend. Every read is bounded by a :class:`~matchmaker.io.limits.ReadLimits`.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

from matchmaker.io.columnar import read_parquet
from matchmaker.io.delimited import DELIMITERS, read_delimited
from matchmaker.io.encodings import looks_binary
from matchmaker.io.files import os_error_reason, path_kind
from matchmaker.io.jsontable import read_json
from matchmaker.io.limits import Clock, ReadLimits, megabytes
from matchmaker.io.raw import HeaderScore, RawTable, fail
from matchmaker.io.report import ValidationReport
from matchmaker.io.workbook import ZIP_ERRORS, read_xlsx

__all__ = ["DELIMITERS", "RawTable", "read_raw_table", "read_bytes_table"]

_TEXT_SUFFIXES = ("", ".csv", ".txt", ".tsv", ".tab")


def read_raw_table(
    path: Path,
    report: ValidationReport,
    sheet: str | None = None,
    header_score: HeaderScore | None = None,
    limits: ReadLimits | None = None,
) -> RawTable:
    """Read ``path`` into a :class:`RawTable`, adding notes to ``report``.

    ``header_score(cells) -> int`` rates a candidate header row (how many cells name known
    columns); it picks the delimiter, the sheet and the header row. Raises ProfileFileError for a
    file that cannot be read at all, or that goes beyond ``limits``.
    """
    limits = limits or ReadLimits()
    path = Path(path)
    return read_bytes_table(read_file_bytes(path, report, limits), path.name, report, sheet, header_score, limits)


def read_file_bytes(path: Path, report: ValidationReport, limits: ReadLimits) -> bytes:
    """The bytes of the file at ``path``. ProfileFileError, with the reason, for a missing or
    unreadable file, a folder, device or pipe, and a file beyond ``limits.max_bytes`` (also one that
    grew beyond it while it was read)."""
    kind = path_kind(path)
    if kind == "missing":
        fail(report, "file_missing", path=str(path))
    if kind == "unreadable":
        fail(report, "file_unreadable", path=str(path), reason=os_error_reason(PermissionError()))
    if kind != "file":
        fail(report, f"not_a_file_{kind}", path=str(path))
    try:
        size = os.stat(path).st_size
        if size > limits.max_bytes:
            _too_large(report, size, limits)
        with path.open("rb") as handle:
            data = handle.read(limits.max_bytes + 1)
    except OSError as exc:
        fail(report, "file_unreadable", path=str(path), reason=os_error_reason(exc))
    if len(data) > limits.max_bytes:
        _too_large(report, len(data), limits)
    return data


def read_bytes_table(
    data: bytes,
    name: str,
    report: ValidationReport,
    sheet: str | None = None,
    header_score: HeaderScore | None = None,
    limits: ReadLimits | None = None,
) -> RawTable:
    """The same as :func:`read_raw_table` for bytes already in memory (an upload); ``name`` is the
    file name its suffix is taken from."""
    limits = limits or ReadLimits()
    header_score = header_score or (lambda cells: 0)
    clock = Clock(limits.max_seconds)
    if len(data) > limits.max_bytes:
        _too_large(report, len(data), limits)
    if not data:
        fail(report, "file_empty")
    suffix = Path(name).suffix.lower()
    kind = _sniff_binary_kind(data)
    if kind == "ole" and "EncryptedPackage".encode("utf-16-le") in data:
        fail(report, "encrypted_workbook", name=name)
    members = _zip_members(data) if kind == "zip" else None
    if members is not None and "xl/workbook.bin" in members:
        fail(report, "binary_workbook", name=name)
    if members is not None and not any(member.startswith("xl/") for member in members):
        _other_archive(members, name, report)
    if suffix in (".xlsx", ".xlsm") or (kind == "zip" and suffix not in (".csv", ".txt", ".tsv")):
        if kind != "zip":
            if kind is None and not looks_binary(data):
                fail(report, "text_named_workbook", name=name)
            fail(report, "unreadable", kind="XLSX", reason="it is not a ZIP-based Excel workbook")
        return read_xlsx(data, report, sheet, header_score, limits, clock)
    if suffix == ".parquet" or kind == "parquet":
        return read_parquet(data, report, header_score, limits, clock)
    if suffix == ".xls" or kind == "ole":
        fail(report, "old_excel")
    if kind == "zip":
        fail(report, "renamed_workbook", name=name)
    if kind is not None:
        fail(report, "binary_file", kind=kind)
    if suffix in (".json", ".jsonl", ".ndjson") or (suffix in _TEXT_SUFFIXES and _is_json(data)):
        return read_json(data, report, header_score, limits, clock)
    if suffix not in _TEXT_SUFFIXES:
        fail(report, "unsupported_format", suffix=suffix)
    return read_delimited(data, report, header_score, limits, clock)


def _is_json(data: bytes) -> bool:
    """True for a JSON array or object, or JSON lines (an object on the first line), in UTF-8."""
    start = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if start[:1] not in (b"[", b"{"):
        return False
    first = data.split(b"\n", 1)[0]
    for candidate in (data, first) if len(data) <= 4 * 2**20 else (first,):  # parsed whole only when small
        try:
            json.loads(candidate.decode("utf-8-sig"))
            return True
        except (ValueError, UnicodeDecodeError):
            continue
    return False


def _too_large(report: ValidationReport, size: int, limits: ReadLimits) -> None:
    fail(report, "file_too_large", size=megabytes(size), limit=megabytes(limits.max_bytes))


def _sniff_binary_kind(data: bytes) -> str | None:
    head = data[:8]
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"
    for magic, kind in (
        (b"%PDF", "PDF document"),
        (b"\x89PNG", "PNG image"),
        (b"\xff\xd8\xff", "JPEG image"),
        (b"\x1f\x8b", "gzip archive"),
        (b"\xfd7zXZ", "xz archive"),
        (b"7z\xbc\xaf", "7-Zip archive"),
        (b"Rar!", "RAR archive"),
        (b"SQLite format", "SQLite database"),
        (b"\x7fELF", "program"),
    ):
        if data.startswith(magic):
            return kind
    if looks_binary(data):
        return "unknown binary data"
    return None


def _zip_members(data: bytes) -> list[str] | None:
    """The names in the ZIP archive ``data``; None when its directory cannot be read (a damaged
    workbook, reported as such by the workbook reader)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.namelist()
    except ZIP_ERRORS:
        return None


def _other_archive(members: list[str], name: str, report: ValidationReport) -> None:
    """Refuse a ZIP archive that holds no Excel workbook: an OpenDocument or Numbers spreadsheet, a
    Word document, or a packed folder of files (named, so the user knows what to unpack)."""
    if "mimetype" in members and "content.xml" in members:
        fail(report, "opendocument", name=name)
    if any(member.startswith("word/") for member in members):
        fail(report, "binary_file", kind="Word document (.docx)")
    if "Index/Document.iwa" in members or any(member.endswith(".iwa") for member in members[:50]):
        fail(report, "apple_numbers", name=name)
    files = [member for member in members if not member.endswith("/")]
    shown = ", ".join(files[:5]) + (" …" if len(files) > 5 else "")
    fail(report, "zip_archive", name=name, count=len(files), members=shown or "-")
