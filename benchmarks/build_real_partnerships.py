"""Merge the research parts of the real-partnership benchmark into the files the product reads.

    .venv/bin/python benchmarks/build_real_partnerships.py

Reads ``data/benchmarks/real-partnerships/parts/{companies,pairs}_*.csv`` (one pair of files per
researcher) and writes ``companies.csv`` (the profiles table: contract columns plus ``role``) and
``pairs.csv`` (``de_id, cn_id, grade`` = 3 for every documented relationship, with relationship,
year, confidence, sources, summary) beside them. A company researched twice (same country, same
name after folding) keeps its first id; focus areas written with other keys are mapped onto the
taxonomy's. Prints what it merged.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from matchmaker.text import fold

FOLDER = Path(__file__).resolve().parent.parent / "data" / "benchmarks" / "real-partnerships"
FOCUS_KEYS = {  # keys the researchers were given -> the taxonomy's keys
    "new_materials": "chemicals_materials",
    "renewable_energy": "new_energy_hydrogen",
    "hydrogen": "new_energy_hydrogen",
    "digital_services": "digital_infrastructure_smart_city",
    "logistics": "smart_logistics",
    "biotechnology": "biotech_pharma",
}


def read(pattern: str) -> pd.DataFrame:
    files = sorted((FOLDER / "parts").glob(pattern))
    return pd.concat([pd.read_csv(f, dtype=str, keep_default_na=False) for f in files], ignore_index=True)


def main() -> None:
    companies, pairs = read("companies_*.csv"), read("pairs_*.csv")
    companies["key"] = companies["country"] + ":" + companies["name"].map(fold)
    first = companies.drop_duplicates("key").set_index("key")["id"]
    alias = dict(zip(companies["id"], companies["key"].map(first)))
    paired = set(pairs["de_id"]) | set(pairs["cn_id"])
    companies = companies.assign(role=lambda t: t["role"].where(~t["id"].isin(paired), "paired"))
    merged = companies[companies["id"] == companies["key"].map(first)].drop(columns="key").copy()
    dropped = len(companies) - len(merged)
    # a company researched once as a distractor and once as a partner is a partner
    merged.loc[merged["id"].isin({alias[i] for i in paired}), "role"] = "paired"
    merged["focus_areas"] = merged["focus_areas"].map(
        lambda value: ";".join(dict.fromkeys(FOCUS_KEYS.get(k, k) for k in value.split(";") if k))
    )
    pairs = pairs.assign(de_id=pairs["de_id"].map(alias), cn_id=pairs["cn_id"].map(alias), grade=3)
    pairs = pairs.drop_duplicates(["de_id", "cn_id"])
    columns = ["de_id", "cn_id", "grade", "relationship", "year", "confidence", "sources", "summary"]
    merged.to_csv(FOLDER / "companies.csv", index=False, encoding="utf-8")
    pairs[columns].to_csv(FOLDER / "pairs.csv", index=False, encoding="utf-8")
    roles = merged["role"].value_counts().to_dict()
    print(f"{len(pairs)} pairs, {len(merged)} companies ({roles}); {dropped} duplicate rows merged")
    print(pairs["relationship"].value_counts().to_string())


if __name__ == "__main__":
    main()
