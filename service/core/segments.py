"""SMS encoding and segment counting (GSM 03.38 via the gsm0338 codec)."""

from __future__ import annotations

from dataclasses import dataclass

import gsm0338  # noqa: F401  (registers the "gsm03.38" codec)

# Characters that silently force UCS-2, with the GSM-7 text Twilio's Smart Encoding
# would send instead. Used on text we do not write ourselves (deployer settings).
_SMART = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u00b4": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u2010": "-",
        "\u2011": "-",
        "\u2026": "...",
        "\u2022": "-",
        "`": "'",
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\u2007": " ",
        "\u200b": "",
    }
)


def _gsm7_table() -> dict[str, int]:
    """Every GSM 03.38 character and its size in septets (extension characters take two)."""
    table: dict[str, int] = {}
    for byte in range(128):
        if byte == 0x1B:  # the escape into the extension table, not a character
            continue
        table[bytes([byte]).decode("gsm03.38")] = 1
    for byte in range(128):
        try:
            char = (b"\x1b" + bytes([byte])).decode("gsm03.38")
        except UnicodeDecodeError:
            continue
        if len(char) == 1 and char not in table:
            table[char] = 2
    return table


# Built once from the codec, so checks on the request path are set look-ups.
GSM7_SEPTETS = _gsm7_table()
_GSM7 = frozenset(GSM7_SEPTETS)


@dataclass(frozen=True)
class Encoding:
    """How a message travels: its encoding, its length in units, its segment count."""

    name: str  # "GSM-7" or "UCS-2"
    units: int  # septets or UTF-16 code units
    segments: int


def is_gsm7(text: str) -> bool:
    """True when every character is in the GSM 03.38 basic or extension table."""
    return _GSM7.issuperset(text)


def encoding_of(text: str) -> Encoding:
    """Count segments the way carriers do: 160/153 septets, or 70/67 UCS-2 units."""
    if is_gsm7(text):
        sizes = [GSM7_SEPTETS[char] for char in text]
        single, multi, name = 160, 153, "GSM-7"
    else:
        # Characters outside the BMP (most emoji) take two UTF-16 units.
        sizes = [2 if ord(char) > 0xFFFF else 1 for char in text]
        single, multi, name = 70, 67, "UCS-2"
    units = sum(sizes)
    if units <= single:
        return Encoding(name, units, 1)
    # An escape pair or a surrogate pair is never split across two segments.
    segments, used = 1, 0
    for size in sizes:
        if used + size > multi:
            segments, used = segments + 1, 0
        used += size
    return Encoding(name, units, segments)


def smart_encode(text: str) -> str:
    """Replace typographic punctuation and odd spaces with their GSM-7 equivalents."""
    return text.translate(_SMART)
