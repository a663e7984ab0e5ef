"""The file system at the edges: what a path is before it is opened, and operating-system errors as
errors of our own (:class:`~matchmaker.errors.FileAccessError`) that name the path and the fix.

A profiles path is inspected with ``os.stat`` before anything opens it, so a folder, a device or a
named pipe is reported as what it is (opening a pipe would wait for a writer for ever).
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from matchmaker.errors import FileAccessError

PathKind = Literal["file", "missing", "folder", "device", "pipe", "socket", "other", "unreadable"]


def path_kind(path: Path) -> PathKind:
    """What ``path`` is, without opening it. ``"unreadable"``: a folder on the way may not be entered."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "missing"
    except NotADirectoryError:
        return "missing"  # a part of the path is a file: nothing is there
    except PermissionError:
        return "unreadable"
    except OSError:
        return "other"
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    if stat.S_ISFIFO(mode):
        return "pipe"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "other"


def os_error_reason(exc: OSError) -> str:
    """The cause of ``exc`` in words and what to do about it (one sentence each)."""
    code = exc.errno
    if isinstance(exc, PermissionError) or code in (errno.EACCES, errno.EPERM):
        return "permission denied. Ask for access, or choose a file or folder you may use"
    if isinstance(exc, IsADirectoryError):
        return "it is a folder, not a file. Give the name of a file (e.g. inside that folder)"
    if isinstance(exc, NotADirectoryError | FileExistsError):  # FileExistsError: mkdir met a file on the way
        return "a part of the path is a file, not a folder. Check the path"
    if isinstance(exc, FileNotFoundError):
        return "the folder or file does not exist. Check the path"
    if code == errno.ENOSPC:
        return "the disk is full. Free some space or choose another disk"
    if code == errno.EROFS:
        return "the file system is read-only. Choose a folder on a writable disk"
    if code == errno.ENAMETOOLONG:
        return "the name is too long. Choose a shorter file name"
    return f"{exc.strerror or exc}. Check the path and the disk"


@contextmanager
def writing(path: Path | str, what: str = "the output file") -> Iterator[Path]:
    """Create the folders of ``path`` and run the body that writes it; any OS error becomes a
    :class:`FileAccessError` naming ``path``.

    >>> with writing("out/recs.csv") as target:
    ...     table.to_csv(target)
    """
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        yield target
    except OSError as exc:
        raise FileAccessError(f"Cannot write {what} {target}: {os_error_reason(exc)}.") from exc


def read_bytes(path: Path | str, what: str = "the file") -> bytes:
    """The bytes of a regular file; :class:`FileAccessError` for anything else (with the reason)."""
    target = Path(path)
    kind = path_kind(target)
    if kind == "missing":
        raise FileAccessError(f"{what[:1].upper()}{what[1:]} {target} does not exist. Check the path and the name.")
    if kind not in ("file", "unreadable"):
        raise FileAccessError(f"{target} is a {kind}, not a file. Give the path of {what}.")
    try:
        return target.read_bytes()
    except OSError as exc:
        raise FileAccessError(f"Cannot read {what} {target}: {os_error_reason(exc)}.") from exc
