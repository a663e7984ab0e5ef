"""A file of texts, one per line (``matchmaker embed TEXTS.txt``): line i is text i, whatever wrote it.

Lines end at CR LF, LF or CR only. ``str.splitlines`` also ends a line at form feed, the file,
group and record separators, NEL (U+0085) and the Unicode line and paragraph separators (U+2028,
U+2029), all of which occur inside texts pasted from PDFs and web pages; it would give more rows
than the file has lines, and every row after the first such character would belong to another line.

The bytes are decoded as a profiles file is (:func:`matchmaker.io.encodings.decode`: UTF-8 with or
without BOM, UTF-16 and UTF-32, GB18030, Windows-1252), within the read limits' size and row count.
"""

from __future__ import annotations

import re
from pathlib import Path

from matchmaker.io.encodings import decode, looks_binary
from matchmaker.io.limits import ReadLimits
from matchmaker.io.raw import fail
from matchmaker.io.readers import read_file_bytes
from matchmaker.io.report import ValidationReport

_LINE_END = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """``text`` cut at CR LF, LF and CR only; a line break at the very end starts no line.

    >>> split_lines("a\\u2028b\\r\\n\\nc\\r")
    ['a\\u2028b', '', 'c']
    """
    lines = _LINE_END.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def read_text_lines(path: Path | str, limits: ReadLimits | None = None) -> list[str]:
    """The lines of the text file ``path`` (see the module docstring). Raises
    :class:`~matchmaker.errors.ProfileFileError` with a report (what is wrong and how to fix it) for
    a missing or unreadable file, a folder, device or pipe, binary data, bytes no encoding explains,
    or a file beyond ``limits.max_bytes`` or ``limits.max_rows`` lines."""
    limits = limits or ReadLimits()
    path = Path(path)
    report = ValidationReport(source=str(path))
    data = read_file_bytes(path, report, limits)
    if data in (b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        return []
    if looks_binary(data):
        fail(report, "texts_binary")
    lines = split_lines(decode(data, report))
    if len(lines) > limits.max_rows:
        fail(report, "texts_too_many_lines", found=f"{len(lines):,}", limit=f"{limits.max_rows:,}")
    return lines
