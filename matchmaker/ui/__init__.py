"""The Streamlit dashboard: the only code that imports streamlit. Pages render; the package computes."""
