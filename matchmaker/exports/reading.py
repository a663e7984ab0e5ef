"""A company as a reader of German, Chinese or English sees it: its name in the reader's script
(Chinese names with Hanyu Pinyin for Latin readers), its city as the reader spells it, and its
description in the reader's language where the profile gives a translation (the original is kept
beside it). Pure functions over a normalised profile row; the dashboard, the shortlist tables and the
dossier all use them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from matchmaker import vocab as V
from matchmaker.knowledge.taxonomy import Taxonomy
from matchmaker.text import has_cjk

_SINGLE = frozenset("市区县省镇乡村路号")  # administrative suffixes read as words of their own
# words of company names that do not come in twos; matched longest first
_KNOWN = sorted(
    "股份有限公司 有限责任公司 有限公司 集团 股份 公司 控股 机器人 新能源 新材料 研究院 研究所 实业 科技 技术 电气 电子 "
    "汽车 制造 智能 工业 工程 医疗 医药 生物 化工 材料 能源 环保 物流 贸易 发展".split(),
    key=len,
    reverse=True,
)


def _words(text: str) -> list[str]:
    """Chinese characters grouped into words without a dictionary: common words of company names and
    administrative suffixes as they are, the rest two characters a word; other text as it is."""
    words: list[str] = []
    position, pending = 0, ""
    while position < len(text):
        char = text[position]
        if not has_cjk(char):
            end = position
            while end < len(text) and not has_cjk(text[end]):
                end += 1
            words += [pending] if pending else []
            pending = ""
            words += [text[position:end].strip()] if text[position:end].strip() else []
            position = end
            continue
        known = next((w for w in _KNOWN if text.startswith(w, position)), None)
        if known or char in _SINGLE:
            words += [pending] if pending else []
            pending = ""
            words += _split_known(known) if known else [char]
            position += len(known) if known else 1
            continue
        pending += char
        if len(pending) == 2:
            words.append(pending)
            pending = ""
        position += 1
    return words + ([pending] if pending else [])


def _split_known(word: str) -> list[str]:
    return ["股份", "有限", "公司"] if word == "股份有限公司" else ["有限", "公司"] if word == "有限公司" else [word]


def pinyin(text: str) -> str:
    """Hanyu Pinyin with tone marks, a capital per word: 佛山市顺德区灵臂机器人 -> "Fóshān Shì Shùndé Qū
    Língbì Jīqì Rén". Words are guessed (two characters, administrative suffixes alone); other text is kept."""
    from pypinyin import Style, lazy_pinyin

    spelled = []
    for word in _words(text):
        if has_cjk(word):
            syllables = "".join(lazy_pinyin(word, style=Style.TONE))
            spelled.append(syllables[:1].upper() + syllables[1:])
        else:
            spelled.append(word)
    return " ".join(spelled)


def _latin(value: object) -> str:
    text = str(value or "").strip()
    return text if text and not has_cjk(text) else ""


def _chinese(value: object) -> str:
    text = str(value or "").strip()
    return text if has_cjk(text) else ""


def display_name(profile: pd.Series, language: V.Language) -> str:
    """The name a reader of ``language`` can read, with the other script after a middle dot where known:
    a Chinese reader sees ``美的集团 · Midea Group``; a German or English reader ``Midea Group · 美的集团``,
    and for a Chinese name with no Latin form its pinyin."""
    name = str(profile.get(V.NAME, "") or "")
    chinese = _chinese(name) or _chinese(profile.get(V.NAME_LOCAL))
    latin = _latin(profile.get(V.NAME_EN)) or _latin(name) or _latin(profile.get(V.NAME_LOCAL))
    if language == "zh":
        first, second = chinese or latin, latin if chinese else ""
    else:
        first = latin or (pinyin(chinese) if chinese else name)
        second = chinese if chinese and first != chinese else ""
    return f"{first} · {second}" if second and second != first else first or name


def display_city(profile: pd.Series, language: V.Language, taxonomy: Taxonomy) -> str:
    """A member city in the reader's spelling (广州市南沙区 -> Guangzhou-Nansha for a German reader);
    another city as written, with its pinyin for a Latin reader when it is in Chinese."""
    key = str(profile.get(V.CITY_KEY, "") or "")
    if key:
        return taxonomy.label("city", key, language)
    city = str(profile.get(V.CITY, "") or "")
    return pinyin(city) if language != "zh" and has_cjk(city) else city


@dataclass(frozen=True)
class Description:
    """The text to show: ``text`` in ``language`` (None: the original, in the profile's own language),
    and the ``original`` when a translation is shown."""

    text: str
    language: V.Language | None
    original: str = ""


def description_for(profile: pd.Series, language: V.Language) -> Description:
    """The profile's description in the reader's language when the profile gives it (``description_de``,
    ``description_zh``, ``description_en``, or the description itself if written in that language), else
    the original."""
    original = str(profile.get(V.DESCRIPTION, "") or "")
    if str(profile.get(V.LANGUAGE, "")) == language:
        return Description(original, language)
    translated = str(profile.get(f"description_{language}", "") or "").strip()
    if translated and translated != original:
        return Description(translated, language, original)
    return Description(original, None)
