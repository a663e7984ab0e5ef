"""Two agencies, their users and a few companies, shared by the platform's store tests."""

from __future__ import annotations

import pandas as pd

from matchmaker.store.accounts import Accounts
from matchmaker.store.database import open_database
from matchmaker.store.permissions import Actor
from matchmaker.store.registry import Registry

LOCAL = Actor.local_mode()
PASSWORD = "correct horse battery"


def company(id_: str, country: str, **extra) -> dict:
    city = "Hamburg" if country == "DE" else "佛山"
    return {
        "id": id_,
        "name": extra.pop("name", f"Firma {id_}"),
        "country": country,
        "city": city,
        "description": extra.pop("description", f"Profil von {id_}: Maschinenbau und Automatisierung."),
        **extra,
    }


def alliance(url: str):
    """hamburg (DE) and foshan (CN), with an editor, a viewer and an admin each; returns
    (engine, accounts, registry, actors by login)."""
    engine = open_database(url)
    accounts = Accounts(engine)
    accounts.add_agency(LOCAL, "hamburg", name="Hamburg Invest", country="DE", city="Hamburg", name_zh="汉堡投资促进局")
    accounts.add_agency(
        LOCAL, "foshan", name="佛山市投资促进局", country="CN", city="佛山", name_en="Foshan Investment Promotion"
    )
    actors = {}
    for agency in ("hamburg", "foshan"):
        for role in ("editor", "viewer", "agency-admin"):
            login = f"{agency}-{role}"
            accounts.add_user(LOCAL, login, agency=agency, role=role, password=PASSWORD)
            actors[login] = Actor(login, agency, role)
    return engine, accounts, Registry(engine), actors


def frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows).fillna("")
