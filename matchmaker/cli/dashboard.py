"""``matchmaker dashboard [streamlit options]``: starts the dashboard, from a source checkout or an
installed wheel; every option after the command goes to Streamlit."""

from __future__ import annotations

import sys
from pathlib import Path


def add_dashboard(commands) -> None:
    commands.add_parser(
        "dashboard",
        help="start the dashboard; any further options go to Streamlit (e.g. --server.port 8502)",
        add_help=False,
    )


def dashboard_command(options: list[str]) -> list[str]:
    """The Streamlit command line of the dashboard (through :mod:`matchmaker.ui.server`, which imports
    the pages' modules while the server starts): the packaged app, the packaged settings
    (``matchmaker/ui/streamlit_config.toml``) as flags, then ``options`` (which win)."""
    import tomllib

    ui = Path(__file__).resolve().parent.parent / "ui"
    settings = tomllib.loads((ui / "streamlit_config.toml").read_text(encoding="utf-8"))
    flags = [
        f"--{section}.{key}={str(value).lower() if isinstance(value, bool) else value}"
        for section, values in settings.items()
        for key, value in values.items()
    ]
    return [sys.executable, "-m", "matchmaker.ui.server", "run", str(ui / "app.py"), *flags, *options]


def dashboard(args) -> int:
    import subprocess

    command = dashboard_command(args.streamlit_options)
    try:
        return subprocess.call(command)
    except KeyboardInterrupt:
        return 0
