"""ISA Matchmaker dashboard: page set-up, sign-in and navigation only. Run: ./dev.sh dashboard"""

import streamlit as st

from matchmaker.errors import ParameterError
from matchmaker.ui import (
    account,
    alliance,
    chrome,
    data_page,
    finder,
    introductions_page,
    portfolio,
    shortlist_page,
    state,
)
from matchmaker.ui.common import plain, tr
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

try:
    alliance.mode()
except ParameterError as exc:  # a misconfigured server: say so, show nothing else
    st.error(plain(exc))
    st.stop()
who = alliance.actor()
if who is None:  # a shared server: nothing but the sign-in form until signed in
    account.sign_in_page()
    st.stop()

account.sidebar(who, state.language())
if who.local:
    st.sidebar.text_input(tr("your_name"), key=state.AUTHOR, max_chars=120)
else:  # notes and outcomes carry the signed-in login
    st.session_state[state.AUTHOR] = who.login

pages = {
    "finder": st.Page(
        finder.render, title=tr("page_finder"), icon=":material/search:", url_path="finder", default=True
    ),
    "portfolio": st.Page(portfolio.render, title=tr("page_portfolio"), icon=":material/map:", url_path="portfolio"),
    "shortlist": st.Page(
        shortlist_page.render, title=tr("page_shortlist"), icon=":material/checklist:", url_path="shortlist"
    ),
    "introductions": st.Page(
        introductions_page.render,
        title=introductions_page.title(),
        icon=":material/handshake:",
        url_path="introductions",
    ),
    "data": st.Page(data_page.render, title=tr("page_data"), icon=":material/upload_file:", url_path="data"),
}
st.session_state["pages"] = pages
fictional = "\n\n" + tr("fictional") if alliance.demo_in_use() else ""  # a sentence of its own below the title
st.sidebar.caption(tr("subtitle") + fictional)
st.navigation(list(pages.values())).run()
