"""Small text utilities shared by the loader, the taxonomy and the features: script detection,
language detection for German / Chinese / English, and the cleaning applied before embedding."""

from __future__ import annotations

import html
import re
import unicodedata
from functools import cache

from matchmaker.vocab import Language

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_NOT_CJK = re.compile(r"[^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_NOT_LATIN_LETTER = re.compile(r"[^A-Za-zÀ-ÖØ-öø-ÿ]+")
_WORD = re.compile(r"[a-zäöüß]+")
_TAG = re.compile(r"<[^>]{0,400}>")
# Chinese full-width punctuation and what NFKC makes of it ("，" -> ","). A character replaced by its
# compatibility decomposition leaves a text's NFKC form as it was, so replacing these first is exact.
_FULL_WIDTH_PUNCTUATION = tuple((wide, unicodedata.normalize("NFKD", wide)) for wide in "，：；（）！？\u3000")

# Frequent function words: enough to tell German from English in a company profile.
_GERMAN_WORDS = frozenset(
    "und der die das den dem des für mit von im ist sind wir unser unsere ein eine einen einer "
    "auf zu bei aus nach oder sowie werden wird als auch über durch zur zum suchen bieten "
    "entwickeln gmbh kg ag".split()
)
_ENGLISH_WORDS = frozenset(
    "and the of for with from in is are we our a an to at by or as also through on "
    "seeking offer offers develop develops company ltd inc co".split()
)


def cjk_share(text: str) -> float:
    """Share of CJK ideographs among the letters of ``text`` (0.0 for empty text).

    Counted as the length of what is left between the runs of other characters, not as a list of every
    letter (a tenth of the time on a profile text); a text without ideographs needs one scan."""
    if not _CJK.search(text):
        return 0.0
    cjk = sum(map(len, _NOT_CJK.split(text)))
    latin = sum(map(len, _NOT_LATIN_LETTER.split(text)))
    total = cjk + latin
    return cjk / total if total else 0.0


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def detect_language(text: str) -> Language | None:
    """Guess whether ``text`` is German, Chinese or English; None when there is nothing to read.

    Chinese is recognised by its script (a fifth of the letters or more are ideographs, so a Chinese
    text with English product names stays Chinese); German and English by function words, umlauts
    and ß. Ties go to German, the more common Latin-script language of profiles in this alliance.
    """
    if not text or not text.strip():
        return None
    if cjk_share(text) >= 0.2:
        return "zh"
    lowered = text.lower()
    words = _WORD.findall(lowered)
    if not words:
        return None
    german = sum(map(_GERMAN_WORDS.__contains__, words)) + 2 * sum(map(lowered.count, "äöüß"))
    english = sum(map(_ENGLISH_WORDS.__contains__, words))
    if german == 0 and english == 0:
        return None
    return "en" if english > german else "de"


def clean_for_embedding(text: str, max_chars: int) -> str:
    """Text as the models should read it: HTML tags and entities removed, whitespace collapsed,
    Unicode in NFKC form (full-width Latin letters and digits become ASCII), cut to ``max_chars``.

    The stored profile keeps the original text; this is only what is embedded or matched. Most texts
    are in NFKC form but for Chinese full-width punctuation, and without tags: replacing that
    punctuation and checking the form is far cheaper than the conversion (12 µs a Chinese profile).
    """
    text = text[: max_chars * 2]
    if not unicodedata.is_normalized("NFKC", text):
        for wide, narrow in _FULL_WIDTH_PUNCTUATION:
            text = text.replace(wide, narrow)
        if not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", text)
    if "<" in text:
        text = _TAG.sub(" ", text)
    return " ".join(html.unescape(text).split())[:max_chars]


# A sentence ends at "." "!" "?" before a space, or at a Chinese "。" (cleaned text has the ASCII forms
# of the full-width "！" "？"), but not after an ordinal or a date ("im 19. Jahrhundert", "1. Juli",
# "zum 125. Jubiläum"), single letters ("z. B.", "U.S.") or a common abbreviation. A year ends one
# ("Gegründet 1998. Heute ...").
ORDINAL_DIGITS = 3
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])\s*")
_ABBREVIATIONS = frozenset(
    "bzw ca co corp dr etc evtl ggf inc inkl ltd mio mrd nr prof st str usw vgl vs zzgl e.g i.e u.a d.h z.b".split()
)


