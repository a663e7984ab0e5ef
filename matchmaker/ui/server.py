"""The dashboard's server process: Streamlit's own command line, with a warm-up thread beside it.

Streamlit imports a page's modules when the first reader connects, so the first page after a start
waited for SciPy, pandas, Altair, pypinyin's dictionaries and this package (about 1.5 s of its
first script run on 2 cores, twice that under load). :func:`main` starts a thread that
imports them while the server starts and the browser loads Streamlit's scripts; the first script run
then finds them imported. Python's import locks keep a module from being imported twice, so a reader
who connects before the thread is done waits for the same import instead of doing it again.

    python -m matchmaker.ui.server run matchmaker/ui/app.py [streamlit options]

is what ``matchmaker dashboard`` runs (:func:`matchmaker.cli.dashboard_command`).
"""

from __future__ import annotations

import importlib
import sys
import threading

# what the pages import, heaviest first; the page script itself (matchmaker.ui.app) is not imported
# here: importing it would draw a page outside a session
WARM_MODULES = (
    "pandas",
    "altair",
    "matchmaker.ui.finder",
    "matchmaker.ui.portfolio",
    "matchmaker.ui.shortlist_page",
    "matchmaker.ui.introductions_page",
    "matchmaker.ui.data_page",
    "matchmaker.ui.account",
    "matchmaker.ui.chrome",
    "alembic.command",  # the database's migration check at its first opening
    "alembic.runtime.migration",
    "alembic.script",
)


def warm_up() -> None:
    """Import what the first page needs and load the pinyin dictionaries the name sorting uses."""
    for name in WARM_MODULES:
        importlib.import_module(name)
    from matchmaker.text import collation_key

    collation_key("佛山", "zh")


def main(argv: list[str] | None = None) -> None:
    """Start :func:`warm_up` in a daemon thread, then Streamlit's command line with ``argv``. A failed
    warm-up prints its traceback to the server's log and changes nothing else: the page that needs
    the module imports it again and shows the error in the reader's session."""
    threading.Thread(target=warm_up, name="matchmaker-warm-up", daemon=True).start()
    from streamlit.web import cli

    sys.argv = ["streamlit", *(sys.argv[1:] if argv is None else argv)]
    cli.main()


if __name__ == "__main__":
    main()
