"""The project's one error family. Each message says what was expected, what came, and how to fix it.

The CLI and the dashboard show a ``MatchmakerError`` cleanly; anything else is a bug and surfaces.
"""

from __future__ import annotations

import datetime as dt


class MatchmakerError(Exception):
    """Base class of every error the product raises on purpose."""


class ProfileFileError(MatchmakerError):
    """A profiles file cannot be used at all (empty, binary, undecodable, unreadable layout).

    ``report`` carries the full validation report when one was produced.
    """

    def __init__(self, message: str, report: object | None = None) -> None:
        super().__init__(message)
        self.report = report


class TaxonomyError(MatchmakerError):
    """A shipped taxonomy table is missing or malformed."""


class ModelNotAvailableError(MatchmakerError):
    """An embedding model cannot be loaded (not cached offline, wrong path, broken files)."""


class WeightsError(MatchmakerError):
    """A weights file is missing, malformed, or names unknown components."""


class NotFittedError(MatchmakerError):
    """The matcher was used before ``fit``."""


class UnknownCompanyError(MatchmakerError, KeyError):
    """A company id that is not in the fitted profiles."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class ParameterError(MatchmakerError, ValueError):
    """A parameter outside its valid range or set."""


class FileAccessError(MatchmakerError):
    """A file or folder cannot be read or written: no permission, a folder or device where a file is
    expected, a full disk, a path whose folder is missing or is itself a file."""


class DatabaseError(MatchmakerError):
    """The shortlist database cannot be opened, written or read: unreachable, read-only, of an unknown
    schema revision, corrupted, or a database of another program."""


class CorruptDatabaseError(DatabaseError):
    """The database file is damaged or is no ISA Matchmaker database; the message names the file and
    how to recover (restore the backup, or move the file aside to start a new one)."""


class ConflictError(MatchmakerError):
    """A record changed since it was read (another person saved first); nothing was overwritten."""


class NotFoundError(MatchmakerError, KeyError):
    """A shortlist, entry or outcome that does not exist (any more)."""

    def __str__(self) -> str:
        return str(self.args[0])


class LabelsError(MatchmakerError):
    """Labelled pairs that cannot be used: a missing file or column, a grade that is not a number,
    or two per-source tables that were not measured on the same labelled sources."""


class PermissionDeniedError(MatchmakerError):
    """The signed-in user may not do this (role too low, or another agency's record)."""


class AuthenticationError(MatchmakerError):
    """Sign-in refused: unknown login or wrong password, a locked account, an expired session.

    ``reason`` says which, for a caller that words it in the reader's language: ``refused`` (wrong
    login or password), ``locked`` (until ``until``, UTC), ``expired`` or ``ended`` (a session)."""

    def __init__(self, message: str, reason: str = "refused", until: dt.datetime | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.until = until
