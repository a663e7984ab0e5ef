"""Parquet files, read within the limits: the footer's counts are checked before any data is read,
row groups are read one at a time, and text columns stay dictionary-encoded until their decoded size
is known (a dictionary of one 10 MB value referenced by a million rows is 10 TB of text).

Values become the text their writer meant (:mod:`matchmaker.io.values`): lists are joined with
``; `` (so a ``focus_areas`` list keeps every area), records read ``key: value``, bytes as UTF-8 text;
bytes that are not text are an error naming the cell.
"""

from __future__ import annotations

from matchmaker.io.limits import Clock, ReadLimits, megabytes
from matchmaker.io.raw import CellNotes, HeaderScore, RawTable, fail, table_from_rows
from matchmaker.io.report import ValidationReport
from matchmaker.io.values import BinaryCell, cell_text


def read_parquet(
    data: bytes, report: ValidationReport, header_score: HeaderScore, limits: ReadLimits, clock: Clock
) -> RawTable:
    """The table in the Parquet file ``data``; the header is its column names (row 1)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        probe = pq.ParquetFile(pa.BufferReader(data))
        schema = probe.schema_arrow
        metadata = probe.metadata
        text_columns = [f.name for f in schema if pa.types.is_string(f.type) or pa.types.is_binary(f.type)]
        parquet = pq.ParquetFile(pa.BufferReader(data), read_dictionary=text_columns)
    except Exception as exc:  # pyarrow raises several kinds for a broken file
        fail(report, "unreadable", kind="Parquet", reason=f"{type(exc).__name__}: {exc}")
    header = [str(name) for name in schema.names]
    rows, width = metadata.num_rows, len(header)
    if width > limits.max_columns:
        fail(report, "too_many_columns", found=f"{width:,}", limit=f"{limits.max_columns:,}")
    if rows > limits.max_rows:  # the schema is the header: every row is a company
        fail(report, "too_many_rows", row=f"{rows + 1:,}", limit=f"{limits.max_rows:,}")
    if rows * width > limits.max_cells:
        fail(report, "too_many_cells", row=f"{rows + 1:,}", limit=f"{limits.max_cells:,}")
    stored = sum(
        metadata.row_group(g).column(c).total_uncompressed_size
        for g in range(metadata.num_row_groups)
        for c in range(metadata.num_columns)
    )
    _check_unpacked(stored, len(data), report, limits)
    notes = CellNotes()
    numbered: list[tuple[int, list[str]]] = [(1, header)]
    decoded = 0
    for group in range(metadata.num_row_groups):
        try:
            table = parquet.read_row_group(group)
            decoded += sum(_text_size(column) for column in table.columns)
            _check_unpacked(decoded, len(data), report, limits)
            columns = [column.to_pylist() for column in table.columns]
        except Exception as exc:
            from matchmaker.errors import ProfileFileError

            if isinstance(exc, ProfileFileError):
                raise
            fail(report, "unreadable", kind="Parquet", reason=f"row group {group + 1}: {type(exc).__name__}: {exc}")
        start = len(numbered) + 1
        for offset, values in enumerate(zip(*columns)):
            number = start + offset
            if clock.over():
                fail(report, "time_limit", row=f"{number:,}", limit=f"{limits.max_seconds:g}")
            numbered.append((number, _texts(values, number, header, notes, report)))
    return table_from_rows(numbered, report, header_score, header_found=True, notes=notes)


def _texts(values: tuple, number: int, header: list[str], notes: CellNotes, report: ValidationReport) -> list[str]:
    texts = []
    for index, value in enumerate(values):
        if value is None or isinstance(value, str):
            texts.append(value or "")
            continue
        try:
            text, note = cell_text(value)
        except BinaryCell:
            report.add("error", "binary_cell", rows=(number,), column=header[index])
            text, note = "", None
        if note:
            notes.add(note, index, number, text)
        texts.append(text)
    return texts


def _text_size(column) -> int:
    """Bytes the text of ``column`` (a chunked array) takes once decoded; 0 for other types."""
    import pyarrow as pa
    import pyarrow.compute as pc

    size = 0
    for chunk in column.chunks:
        if isinstance(chunk, pa.DictionaryArray):
            lengths = pc.binary_length(chunk.dictionary).take(chunk.indices)
        elif pa.types.is_string(chunk.type) or pa.types.is_binary(chunk.type):
            lengths = pc.binary_length(chunk)
        else:
            continue
        size += pc.sum(lengths).as_py() or 0
    return size


def _check_unpacked(size: int, packed: int, report: ValidationReport, limits: ReadLimits) -> None:
    if size > limits.max_unpacked_bytes:
        fail(
            report,
            "unpacked_too_large",
            size=megabytes(size),
            packed=megabytes(packed),
            limit=megabytes(limits.max_unpacked_bytes),
        )
