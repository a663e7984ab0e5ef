"""A printable bilingual dossier (one HTML file) per shortlist: both profiles of every pair, the
score components, the reasons in two languages, notes and outcomes, model and weights version, date.

Profile text is data, never markup: the Jinja2 template escapes every value (autoescape), the page
forbids scripts and external loads (Content-Security-Policy), and websites are shown as text, not
links. Contact details appear only for companies whose ``contact_consent`` is true. Print it from
the browser (A4 styles included) to get a PDF.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from matchmaker import vocab as V
from matchmaker.exports.gist import profile_gist
from matchmaker.exports.reading import description_for, display_city, display_name
from matchmaker.exports.tables import released_contact
from matchmaker.i18n import t
from matchmaker.io.files import writing
from matchmaker.knowledge.taxonomy import load_taxonomy
from matchmaker.scoring.items import ScoredItem
from matchmaker.vocab import Language

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
MAX_DESCRIPTION_CHARS = 2500


@dataclass(frozen=True)
class DossierContext:
    """What the dossier says about itself: title, who, which data, model and weights, when."""

    heading: str
    author: str = ""
    dataset: str = ""
    model: str = ""
    weights_version: str = ""
    generated: dt.datetime = field(default_factory=lambda: dt.datetime.now().replace(microsecond=0))
    fictional: bool = False


@lru_cache(maxsize=1)
def _template():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    environment = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html", "j2"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return environment.get_template("dossier.html.j2")


def bilingual(key: str, languages: tuple[Language, ...]) -> str:
    """``"Partner / 合作伙伴"``: the text in each language, once where they read the same."""
    texts = []
    for language in languages:
        text = t(key, language)
        if text not in texts:
            texts.append(text)
    return " / ".join(texts)


def _company(profile: pd.Series | None, fallback_name: str, languages: tuple[Language, ...]) -> dict[str, object]:
    """One company as the dossier shows it: names and city in the readers' scripts, the description in
    each reader's language (the profile's translation, or a gist derived from the original)."""
    if profile is None:
        return {
            "name": fallback_name,
            "name_local": "",
            "city": "",
            "country": "",
            "sector": "",
            "focus": "",
            "descriptions": [],
            "offers": "",
            "seeks": "",
            "website": "",
            "contact": "",
        }
    taxonomy = load_taxonomy()
    division = profile[V.NACE_DIVISION]
    contact = released_contact(profile)
    names = list(dict.fromkeys(display_name(profile, language) for language in languages))
    return {
        "name": names[0],
        "name_local": " / ".join(
            name for name in names[1:] if not set(name.split(" · ")) <= set(names[0].split(" · "))
        ),
        "city": " · ".join(dict.fromkeys(display_city(profile, language, taxonomy) for language in languages)),
        "country": bilingual(f"ui.country_{profile[V.COUNTRY]}", languages),
        "sector": f"{division} "
        + " · ".join(dict.fromkeys(taxonomy.label("division", division, lang) for lang in languages))
        if division
        else "",
        "focus": ", ".join(
            " · ".join(dict.fromkeys(taxonomy.label("focus", k, lang) for lang in languages))
            for k in profile[V.FOCUS_KEYS]
            if k != "other"
        ),
        "descriptions": _descriptions(profile, languages),
        "offers": profile[V.OFFERS],
        "seeks": profile[V.SEEKS],
        "website": profile[V.WEBSITE],
        "contact": ", ".join(v for v in (contact["contact_name"], contact["contact_email"]) if v),
    }


def _cut(text: str) -> str:
    return text if len(text) <= MAX_DESCRIPTION_CHARS else text[:MAX_DESCRIPTION_CHARS].rstrip() + " …"


def _descriptions(profile: pd.Series, languages: tuple[Language, ...]) -> list[dict[str, object]]:
    """The description for each reader: written in or translated into their language, else a gist
    derived from the original (labelled so); the original itself when no reader's language has it."""
    shown: list[dict[str, object]] = []
    for language in languages:
        description = description_for(profile, language)
        if description.language == language:
            shown.append({"heading": V.LANGUAGE_NAMES[language], "text": _cut(description.text), "lines": []})
        else:
            gist = profile_gist(profile, language)
            shown.append(
                {
                    "heading": t("gist.heading", language),
                    "text": "" if gist.names_concepts else t("gist.nothing", language),
                    "lines": gist.lines(),
                }
            )
    original = str(profile[V.DESCRIPTION] or "")
    if original and all(entry["text"] != _cut(original) for entry in shown):
        shown.append({"heading": bilingual("dossier.original", languages), "text": _cut(original), "lines": []})
    return shown


def _pair(scored: ScoredItem, languages: tuple[Language, ...]) -> dict[str, object]:
    item, explanation = scored.item, scored.explanation
    source = _company(scored.source, item.source_name or item.source_id, languages)
    target = _company(scored.target, item.target_name or item.target_id, languages)
    pair: dict[str, object] = {
        "source": source,
        "target": target,
        "missing": explanation is None,
        "note": item.note,
        "status": bilingual(f"outcome.{item.status}", languages) if item.status else "",
        "score_text": "—",
        "components": [],
        "reasons": [],
    }
    if explanation is not None:
        top = max([v for v in explanation.contributions.values()] + [1e-9])
        pair["score_text"] = f"{explanation.score:.3f}"
        pair["components"] = [
            {
                "label": bilingual(f"ui.component_{name}", languages),
                "value": value,
                "percent": round(100 * (value if value > 0 else 0.0) / top, 1),
            }
            for name, value in sorted(explanation.contributions.items(), key=lambda kv: -kv[1])
        ]
        pair["reasons"] = [explanation.render(language, _names(scored, item, language)) for language in languages]
    return pair


def _names(scored: ScoredItem, item, language: Language) -> tuple[str, str]:
    """The two companies' names as a reader of ``language`` reads them (the saved names if gone)."""
    source = display_name(scored.source, language) if scored.source is not None else item.source_name
    target = display_name(scored.target, language) if scored.target is not None else item.target_name
    return source or item.source_id, target or item.target_id


def render_dossier(
    scored: list[ScoredItem], context: DossierContext, languages: tuple[Language, ...] = ("de", "zh")
) -> str:
    """The dossier as one self-contained HTML document (UTF-8 text), labels in ``languages``."""
    languages = tuple(dict.fromkeys(languages))
    return _template().render(
        languages=languages,
        L=lambda key: bilingual(f"dossier.{key}", languages),
        heading=context.heading,
        author=context.author,
        dataset=context.dataset or "—",
        model=context.model or "—",
        weights_version=context.weights_version or "—",
        generated=f"{context.generated:%Y-%m-%d %H:%M}",
        fictional=context.fictional,
        pairs=[_pair(s, languages) for s in scored],
    )


def write_dossier(html: str, path: Path | str) -> Path:
    """Write the dossier as UTF-8; a path that cannot be written raises
    :class:`~matchmaker.errors.FileAccessError`."""
    with writing(path) as target:
        target.write_text(html, encoding="utf-8", errors="replace")
    return Path(path)
