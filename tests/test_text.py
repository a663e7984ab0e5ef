"""Sentence splitting for the text vector: where a sentence ends in German, Chinese and English, and
where a full stop does not end one."""

import pytest

from matchmaker.text import sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Wir bauen Roboter. Wir liefern weltweit!", ["Wir bauen Roboter.", "Wir liefern weltweit!"]),
        ("我们生产电池。公司位于宁德。", ["我们生产电池。", "公司位于宁德。"]),
        ("我们生产电池。 Seit 1991?", ["我们生产电池。", "Seit 1991?"]),
        ("Im 19. Jahrhundert gegründet. Ende.", ["Im 19. Jahrhundert gegründet.", "Ende."]),
        ("Zum 125. Jubiläum bauen wir.", ["Zum 125. Jubiläum bauen wir."]),
        ("Gegründet 1998. Heute 40 Mitarbeiter.", ["Gegründet 1998.", "Heute 40 Mitarbeiter."]),
        ("Wir bauen z. B. Pumpen, d.h. Technik.", ["Wir bauen z. B. Pumpen, d.h. Technik."]),
        ("Sales in the U.S. grow. We hire.", ["Sales in the U.S. grow.", "We hire."]),
        ("Linde Hydraulics GmbH & Co. KG baut Pumpen.", ["Linde Hydraulics GmbH & Co. KG baut Pumpen."]),
        ("Mit 15.000 Beschäftigten", ["Mit 15.000 Beschäftigten"]),
        ("Industrieroboter, Steuerungen", ["Industrieroboter, Steuerungen"]),
        ("", []),
        ("   ", []),
    ],
)
def test_sentences(text, expected):
    assert sentences(text) == expected


def test_sentences_keep_every_character_but_the_spaces_between_them():
    text = "Wir bauen Roboter. 我们生产电池。Seit dem 1. Juli 2020 in Köln!  Fragen? Ja."
    found = sentences(text)
    assert len(found) == 5
    assert "".join(found).replace(" ", "") == text.replace(" ", "")
