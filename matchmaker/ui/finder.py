"""Partner finder: pick a company, see ranked partners with their score parts and reasons."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from matchmaker import config as C
from matchmaker import vocab as V
from matchmaker.errors import WeightsError
from matchmaker.exports.gist import needs_gist, profile_gist
from matchmaker.exports.reading import description_for
from matchmaker.i18n import t
from matchmaker.knowledge.taxonomy import load_taxonomy
from matchmaker.scoring.explain import explain_pair
from matchmaker.scoring.matcher import Filters
from matchmaker.scoring.weights import Weights, load_weights
from matchmaker.store.permissions import can
from matchmaker.ui import state
from matchmaker.ui.common import (
    actor,
    company_choices,
    company_label,
    company_name,
    current_shortlist,
    data_key,
    label,
    matcher,
    md,
    model_notice,
    plain,
    search_box,
    sorted_keys,
    store,
    tr,
)
from matchmaker.ui.introductions_page import propose_button

# Cards open at first; the others draw their contents when opened (a rerun), so a new page sends the
# browser about a third of the elements it would otherwise draw.
OPEN_CARDS = 3


def configured_weights() -> Weights:
    """The weights of the file chosen in the sidebar; changing the file moves the sliders to it."""

    def move_sliders() -> None:
        try:
            chosen = load_weights(st.session_state[state.WEIGHTS_FILE])
        except WeightsError:
            return  # the page below says what is wrong with the file
        for name, value in chosen.as_dict().items():
            st.session_state[f"{state.WEIGHT_PREFIX}{name}"] = value

    environment = C.Environment.read()
    files = C.weights_files(environment.weights_dir, environment.weights_file)
    chosen = st.sidebar.selectbox(
        tr("weights_file"), files, format_func=lambda p: p.name, key=state.WEIGHTS_FILE, on_change=move_sliders
    )
    try:
        return load_weights(chosen)
    except WeightsError as exc:  # a broken file in data/weights/: say why, keep working on the default
        st.sidebar.error(plain(exc))
        return load_weights(C.DEFAULT_WEIGHTS_FILE)


def weight_sliders(configured: Weights) -> Weights:
    """The weights the sliders set: ``configured`` itself while no slider moved."""
    st.sidebar.subheader(tr("weights"), help=tr("weights_help"))
    if st.sidebar.button(tr("reset_weights", version=configured.version), key="reset_weights"):
        for name, value in configured.as_dict().items():
            st.session_state[f"{state.WEIGHT_PREFIX}{name}"] = float(value)
    weights = {}
    for name, value in configured.as_dict().items():
        weights[name] = st.sidebar.slider(
            tr(f"component_{name}"), 0.0, 1.0, float(value), 0.01, key=f"{state.WEIGHT_PREFIX}{name}"
        )
    if weights == configured.as_dict() or not any(v > 0 for v in weights.values()):
        return configured
    return configured.replace(**weights)


def choose(text_key: str, options, key: str, format_func) -> tuple:
    """A filter of the sidebar: several of ``options`` (labels by ``format_func``), none chosen = all."""
    return tuple(
        st.sidebar.multiselect(
            tr(text_key), options, format_func=format_func, key=key, placeholder=tr("choose_options")
        )
    )


def filters_sidebar(current, other: str) -> tuple[Filters, int]:
    taxonomy = load_taxonomy()
    table = current.fitted_.profiles[current.fitted_.profiles[V.COUNTRY] == other]
    st.sidebar.subheader(tr("filters"))
    cities = sorted_keys({c for c in table[V.CITY_KEY] if c}, "city")
    sectors = sorted({d for d in table[V.NACE_DIVISION] if d})
    focus = [k for k in taxonomy.focus_keys if k != "other"]
    cooperation = list(taxonomy.cooperation_keys)
    chosen = Filters(
        cities=choose("filter_city", cities, "f_city", lambda c: label("city", c)),
        sectors=choose("filter_sector", sectors, "f_sector", lambda d: f"{d} {label('division', d)}"),
        focus=choose("filter_focus", focus, "f_focus", lambda k: label("focus", k)),
        cooperation=choose("filter_cooperation", cooperation, "f_coop", lambda k: label("cooperation", k)),
        sizes=choose("filter_size", V.SIZE_BANDS, "f_size", str),
        min_score=st.sidebar.slider(tr("min_score"), 0.0, 1.0, 0.0, 0.01, key="f_min_score"),
    )
    k = st.sidebar.slider(tr("top_k"), 1, 30, 10, key="f_top_k")
    return chosen, k


# One colour per component, whatever is weighted; ``distinct`` (much the same for every suggestion) in grey
# at the end of each bar, so the components that tell the suggestions apart catch the eye.
COMPONENT_COLOURS = {
    "semantic": "#1f77b4",
    "terms": "#17becf",
    "sector": "#2ca02c",
    "focus": "#ff7f0e",
    "complementarity": "#d62728",
    "cooperation": "#9467bd",
    "size": "#8c564b",
    "distinct": "#c7c7c7",
}


def component_chart(suggestions: pd.DataFrame, components: tuple[str, ...]) -> alt.Chart:
    """Each suggestion's score as stacked contributions of ``components`` (those with a weight: the table
    carries a column of zeros for the others, which the legend would list for nothing)."""
    long = suggestions.melt(
        id_vars=["partner", V.RANK], value_vars=list(components), var_name="component", value_name="value"
    )
    long["stack"] = long["component"].map(list(components).index)  # the table's order, distinct last
    long["component"] = long["component"].map(lambda c: tr(f"component_{c}"))
    order = list(suggestions.sort_values(V.RANK)["partner"])
    labels = [tr(f"component_{c}") for c in components]
    colours = [COMPONENT_COLOURS[c] for c in components]
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X("sum(value):Q", title=tr("score")),
            y=alt.Y("partner:N", sort=order, title=None, axis=alt.Axis(labelLimit=420)),
            color=alt.Color(
                "component:N", title=tr("components"), sort=labels, scale=alt.Scale(domain=labels, range=colours)
            ),
            order=alt.Order("stack:Q"),
            tooltip=["partner", "component", alt.Tooltip("value:Q", format=".3f")],
        )
        .properties(height=max(120, 28 * len(order)))
    )


def profile_text(partner: pd.Series, language: V.Language) -> None:
    """A partner's description, offer and search as the reader can read them: the profile's own
    translation where given, else a gist derived from the original; the original one click away."""
    shown = description_for(partner, language)
    gist = profile_gist(partner, language)
    originals = [shown.original] if shown.original else []
    if shown.language is None and needs_gist(partner, V.DESCRIPTION, language):
        st.caption(t("gist.heading", language))
        st.text("\n".join(f"• {line}" for line in gist.lines()) if gist.names_concepts else t("gist.nothing", language))
        st.caption(t("gist.caption", language))
        originals = [shown.text]
    else:
        st.text(shown.text[:1500])
        if shown.original:
            st.caption(tr("translation_from_profile"))
    for field, key, terms in ((V.OFFERS, "offers", gist.offers), (V.SEEKS, "seeks", gist.seeks)):
        text = str(partner[field] or "")
        if text and needs_gist(partner, field, language):
            st.text(f"{tr(key)}: {', '.join(terms) or '—'} ({tr('terms_from_original')})")
            originals.append(f"{tr(key)}: {text}")
        elif text:
            st.text(f"{tr(key)}: {text[:600]}")
    if originals:
        with st.popover(tr("show_original")):
            st.text("\n\n".join(original[:1500] for original in originals))


def render() -> None:
    current = matcher()
    profiles = current.fitted_.profiles.set_index(V.ID, drop=False)
    st.title(tr("page_finder"))
    model_notice(current)
    # one chooser per language (its labels are in the reader's script); the choice itself lives in
    # state.COMPANY, which the portfolio page may set too
    language = state.language()
    content = data_key()
    ids, labels = company_choices(current.fitted_.profiles, content, language)
    ids = search_box(current.fitted_.profiles, ids, content, key="finder_search") or ids
    key = state.COMPANY_WIDGET + language
    if st.session_state.get(state.COMPANY) not in ids:
        st.session_state[state.COMPANY] = ids[0]
    if st.session_state.get(key) != st.session_state[state.COMPANY]:
        st.session_state[key] = st.session_state[state.COMPANY]
    company_id = st.selectbox(
        tr("company"),
        ids,
        key=key,
        help=tr("company_help"),
        format_func=labels.__getitem__,
        on_change=lambda: st.session_state.update({state.COMPANY: st.session_state[key]}),
    )
    source = profiles.loc[company_id]
    other = V.other_country(source[V.COUNTRY])

    configured = configured_weights()
    in_use = weight_sliders(configured)
    chosen, k = filters_sidebar(current, other)
    from matchmaker.retrieval.two_stage import prepare_crowding  # two stages for the crowding on large data

    prepare_crowding(current, in_use)
    suggestions = current.recommend(company_id, k=k, filters=chosen, weights=in_use)

    st.subheader(tr("partners_from", country=tr(f"country_{other}")))
    if suggestions.empty:
        st.info(tr("no_suggestions"))
        return
    suggestions["partner"] = [
        f"{r}. {company_name(profiles.loc[t])}" for r, t in zip(suggestions[V.RANK], suggestions[V.TARGET_ID])
    ]
    st.altair_chart(component_chart(suggestions, in_use.active), width="stretch")
    may_shortlist = can(actor(), "shortlist.create")
    for row in suggestions.itertuples(index=False):
        partner = profiles.loc[row.target_id]
        card = st.expander(
            f"{row.rank}. {plain(company_label(partner))} — {tr('score')} {row.score:.3f}",
            expanded=row.rank <= OPEN_CARDS,
            key=f"{state.CARD_PREFIX}{company_id}_{row.target_id}",
            on_change="rerun",
        )
        if not card.open:  # a closed card's reasons and profile are drawn when it is opened
            continue
        with card:
            explanation = explain_pair(current, company_id, row.target_id, weights=in_use)
            st.markdown(f"**{tr('why')}**")
            for line in explanation.render(state.language(), (company_name(source), company_name(partner))):
                st.text(f"• {line}")
            st.markdown(f"**{tr('profile')}**")
            profile_text(partner, state.language())
            left, right = st.columns(2)
            with right:
                extra = {"model": current.fitted_.encoder_name, "weights_version": in_use.version}
                propose_button(source, partner, float(row.score), explanation, extra)
            if may_shortlist and left.button(tr("add_to_shortlist"), key=f"add_{company_id}_{row.target_id}"):
                shortlist = current_shortlist(create=True)
                store().add_entry(
                    shortlist.id,
                    company_id,
                    row.target_id,
                    author=state.author(),
                    source_name=source[V.NAME],
                    target_name=partner[V.NAME],
                    score=float(row.score),
                    model=current.fitted_.encoder_name,
                    weights_version=in_use.version,
                )
                st.success(md("added", name=partner[V.NAME]) + " " + md("shortlist_added_to", shortlist=shortlist.name))
