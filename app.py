"""Source-tree entry of the dashboard: `streamlit run app.py` (the installed one: `matchmaker dashboard`)."""

import runpy
from pathlib import Path

runpy.run_path(str(Path(__file__).resolve().parent / "matchmaker" / "ui" / "app.py"), run_name="__main__")
