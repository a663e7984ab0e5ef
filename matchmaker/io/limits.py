"""How much one profiles file may ask of the machine: bytes, rows, columns, cells, unpacked size, time.

A profiles table of a city alliance has thousands of companies, not millions; a file far beyond
that is a mistake or an attack (a 10 KB workbook whose one cell sits at row 1,048,576, a zip bomb).
The reader checks every limit while it reads, so it stops early with a message that says which
limit was reached, what it is, and how to split the file, instead of filling the memory.

Defaults are module constants; pass a :class:`ReadLimits` to change them (``matchmaker validate
--max-rows ...`` on the command line; the dashboard passes its upload limit).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from matchmaker.errors import ParameterError

MAX_FILE_BYTES = 200 * 2**20
MAX_ROWS = 500_000
MAX_COLUMNS = 1_000
MAX_CELLS = 20_000_000
MAX_UNPACKED_BYTES = 1_000 * 2**20
MAX_SECONDS = 300.0

# How often (in rows) the clock is read while parsing.
_CLOCK_EVERY = 2_000


@dataclass(frozen=True)
class ReadLimits:
    """Limits of one read. ``max_bytes``: the file's size; ``max_rows``: companies (non-blank rows below one header row);
    ``max_columns``: columns holding a value; ``max_cells``: rows x columns read, over all sheets;
    ``max_unpacked_bytes``: what an XLSX (a ZIP archive) or a Parquet file unpacks to;
    ``max_seconds``: wall-clock time of reading the file into a table (the checks after it take
    time in proportion to the rows and cells the other limits bound)."""

    max_bytes: int = MAX_FILE_BYTES
    max_rows: int = MAX_ROWS
    max_columns: int = MAX_COLUMNS
    max_cells: int = MAX_CELLS
    max_unpacked_bytes: int = MAX_UNPACKED_BYTES
    max_seconds: float = MAX_SECONDS

    def __post_init__(self) -> None:
        for name in ("max_bytes", "max_rows", "max_columns", "max_cells", "max_unpacked_bytes", "max_seconds"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
                raise ParameterError(f"The read limit '{name}' must be a positive number. Got {value!r} instead.")


@dataclass
class Clock:
    """The time budget of one read; :meth:`over` is cheap enough to call once per row."""

    seconds: float
    started: float = field(default_factory=time.monotonic)
    _calls: int = 0

    def over(self, force: bool = False) -> bool:
        self._calls += 1
        if not force and self._calls % _CLOCK_EVERY:
            return False
        return time.monotonic() - self.started > self.seconds

    def elapsed(self) -> float:
        return time.monotonic() - self.started


def megabytes(size: float) -> str:
    """``52,428,800`` -> ``"50 MB"`` (MiB, as file managers show them), one decimal below 10."""
    value = size / 2**20
    return f"{value:.1f} MB" if value < 10 else f"{value:,.0f} MB"
