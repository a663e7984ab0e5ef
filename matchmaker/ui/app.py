"""ISA Matchmaker dashboard: page set-up and navigation only. Run: ./dev.sh dashboard"""

import streamlit as st

from matchmaker.ui import chrome, data_page, finder, portfolio, shortlist_page, state
from matchmaker.ui.common import tr
from matchmaker.vocab import LANGUAGE_NAMES, LANGUAGES

st.set_page_config(page_title="ISA Matchmaker", page_icon="🤝", layout="wide")
state.language()
st.sidebar.radio(
    "Sprache · 语言 · Language",
    LANGUAGES,
    format_func=LANGUAGE_NAMES.get,
    key=state.LANGUAGE,
    horizontal=True,
    on_change=state.remember_language,
)
state.remember_language()
with st.sidebar:
    chrome.translate_streamlit_texts(state.language())
st.sidebar.text_input(tr("your_name"), key=state.AUTHOR, max_chars=120)

pages = {
    "finder": st.Page(
        finder.render, title=tr("page_finder"), icon=":material/search:", url_path="finder", default=True
    ),
    "portfolio": st.Page(portfolio.render, title=tr("page_portfolio"), icon=":material/map:", url_path="portfolio"),
    "shortlist": st.Page(
        shortlist_page.render, title=tr("page_shortlist"), icon=":material/checklist:", url_path="shortlist"
    ),
    "data": st.Page(data_page.render, title=tr("page_data"), icon=":material/upload_file:", url_path="data"),
}
st.session_state["pages"] = pages
st.sidebar.caption(tr("subtitle") + " " + tr("fictional"))
st.navigation(list(pages.values())).run()
