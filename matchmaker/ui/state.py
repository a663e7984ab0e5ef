"""Every ``st.session_state`` key the dashboard uses, in one place, with typed accessors."""

from __future__ import annotations

import streamlit as st

from matchmaker.vocab import LANGUAGES, Language

LANGUAGE = "ui_language"
COMPANY = "finder_company"  # id of the company the finder shows
COMPANY_WIDGET = "finder_company_choice_"  # + language: the chooser's labels are in the reader's script
SHORTLIST_ID = "shortlist_id"  # id of the saved shortlist in use (database), or absent
AUTHOR = "author_name"  # the user's name, saved with notes and outcomes
SESSION_TOKEN = "platform_session"  # shared mode: the signed-in session's token (never in the URL)
SIGN_IN_PROBLEM = "platform_sign_in_problem"  # why the last session ended: {"reason": ..., "until": ...}
IMPORT_AGENCY = "data_import_agency"  # local mode: the agency an upload is imported as
IMPORTED = "data_imported"  # {file digest: ImportResult} of this session's uploads, so a rerun imports nothing
WEIGHTS_FILE = "weights_file"  # path of the weights file the sliders start from
WEIGHT_PREFIX = "weight_"  # one slider per component: weight_semantic, ...
CARD_PREFIX = "card_"  # + source id + "_" + target id: whether that suggestion's card is open
THRESHOLD = "portfolio_threshold"
# what belongs to one user and is dropped at sign-out, so the next user of the browser starts afresh
PER_USER = (SHORTLIST_ID, COMPANY, IMPORTED, IMPORT_AGENCY)


def language() -> Language:
    """The interface language: the URL's ``?lang=`` if valid, else German."""
    if LANGUAGE not in st.session_state:
        from_url = st.query_params.get("lang", "de")
        st.session_state[LANGUAGE] = from_url if from_url in LANGUAGES else "de"
    return st.session_state[LANGUAGE]


def remember_language() -> None:
    """Write the chosen language into the URL, so a shared link opens in the same language."""
    st.query_params["lang"] = st.session_state[LANGUAGE]


def author() -> str:
    return str(st.session_state.get(AUTHOR) or "").strip()
