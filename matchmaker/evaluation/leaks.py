"""Does a benchmark profile give its partner away? A check for tables of labelled pairs whose
profiles must not name the partner (the real-partnership benchmark).

For every labelled pair, the texts of each company (description and its translations, offers,
seeks) are searched for the other company's names: ``name``, ``name_local``, ``name_en``, each
without its legal form ("GmbH", "Co., Ltd.", "有限公司", ...), and the distinctive words of Latin
names (four letters or more, not a generic word such as "Group" or "Automotive").
"""

from __future__ import annotations

import re

import pandas as pd

from matchmaker import vocab as V
from matchmaker.text import has_cjk

TEXT_COLUMNS = (V.DESCRIPTION, V.DESCRIPTION_DE, V.DESCRIPTION_ZH, V.DESCRIPTION_EN, V.OFFERS, V.SEEKS)
NAME_COLUMNS = (V.NAME, V.NAME_LOCAL, V.NAME_EN)
_LEGAL = re.compile(
    r"(股份有限公司|有限责任公司|有限公司|集团|股份|控股|公司|"
    r"\b(GmbH|AG|SE|KG|KGaA|mbH|Co\.?|Ltd\.?|Limited|Inc\.?|Corp\.?|Corporation|Holding|Holdings|Group|plc|& ?Co\.?)\b)",
    re.IGNORECASE,
)
_GENERIC = frozenset(
    "group holding holdings international technology technologies automotive motor motors industries industrial "
    "systems system solutions energy electric power china german germany deutschland europe werke works company "
    "gesellschaft services service engineering machinery maschinenbau chemical chemicals pharma medical global "
    "new tech auto cars electronics components bank banking airport airlines port ports cloud computing software "
    "insurance capital investment securities exchange trading logistics shipping airport retail foods food "
    # places: a Chinese firm's Latin name often starts with its province or city
    "beijing shanghai tianjin chongqing guangdong guangzhou shenzhen jiangsu zhejiang shandong hubei hunan henan "
    "hebei anhui fujian sichuan liaoning jilin shaanxi shanxi jiangxi yunnan guangxi hainan ningbo suzhou wuxi "
    "hangzhou qingdao xiamen dalian foshan".split()
)


def name_forms(profile: pd.Series) -> set[str]:
    """The spellings that would give a company away: its names without legal forms, and the
    distinctive words of its Latin names (lower case)."""
    forms: set[str] = set()
    for column in NAME_COLUMNS:
        name = str(profile.get(column, "") or "").strip()
        if not name:
            continue
        core = re.sub(r"\s+", " ", _LEGAL.sub(" ", name)).strip(" ,.-&")
        if has_cjk(core):
            if len(core) >= 2:
                forms.add(core)
        else:
            if len(core) >= 4:
                forms.add(core.lower())
            forms |= {w for w in re.findall(r"[a-zäöüß]{4,}", core.lower()) if w not in _GENERIC}
    return forms


def partner_name_leaks(companies: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """One row per leak: ``company_id`` (whose text it is), ``partner_id``, ``column``, ``found``
    (the partner's spelling in the text). Empty when no profile names a labelled partner."""
    profiles = companies.set_index(companies[V.ID].astype(str))
    rows = []
    for de, cn in pairs[[V.DE_ID, V.CN_ID]].astype(str).itertuples(index=False):
        for own, partner in ((de, cn), (cn, de)):
            if own not in profiles.index or partner not in profiles.index:
                continue
            forms = name_forms(profiles.loc[partner])
            for column in TEXT_COLUMNS:
                text = str(profiles.loc[own].get(column, "") or "")
                lowered = text.lower()
                for form in forms:
                    hit = form in text if has_cjk(form) else re.search(rf"\b{re.escape(form)}\b", lowered)
                    if hit:
                        rows.append({"company_id": own, "partner_id": partner, "column": column, "found": form})
    return pd.DataFrame(rows, columns=["company_id", "partner_id", "column", "found"])
