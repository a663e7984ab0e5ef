"""City portfolio: good matches between German and Chinese member cities (a matrix whose cells open
the pairs behind them), the chosen city's links on an offline map, and focus areas."""

from __future__ import annotations

import base64
import json
from functools import lru_cache

import altair as alt
import pandas as pd
import pydeck as pdk
import streamlit as st

from matchmaker import config as C
from matchmaker import vocab as V
from matchmaker.exports.portfolio import CN_CITY, DE_CITY, MATCHES, city_links, city_matrix, good_pairs, pairs_between
from matchmaker.knowledge.taxonomy import load_taxonomy
from matchmaker.ui import state
from matchmaker.ui.common import company_name, data_key, label, matcher, md, sorted_ids, sorted_keys, tr

# A map style with a plain background and no sources, inline as a data: URL (the page reads it
# without a request). Without a style Streamlit fetches map tiles from a CDN; the country outlines
# come from the shipped base map instead.
OFFLINE_STYLE = "data:application/json;base64," + base64.b64encode(
    json.dumps(
        {
            "version": 8,
            "sources": {},
            "layers": [{"id": "background", "type": "background", "paint": {"background-color": "#f3f6f9"}}],
        }
    ).encode()
).decode("ascii")
GERMAN_BLUE, CHINESE_RED, CHOSEN, FADED = [30, 80, 160], [200, 30, 30], [240, 140, 0], [120, 120, 140]


@st.cache_data(show_spinner=False, max_entries=8)
def top_suggestions(_matcher, key: str, k: int = 30) -> pd.DataFrame:
    """Each company's top ``k`` suggestions, ranked once per data set (``key``); the threshold
    slider only filters this table."""
    return _matcher.recommend_all(k=k)


@lru_cache(maxsize=1)
def base_map() -> dict:
    """Country outlines (Natural Earth, public domain) shipped with the product: no map tiles."""
    return json.loads(C.BASEMAP.read_text(encoding="utf-8"))


def matrix_chart(matrix: pd.DataFrame) -> alt.Chart:
    cells = matrix.assign(
        german=matrix[DE_CITY].map(lambda c: label("city", c)), chinese=matrix[CN_CITY].map(lambda c: label("city", c))
    )
    pick = alt.selection_point(name="cell", fields=["german", "chinese"])
    rows = [label("city", c) for c in sorted_keys(set(matrix[DE_CITY]), "city")]
    columns = [label("city", c) for c in sorted_keys(set(matrix[CN_CITY]), "city")]
    heat = (
        alt.Chart(cells)
        .mark_rect()
        .encode(
            x=alt.X(
                "chinese:N",
                sort=columns,
                title=tr("chinese_city"),
                axis=alt.Axis(labelAngle=-45, labelLimit=200, labelOverlap=False),
            ),
            y=alt.Y("german:N", sort=rows, title=tr("german_city"), axis=alt.Axis(labelLimit=200, labelOverlap=False)),
            color=alt.Color(f"{MATCHES}:Q", title=tr("matches"), legend=alt.Legend(format="d", tickMinStep=1)),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.35)),
            tooltip=[
                alt.Tooltip("german:N", title=tr("german_city")),
                alt.Tooltip("chinese:N", title=tr("chinese_city")),
                alt.Tooltip(f"{MATCHES}:Q", title=tr("matches"), format="d"),
            ],
        )
        .add_params(pick)
    )
    text = (
        alt.Chart(cells)
        .mark_text(baseline="middle", fontSize=11)
        .encode(x=alt.X("chinese:N", sort=columns), y=alt.Y("german:N", sort=rows), text=f"{MATCHES}:Q")
    )
    return (heat + text).properties(height=max(160, 26 * len(rows)))


def chosen_cell(event, matrix: pd.DataFrame) -> tuple[str, str] | None:
    """The (German city, Chinese city) keys of the clicked cell, if any."""
    picked = (getattr(event, "selection", None) or {}).get("cell") or []
    if not picked:
        return None
    labels = {(label("city", a), label("city", b)): (a, b) for a, b in zip(matrix[DE_CITY], matrix[CN_CITY])}
    return labels.get((picked[0].get("german"), picked[0].get("chinese")))


def pairs_table(pairs: pd.DataFrame, profiles: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            tr("german_company"): [company_name(profiles.loc[i]) for i in pairs[V.DE_ID]],
            tr("chinese_company"): [company_name(profiles.loc[i]) for i in pairs[V.CN_ID]],
            tr("score"): pairs[V.SCORE].round(3),
        }
    )


