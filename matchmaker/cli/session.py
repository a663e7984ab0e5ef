"""The database a command works on and who acts: ``--as LOGIN`` signs in with the password read from
standard input; without it, the single-user local mode."""

from __future__ import annotations

import logging
import sys

from matchmaker import config as C
from matchmaker.errors import MatchmakerError

log = logging.getLogger("matchmaker")


def database_url(args) -> str:
    """``--database``, else the environment's database (MATCHMAKER_DATABASE_URL or the user's SQLite file)."""
    return args.database or C.Environment.read().database_url


def read_secret(what: str) -> str:
    """One line of standard input (a password); asked for without echo on a terminal."""
    if sys.stdin.isatty():
        import getpass

        return getpass.getpass(f"{what}: ")
    line = sys.stdin.readline()
    if not line:
        raise MatchmakerError(f"Expected {what} on standard input (one line). Got nothing; e.g. pipe it in.")
    return line.rstrip("\r\n")


def open_platform(args):
    """The migrated database and who acts: ``--as LOGIN`` signs in (password from standard input);
    otherwise the single-user local mode. Opened once per command (kept on ``args``)."""
    from matchmaker.store.accounts import Accounts, AccountSettings
    from matchmaker.store.database import open_database
    from matchmaker.store.permissions import Actor

    if getattr(args, "_platform", None) is not None:
        return args._platform
    engine = open_database(database_url(args))
    environment = C.Environment.read()
    login = getattr(args, "as_login", None)
    if login:
        settings = AccountSettings(environment.session_hours, environment.max_failed_sign_ins, environment.lock_minutes)
        accounts = Accounts(engine, settings)
        signed = accounts.sign_in(login, read_secret(f"the password of {login}"))
        accounts.sign_out(signed.token)  # one command, one use
        actor = signed.actor
    else:
        actor = Actor.local_mode()
    log.info("acting as %s", actor.label())
    args._platform = (engine, actor)
    return args._platform
