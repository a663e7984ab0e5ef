"""City portfolio: one agency's companies against partner cities, on a map, by focus area."""

from __future__ import annotations

import altair as alt
import pandas as pd
import pydeck as pdk
import streamlit as st

from matchmaker import vocab as V
from matchmaker.knowledge.taxonomy import load_taxonomy
from matchmaker.ui import state
from matchmaker.ui.common import label, matcher, tr
from matchmaker.ui.resources import content_key


@st.cache_data(show_spinner=False)
def top_suggestions(_matcher, key: str, k: int = 30) -> pd.DataFrame:
    """Each company's top ``k`` suggestions with the cities of both sides, ranked once per data set
    (``key``); the threshold slider only filters this table."""
    table = _matcher.recommend_all(k=k)
    profiles = _matcher.fitted_.profiles.set_index(V.ID)
    table = table.assign(
        source_city=table[V.SOURCE_ID].map(profiles[V.CITY_KEY]),
        target_city=table[V.TARGET_ID].map(profiles[V.CITY_KEY]),
        source_country=table[V.SOURCE_ID].map(profiles[V.COUNTRY]),
    )
    return table


def render() -> None:
    current = matcher()
    taxonomy = load_taxonomy()
    st.title(tr("page_portfolio"))
    threshold = st.slider(tr("threshold"), 0.0, 1.0, 0.45, 0.01, key=state.THRESHOLD)
    upload = state.upload()
    suggestions = top_suggestions(current, content_key(upload[1] if upload else None))
    matches = suggestions[suggestions[V.SCORE] >= threshold]
    profiles = current.fitted_.profiles.set_index(V.ID)
    cities = sorted({c for c in current.fitted_.profiles[V.CITY_KEY] if c}, key=lambda c: label("city", c))
    city = st.selectbox(tr("portfolio_city"), cities, format_func=lambda c: label("city", c), key="portfolio_city")
    own = matches[matches["source_city"] == city]
    st.write(tr("portfolio_intro", threshold=f"{threshold:.2f}", city=label("city", city)))
    st.metric(tr("page_portfolio"), tr("portfolio_counts", companies=own[V.SOURCE_ID].nunique(), matches=len(own)))

    if not own.empty:
        grid = own.assign(
            company=own[V.SOURCE_ID].map(profiles[V.NAME]),
            partner_city=own["target_city"].map(lambda c: label("city", c) if c else "—"),
        )
        st.subheader(tr("portfolio_matrix"))
        heat = (
            alt.Chart(grid)
            .mark_rect()
            .encode(
                x=alt.X("partner_city:N", title=None),
                y=alt.Y("company:N", title=None),
                color=alt.Color("count():Q", title="n"),
                tooltip=["company", "partner_city", "count()"],
            )
        )
        text = heat.mark_text(baseline="middle").encode(text="count():Q", color=alt.value("black"))
        st.altair_chart(heat + text, width="stretch")
        chosen = st.selectbox(
            tr("portfolio_open"),
            sorted(own[V.SOURCE_ID].unique()),
            format_func=lambda i: profiles.loc[i][V.NAME],
            key="portfolio_company",
        )
        if st.button(tr("page_finder"), key="portfolio_go"):
            st.session_state[state.COMPANY] = chosen
            st.switch_page(st.session_state["pages"]["finder"])

    st.subheader(tr("portfolio_map"))
    coordinates = taxonomy.cities.set_index("key")[["lat", "lon"]]
    links = matches[(matches["source_country"] == "DE") & matches["source_city"].ne("") & matches["target_city"].ne("")]
    links = links.groupby(["source_city", "target_city"]).size().reset_index(name="count")
    links = links.join(coordinates, on="source_city").join(coordinates, on="target_city", rsuffix="_target")
    points = taxonomy.cities.assign(
        name=taxonomy.cities["key"].map(lambda c: label("city", c)),
        colour=taxonomy.cities["country"].map({"DE": [30, 80, 160], "CN": [200, 30, 30]}),
    )
    deck = pdk.Deck(
        map_style=None,
        initial_view_state=pdk.ViewState(latitude=40, longitude=60, zoom=1.3),
        layers=[
            pdk.Layer(
                "ArcLayer",
                links,
                get_source_position=["lon", "lat"],
                get_target_position=["lon_target", "lat_target"],
                get_width="count",
                get_source_color=[30, 80, 160],
                get_target_color=[200, 30, 30],
                pickable=True,
            ),
            pdk.Layer(
                "ScatterplotLayer",
                points,
                get_position=["lon", "lat"],
                get_fill_color="colour",
                get_radius=60000,
                pickable=True,
            ),
        ],
        tooltip={"text": "{name}"},
    )
    st.pydeck_chart(deck, key="portfolio_map")

    st.subheader(tr("portfolio_heatmap"))
    de_matches = matches[matches["source_country"] == "DE"]
    pairs = [
        (label("focus", a), label("focus", b))
        for s, t in zip(de_matches[V.SOURCE_ID], de_matches[V.TARGET_ID])
        for a in profiles.loc[s][V.FOCUS_KEYS]
        for b in profiles.loc[t][V.FOCUS_KEYS]
    ]
    if pairs:
        focus = pd.DataFrame(pairs, columns=["german", "chinese"])
        chart = (
            alt.Chart(focus)
            .mark_rect()
            .encode(
                x=alt.X("chinese:N", title=None),
                y=alt.Y("german:N", title=None),
                color=alt.Color("count():Q", title="n"),
                tooltip=["german", "chinese", "count()"],
            )
        )
        st.altair_chart(chart, width="stretch")
