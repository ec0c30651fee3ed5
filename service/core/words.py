"""Text as the matchers see it: folded case, no accents or punctuation, whitespace tokens."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# Long messages are cut before matching: a question never needs more.
MAX_CHARS = 400
MAX_TOKENS = 40

# Latin letters that carry their "accent" inside them, so NFKD cannot take it off.
_FOLD = str.maketrans(
    {
        **{"ł": "l", "ø": "o", "đ": "d", "ı": "i", "ħ": "h"},
        # Arabic spellings people use for one another: taa marbuta and haa, alif
        # maqsura and yaa, alif wasla and alif (the usual folding in Arabic search).
        **{"\u0629": "\u0647", "\u0649": "\u064a", "\u0671": "\u0627"},
    }
)
# Native digits people may type, folded to ASCII so "٣٨" reads as "38".
_DIGITS = {
    ord(native): str(value)
    for start in (0x0660, 0x06F0, 0x0966)  # Arabic-Indic, Eastern (Urdu), Devanagari
    for value, native in enumerate(chr(code) for code in range(start, start + 10))
}


# The same reading for plain ASCII, in a few C-speed passes (most texts are ASCII).
_ASCII_OTHER = re.compile(r"[^a-z0-9.,]+")
_ASCII_POINT_THEN_APOSTROPHE = re.compile(r"[.,](?=['`])")  # "9.'5" is not 9.5
_ASCII_NOT_DECIMAL = re.compile(r"(?<![0-9])[.,]|[.,](?![0-9])")

QUESTION_MARKS = "?\u061f\uff1f\u037e"  # ? and the Arabic, full-width and Greek marks


def asks(text: str) -> bool:
    """The text has a question mark, in any script."""
    return any(mark in text[:MAX_CHARS] for mark in QUESTION_MARKS)


def normalise(text: str) -> str:
    """Lower-case, drop accents and punctuation, fold spaces: "Ríesgos?!" -> "riesgos".

    Accents are dropped only on Latin letters and Arabic vowel marks; in scripts such as
    Devanagari the marks are part of the letter ("भाषा" stays "भाषा"). A decimal point
    between digits stays ("38.5"), so temperatures keep their meaning.
    """
    if text.isascii():
        text = _ASCII_POINT_THEN_APOSTROPHE.sub(" ", text[:MAX_CHARS].lower())
        text = text.replace("'", "").replace("`", "")
        text = _ASCII_NOT_DECIMAL.sub(" ", _ASCII_OTHER.sub(" ", text)).replace(",", ".")
        return " ".join(text.split())
    return _normalise_any(text)


def _normalise_any(text: str) -> str:
    """``normalise`` for text in any script, one character at a time."""
    text = text[:MAX_CHARS].casefold().translate(_FOLD).translate(_DIGITS)
    text = unicodedata.normalize("NFKD", text)
    kept: list[str] = []
    base = ""
    for position, char in enumerate(text):
        category = unicodedata.category(char)
        if category[0] == "M":
            if not _drops_marks(base):
                kept.append(char)
            continue
        if char in "'\u2019`":  # apostrophes vanish ("can't" -> "cant")
            continue
        if char in ".," and base.isdigit() and text[position + 1 : position + 2].isdigit():
            kept.append(".")  # 38.5 and 38,5 alike
            continue
        base = char
        kept.append(char if category[0] in "LN" else " ")
    return unicodedata.normalize("NFC", " ".join("".join(kept).split()))


def _drops_marks(base: str) -> bool:
    """Marks on Latin letters (accents) and Arabic letters (vowel signs) are optional."""
    return bool(base) and (base <= "\u024f" or "\u0600" <= base <= "\u06ff")


def split_list(text: str) -> list[str]:
    """Split a comma-separated keyword line into normalised entries."""
    return [entry for entry in (normalise(part) for part in text.split(",")) if entry]


# Scripts written without spaces between words: Japanese kana, CJK ideographs, Thai.
_UNSPACED = re.compile("[\u3040-\u30ff\u3400-\u9fff\u0e00-\u0e7f]")


def unspaced(word: str) -> bool:
    """True for words in scripts written without spaces between words (CJK, Thai...)."""
    return _UNSPACED.search(word) is not None


# Snowball stemmers (PyStemmer) for the languages that have one.
STEMMERS = {
    "en": "english",
    "es": "spanish",
    "fr": "french",
    "de": "german",
    "it": "italian",
    "pt": "portuguese",
    "pl": "polish",
    "ar": "arabic",
    "hi": "hindi",
}


def stemmer_for(lang: str) -> Any:
    """The language's Snowball stemmer ("burning", "burns" -> "burn"), or None."""
    name = STEMMERS.get(lang.split("_")[0])
    if not name:
        return None
    import Stemmer

    return Stemmer.Stemmer(name)