def sentences(text: str) -> list[str]:
    """The sentences of a cleaned text, in order, without their surrounding spaces; ``[]`` for a blank one.

    ``sentences("Wir bauen z. B. Roboter. 我们生产电池。Seit 1991. Im 19. Jahrhundert.")`` ->
    ``["Wir bauen z. B. Roboter.", "我们生产电池。", "Seit 1991.", "Im 19. Jahrhundert."]``"""
    found: list[str] = []
    carry = ""
    for piece in _SENTENCE_END.split(text):
        piece = f"{carry} {piece}".strip() if carry else piece.strip()
        carry = ""
        last = piece.rsplit(" ", 1)[-1].rstrip(".").casefold()
        initials = all(len(part) <= 1 for part in last.split("."))
        ordinal = last.isdigit() and len(last) <= ORDINAL_DIGITS
        if piece.endswith(".") and (initials or ordinal or last in _ABBREVIATIONS):
            carry = piece  # "z." of "z. B.", "19." of "im 19. Jahrhundert": the sentence goes on
            continue
        if piece:
            found.append(piece)
    if carry:
        found.append(carry)
    return found


def fold(text: str) -> str:
    """A key for comparing names: NFKC, case-folded, German umlauts spelled out, punctuation and
    spaces dropped. ``fold("Köln") == fold("Koeln") == fold(" KÖLN ")``."""
    text = unicodedata.normalize("NFKC", text).casefold()
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, spelled)
    return "".join(ch for ch in text if ch.isalnum())


def simplified(text: str) -> str:
    """Chinese written in Traditional characters in Simplified ones (OpenCC's ``t2s`` tables, which know
    phrases: 乾燥 -> 干燥 but 乾隆 stays), for matching the glossary and the focus keywords, which spell
    Chinese in Simplified; text without Chinese characters as it is. ``simplified("機器人") == "机器人"``."""
    return _traditional_to_simplified().convert(text) if has_cjk(text) else text


@cache
def _traditional_to_simplified():
    import opencc

    return opencc.OpenCC("t2s")


def plain_letters(text: str) -> str:
    """Letters and digits without marks, case-folded: tone marks and umlauts dropped, ß as ss.
    ``plain_letters("Fóshān") == "foshan"``, ``plain_letters("Köln") == "koln"``."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold().replace("ß", "ss"))
    return "".join(ch for ch in decomposed if ch.isalnum() and not unicodedata.combining(ch))


def toneless_pinyin(text: str) -> str:
    """The Chinese characters of ``text`` as pinyin without tones or spaces, other letters as they are:
    ``toneless_pinyin("佛山市顺德区") == "foshanshishundequ"``."""
    from pypinyin import lazy_pinyin

    return plain_letters("".join(lazy_pinyin(text))) if has_cjk(text) else plain_letters(text)


def collation_key(text: str, language: Language) -> tuple[str, str, str]:
    """A key that sorts names as a reader of ``language`` expects.

    Chinese interface: by Hanyu Pinyin (佛山 as "foshan"), syllables of the same letters by tone
    (妈 mā before 马 mǎ), Latin names among them by their letters. German and English: by letters
    with umlauts as their base vowel (DIN 5007-1: Ärzte beside Arzt, before Asche), case ignored,
    Chinese names by their pinyin; equal letters put the unmarked spelling first.
    """
    if has_cjk(text):
        from pypinyin import Style, lazy_pinyin

        syllables = lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True)
        letters = plain_letters("".join("".join(ch for ch in s if not ch.isdigit()) for s in syllables))
        tones = "".join(ch for s in syllables for ch in s if ch.isdigit())
        return letters, tones, text
    return plain_letters(text), unicodedata.normalize("NFKC", text).casefold(), text