def city_map(matrix: pd.DataFrame, city: str | None) -> pdk.Deck:
    taxonomy = load_taxonomy()
    coordinates = taxonomy.cities.set_index("key")[["lat", "lon"]]
    links = city_links(matrix, city).join(coordinates, on=DE_CITY).join(coordinates, on=CN_CITY, rsuffix="_cn")
    widest = max(int(links[MATCHES].max()) if not links.empty else 1, 1)
    links = links.assign(
        width=1 + 7 * links[MATCHES] / widest,
        colour=[CHOSEN if chosen else FADED + [45] for chosen in links["chosen"]],
        tooltip=[
            tr("map_link", de=label("city", a), cn=label("city", b), n=int(n))
            for a, b, n in zip(links[DE_CITY], links[CN_CITY], links[MATCHES])
        ],
    )
    per_city = pd.concat([matrix.groupby(DE_CITY)[MATCHES].sum(), matrix.groupby(CN_CITY)[MATCHES].sum()]).to_dict()
    points = taxonomy.cities.assign(
        tooltip=[tr("map_city", city=label("city", c), n=int(per_city.get(c, 0))) for c in taxonomy.cities["key"]],
        colour=[
            CHOSEN if c == city else GERMAN_BLUE if country == "DE" else CHINESE_RED
            for c, country in zip(taxonomy.cities["key"], taxonomy.cities["country"])
        ],
        radius=[90_000 if c == city else 50_000 for c in taxonomy.cities["key"]],
    )
    return pdk.Deck(
        map_provider=None,
        map_style=OFFLINE_STYLE,
        initial_view_state=pdk.ViewState(latitude=42, longitude=62, zoom=1.6),
        layers=[
            pdk.Layer(
                "GeoJsonLayer",
                base_map(),
                stroked=True,
                filled=True,
                get_fill_color=[236, 236, 230],
                get_line_color=[170, 170, 170],
                line_width_min_pixels=0.5,
            ),
            pdk.Layer(
                "ArcLayer",
                links,
                get_source_position=["lon", "lat"],
                get_target_position=["lon_cn", "lat_cn"],
                get_width="width",
                get_source_color="colour",
                get_target_color="colour",
                get_height=0.35,
                pickable=True,
            ),
            pdk.Layer(
                "ScatterplotLayer",
                points,
                get_position=["lon", "lat"],
                get_fill_color="colour",
                get_radius="radius",
                pickable=True,
            ),
        ],
        tooltip={"text": "{tooltip}"},
    )


def focus_chart(pairs: pd.DataFrame, profiles: pd.DataFrame) -> alt.Chart | None:
    rows = [
        (label("focus", a), label("focus", b))
        for de, cn in zip(pairs[V.DE_ID], pairs[V.CN_ID])
        for a in profiles.loc[de][V.FOCUS_KEYS]
        for b in profiles.loc[cn][V.FOCUS_KEYS]
        if a != "other" and b != "other"
    ]
    if not rows:
        return None
    focus = pd.DataFrame(rows, columns=["german", "chinese"]).value_counts().rename(MATCHES).reset_index()
    return (
        alt.Chart(focus)
        .mark_rect()
        .encode(
            x=alt.X(
                "chinese:N",
                title=tr("focus_chinese"),
                axis=alt.Axis(labelAngle=-45, labelLimit=220, labelOverlap=False),
            ),
            y=alt.Y("german:N", title=tr("focus_german"), axis=alt.Axis(labelLimit=220, labelOverlap=False)),
            color=alt.Color(f"{MATCHES}:Q", title=tr("matches"), legend=alt.Legend(format="d", tickMinStep=1)),
            tooltip=[
                alt.Tooltip("german:N", title=tr("focus_german")),
                alt.Tooltip("chinese:N", title=tr("focus_chinese")),
                alt.Tooltip(f"{MATCHES}:Q", title=tr("matches"), format="d"),
            ],
        )
    )


def render() -> None:
    current = matcher()
    st.title(tr("page_portfolio"))
    threshold = st.slider(tr("threshold"), 0.0, 1.0, 0.45, 0.01, key=state.THRESHOLD)
    table = current.fitted_.profiles
    profiles = table.set_index(V.ID, drop=False)
    pairs = good_pairs(top_suggestions(current, data_key()), table, threshold)
    matrix = city_matrix(pairs)

    st.subheader(tr("portfolio_city_matrix"))
    if matrix.empty:
        st.info(tr("portfolio_no_matches"))
    else:
        st.caption(
            tr("portfolio_summary", pairs=int(matrix[MATCHES].sum()), cities=len(matrix))
            + " "
            + tr("portfolio_matrix_help")
        )
        event = st.altair_chart(
            matrix_chart(matrix), width="stretch", on_select="rerun", selection_mode="cell", key="portfolio_matrix"
        )
        cell = chosen_cell(event, matrix)
        if cell:
            st.markdown("**" + md("portfolio_cell_pairs", de=label("city", cell[0]), cn=label("city", cell[1])) + "**")
            st.dataframe(pairs_table(pairs_between(pairs, *cell), profiles), hide_index=True, width="stretch")

    st.subheader(tr("portfolio_map"))
    cities = sorted_keys({c for c in table[V.CITY_KEY] if c}, "city")
    city = st.selectbox(tr("portfolio_city"), cities, format_func=lambda c: label("city", c), key="portfolio_city")
    st.write(tr("portfolio_intro", threshold=f"{threshold:.2f}", city=label("city", city)))
    own = table[table[V.CITY_KEY] == city]
    own_pairs = pairs[pairs[DE_CITY].eq(city) | pairs[CN_CITY].eq(city)]
    st.metric(tr("page_portfolio"), tr("portfolio_counts", companies=len(own), matches=len(own_pairs)))
    st.pydeck_chart(city_map(matrix, city), key="portfolio_map")
    st.caption(tr("map_caption"))
    if not own.empty:
        chosen = st.selectbox(
            tr("portfolio_open"),
            sorted_ids(own),
            format_func=lambda i: company_name(profiles.loc[i]),
            key="portfolio_company",
        )
        if st.button(tr("page_finder"), key="portfolio_go"):
            st.session_state[state.COMPANY] = chosen
            st.switch_page(st.session_state["pages"]["finder"])

    st.subheader(tr("portfolio_heatmap"))
    chart = focus_chart(pairs, profiles)
    if chart is None:
        st.info(tr("portfolio_no_matches"))
    else:
        st.altair_chart(chart, width="stretch")
