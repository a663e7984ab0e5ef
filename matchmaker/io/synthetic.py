"""Synthetic profiles for scale tests: many companies in seconds, German and Chinese, built from
glossary terms and sentence templates. Kept apart from the hand-written demo data; nothing here
is meant to read like a real company."""

from __future__ import annotations

import numpy as np
import pandas as pd

from matchmaker import vocab as V
from matchmaker.knowledge.concepts import load_concepts
from matchmaker.knowledge.taxonomy import load_taxonomy

_DE_TEMPLATES = (
    "Die {name} aus {city} entwickelt {a} und {b}. Zu den Kunden zählen Hersteller im Bereich {c}.",
    "Wir fertigen {a} sowie {b} und bieten Service für {c}. Standort: {city}.",
    "{name} ist Spezialist für {a}. Das Unternehmen liefert {b} und sucht Partner für {c}.",
)
_ZH_TEMPLATES = (
    "{name}位于{city}，主要从事{a}和{b}的研发与生产，客户覆盖{c}领域。",
    "公司专注于{a}，提供{b}及相关服务，希望在{c}方面开展合作。",
    "{name}是一家{city}企业，产品包括{a}、{b}，正在寻找{c}合作伙伴。",
)
_DE_OFFERS = "Wir bieten {a} und {b}."
_DE_SEEKS = "Gesucht: Partner für {c}."
_ZH_OFFERS = "可提供{a}和{b}。"
_ZH_SEEKS = "寻求{c}方面的合作伙伴。"


def synthetic_profiles(per_country: int, seed: int = 0) -> pd.DataFrame:
    """``2 * per_country`` profiles (half German in German, half Chinese in Chinese) with the
    contract's columns. Each company draws its terms from one glossary domain, so companies of the
    same domain share vocabulary across the two languages. Seeded: the same call gives the same table."""
    rng = np.random.default_rng(seed)
    taxonomy = load_taxonomy()
    terms = load_concepts().terms
    nace_of = {domain: (divisions[0] if divisions else "") for domain, divisions in taxonomy.domain_divisions.items()}
    focus_of = dict(zip(taxonomy.glossary_domains["domain"], taxonomy.glossary_domains["focus"]))
    by_domain = {d: g.reset_index(drop=True) for d, g in terms.groupby("domain") if len(g) >= 3}
    domains = sorted(by_domain)
    cities = {country: taxonomy.cities.loc[taxonomy.cities["country"] == country] for country in V.COUNTRIES}

    frames = []
    for country, language, templates, offers_t, seeks_t in (
        ("DE", "de", _DE_TEMPLATES, _DE_OFFERS, _DE_SEEKS),
        ("CN", "zh", _ZH_TEMPLATES, _ZH_OFFERS, _ZH_SEEKS),
    ):
        n = per_country
        domain_pick = rng.integers(0, len(domains), n)
        template_pick = rng.integers(0, len(templates), n)
        term_pick = rng.random((n, 3))
        city_table = cities[country]
        city_pick = rng.integers(0, len(city_table), n)
        city_names = city_table["name_de" if country == "DE" else "name_zh"].to_numpy()[city_pick]
        rows = {k: [] for k in ("description", "offers", "seeks", "name", "sector", "focus_areas")}
        for i in range(n):
            domain = domains[domain_pick[i]]
            pool = by_domain[domain][language].to_numpy()
            a, b, c = (pool[int(x * len(pool))] for x in term_pick[i])
            name = f"Synth {country}{i:06d} GmbH" if country == "DE" else f"合成企业{i:06d}有限公司"
            rows["name"].append(name)
            rows["description"].append(templates[template_pick[i]].format(name=name, city=city_names[i], a=a, b=b, c=c))
            rows["offers"].append(offers_t.format(a=a, b=b))
            rows["seeks"].append(seeks_t.format(c=c))
            rows["sector"].append(nace_of.get(domain, "") if i % 5 else "")
            rows["focus_areas"].append(focus_of.get(domain, "") if i % 4 else "")
        frames.append(
            pd.DataFrame(
                {
                    V.ID: [f"S{country}{i:07d}" for i in range(n)],
                    V.NAME: rows["name"],
                    V.COUNTRY: country,
                    V.CITY: city_names,
                    V.DESCRIPTION: rows["description"],
                    V.LANGUAGE: language,
                    V.SECTOR: rows["sector"],
                    V.FOCUS_AREAS: rows["focus_areas"],
                    V.OFFERS: rows["offers"],
                    V.SEEKS: rows["seeks"],
                    V.EMPLOYEES_BAND: np.array(V.SIZE_BANDS)[rng.integers(0, 4, n)],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)
