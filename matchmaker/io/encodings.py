"""The encoding of a delimited text file: UTF-8 (with or without BOM), UTF-16 and UTF-32 with a BOM,
UTF-16 without a BOM (told by its zero bytes), GB18030, Windows-1252, Mac OS Roman and Big5 (Windows
code page 950, Traditional Chinese, as Excel in Taiwan and Hong Kong saves "CSV"), each accepted only
when the text it gives is plausible; bytes no encoding explains are an error naming the line."""

from __future__ import annotations

from matchmaker.io.raw import fail
from matchmaker.io.report import ValidationReport
from matchmaker.text import has_cjk

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8", None),
    (b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32"),
    (b"\xff\xfe", "utf-16-le", "UTF-16"),
    (b"\xfe\xff", "utf-16-be", "UTF-16"),
)


def looks_binary(data: bytes) -> bool:
    """True for bytes that are no text in any encoding read here: many control bytes (text has
    none but tab and line breaks; a stray NUL in a cell does not make a file binary)."""
    sample = data[:8192]
    if not sample or without_bom(sample) or any(sample.startswith(bom) for bom, _, _ in _BOMS):
        return False
    controls = sum(1 for byte in sample if byte < 0x20 and byte not in (9, 10, 13) or byte == 0x7F)
    return controls > max(2, len(sample) // 50)


def without_bom(sample: bytes) -> str | None:
    """The UTF-32 or UTF-16 encoding of ``sample`` told without a byte-order mark, else None."""
    return utf32_without_bom(sample) or utf16_without_bom(sample)


def utf32_without_bom(sample: bytes) -> str | None:
    """``"utf-32-le"`` / ``"utf-32-be"`` when ``sample`` is UTF-32 without a byte-order mark: every
    character below U+10000 (all of German and Chinese) leaves its two high bytes zero."""
    quads = len(sample) // 4
    if quads < 4:
        return None
    zeros = [sample[i : 4 * quads : 4].count(0) / quads for i in range(4)]
    if zeros[3] == 1 and zeros[2] > 0.95 and zeros[0] < 0.5:
        return "utf-32-le"
    if zeros[0] == 1 and zeros[1] > 0.95 and zeros[3] < 0.5:
        return "utf-32-be"
    return None


def utf16_without_bom(sample: bytes) -> str | None:
    """``"utf-16-le"`` / ``"utf-16-be"`` when ``sample`` is UTF-16 without a byte-order mark: ASCII
    letters, digits, delimiters and line breaks leave a zero byte in every other position."""
    pairs = len(sample) // 2
    if pairs < 4:
        return None
    even = sample[0 : 2 * pairs : 2].count(0) / pairs
    odd = sample[1 : 2 * pairs : 2].count(0) / pairs
    if odd > 0.3 and even < 0.02:
        return "utf-16-le"
    if even > 0.3 and odd < 0.02:
        return "utf-16-be"
    return None


def decode(data: bytes, report: ValidationReport) -> str:
    """The text of ``data``; notes the encoding unless UTF-8. Raises for bytes no encoding explains."""
    for bom, encoding, label in _BOMS:
        if data.startswith(bom):
            body = data[len(bom) :]
            if not body.strip(b"\x00 \t\r\n"):
                fail(report, "file_bom_only")
            try:
                text = body.decode(encoding)
            except UnicodeDecodeError as exc:
                _undecodable(body, report, encoding, exc.start)
            if label:
                report.add("info", "encoding_used", encoding=label)
            return text
    guessed = without_bom(data[:8192])
    if guessed:
        try:
            text = data.decode(guessed)
        except UnicodeDecodeError:
            pass
        else:
            report.add("info", "encoding_used", encoding=f"{guessed.upper()} (no byte-order mark)")
            return text
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    # Not UTF-8. A file that is UTF-8 but for a few stray bytes is damaged: say where, guess nothing.
    lossy = data.decode("utf-8", errors="replace")
    bad = lossy.count("\ufffd")
    good_multibyte = sum(1 for ch in lossy if ord(ch) > 0x7F and ch != "\ufffd")
    if good_multibyte > bad:
        _undecodable(data, report, "utf-8", first_bad)
    for encoding, label in (("gb18030", "GB18030"), ("cp1252", "Windows-1252"), ("cp950", "Big5")):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _plausible(text, encoding):
            if encoding == "cp1252" and _mac_roman(text):
                text, label = data.decode("mac_roman"), "Mac OS Roman"
            report.add("info", "encoding_used", encoding=label)
            for line in _utf8_lines(data):
                report.add("warning", "mixed_encoding", line=line, encoding=label)
            return text
    _undecodable(data, report, "utf-8", first_bad)
    raise AssertionError("unreachable")


def _utf8_lines(data: bytes, most: int = 10) -> list[int]:
    """Lines of a file read as GB18030 or Windows-1252 that are UTF-8 of their own (two exports
    joined, or a row pasted in from another program): valid UTF-8 with a few multi-byte characters,
    which text in the other encodings almost never is. The first ``most`` line numbers."""
    found = []
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            decoded = line.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if len(line) - len(decoded) >= 4:  # the continuation bytes of three Chinese or four German letters
            found.append(number)
            if len(found) == most:
                break
    return found


def _plausible(text: str, encoding: str) -> bool:
    """GB18030 decodes most byte strings; accept it only when its non-ASCII characters are mostly
    common CJK ideographs and punctuation; Big5 likewise. Windows-1252 only when they are mostly Latin
    letters."""
    extra = [ch for ch in text if ord(ch) > 0x7F]
    if not extra:
        return True
    if encoding == "gb18030":
        # Real Chinese text sits in the GB2312 core (both bytes >= 0xA1); Windows-1252 German read
        # as GB18030 gives rare two-byte characters outside it ("Köln" -> "K鰈n"), which this
        # rejects. GB18030's four-byte characters (ß, Ö, emoji, no-break and zero-width spaces) are
        # written only by a GB18030 encoder: no other text decodes to them.
        def common(ch: str) -> bool:
            try:
                ch.encode("gb2312")
                return True
            except UnicodeEncodeError:
                return ch.isalpha() and ord(ch) < 0x250 or len(ch.encode("gb18030")) == 4

        chinese = any(has_cjk(ch) or len(ch.encode("gb18030")) == 4 for ch in extra)
        return chinese and sum(map(common, extra)) / len(extra) > 0.8  # mojibake gives next to none
    if encoding == "cp950":
        # Big5 puts the 5,401 most used characters and the punctuation first (lead bytes 0xA1-0xC6);
        # other text read as Big5 ("Köln" in Windows-1252 -> "K鏛n") falls mostly among the rarer ones.
        common = sum(1 for ch in extra if 0xA1 <= ch.encode("cp950")[0] <= 0xC6)
        return any(has_cjk(ch) for ch in extra) and common / len(extra) > 0.8
    latin = sum(1 for ch in extra if ch.isalpha() and ord(ch) < 0x250 or ch in "€–—„“”‚‘’…·°§²³µ«»")
    return latin / len(extra) > 0.9


def _mac_roman(cp1252: str) -> bool:
    """True when text read as Windows-1252 is German saved as Mac OS Roman (Excel for Mac's "CSV"):
    its umlauts then read as letters German never uses ("Köln" -> "Kšln", "Müller" -> "MŸller")
    and no umlaut is left. Decided from the Windows-1252 text (the two encodings swap these bytes)."""
    if any(ch in _UMLAUTS for ch in cp1252):
        return False
    return any(ch in _MAC_UMLAUTS_AS_CP1252 for ch in cp1252)


_UMLAUTS = frozenset("äöüÄÖÜß")
# ä ö ü é of Mac OS Roman (0x8A 0x9A 0x9F 0x8E) as Windows-1252 reads them
_MAC_UMLAUTS_AS_CP1252 = frozenset("ŠšŸŽ")


def _undecodable(data: bytes, report: ValidationReport, encoding: str, position: int) -> None:
    if encoding.startswith(("utf-16", "utf-32")):
        unit = 2 if encoding.startswith("utf-16") else 4
        line = data[:position].decode(encoding, errors="replace").count("\n") + 1
        snippet = " ".join(f"0x{b:02X}" for b in data[position : position + unit])
        fail(report, "undecodable_utf16", line=line, bytes=snippet, encoding=encoding[:6].upper())
    line = data[:position].count(b"\n") + 1
    snippet = " ".join(f"0x{b:02X}" for b in data[position : position + 4])
    fail(report, "undecodable", line=line, bytes=snippet)
