"""Cut a topic into parts that fit: SMS segment budgets, or seconds of speech.

Content pages are the author's units of meaning: each starts a new part. A page that is
too long in some language is cut between sentences into the fewest parts that fit, as
even in length as can be, so no part is left as one stranded sentence.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from functools import cache

# Sentence ends in the scripts we carry: Latin, Arabic (؟ and the Urdu full stop ۔),
# Devanagari (।) and CJK (。！？, which need no space after them).
_SENTENCE_END = re.compile(r"(?<=[.!?؟۔।])\s+|(?<=[。！？])")
_NUMBER_GROUP = re.compile(r"\+?\d+")
WORDS_PER_MINUTE = {False: 150, True: 115}  # the read-aloud speeds, normal and slow
CJK_CHARACTERS_PER_SECOND = {False: 4.0, True: 3.0}


def sentences(text: str) -> list[str]:
    """Split a page into its sentences."""
    return [part.strip() for part in _SENTENCE_END.split(text) if part.strip()]


def paginate(
    pages: Sequence[str],
    compose: Callable[[str, int, bool], str],
    fits_in: Callable[[str, int], bool],
) -> list[str]:
    """Cut pages into parts; ``compose(body, index, last)`` adds what frames each one.

    ``fits_in(text, index)`` says whether part ``index`` may be that long. A body is
    measured with both possible endings, so it fits wherever it ends up.
    """
    bodies: list[str] = []

    def fits(body: str, index: int) -> bool:
        return all(fits_in(compose(body, index, last), index) for last in (False, True))

    for page in pages:
        bodies += _split_page(sentences(page), len(bodies), fits)
    return [compose(body, index, index == len(bodies) - 1) for index, body in enumerate(bodies)]


def _split_page(parts: list[str], first_index: int, fits: Callable[[str, int], bool]) -> list[str]:
    """The fewest runs of whole sentences that fit, the longest as short as it can be."""
    if not parts:
        return []
    if fits(_join_all(parts), first_index):
        return [_join_all(parts)]

    @cache
    def best(start: int, index: int) -> tuple[int, int, tuple[str, ...]] | None:
        """(parts used, longest part, parts) for sentences[start:], or None if impossible."""
        if start == len(parts):
            return 0, 0, ()
        found = None
        for end in range(start + 1, len(parts) + 1):
            body = _join_all(parts[start:end])
            if not fits(body, index):
                break
            rest = best(end, index + 1)
            if rest is None:
                continue
            candidate = (rest[0] + 1, max(len(body), rest[1]), (body, *rest[2]))
            if found is None or candidate[:2] < found[:2]:
                found = candidate
        return found

    result = best(0, first_index)
    if result is not None:
        return list(result[2])
    # One sentence alone is too long: break it between words (or characters), last resort.
    bodies: list[str] = []
    for sentence in parts:
        bodies += _split_words(
            sentence, functools.partial(_fits_at, fits, first_index + len(bodies))
        )
    return bodies


def _fits_at(fits: Callable[[str, int], bool], index: int, text: str) -> bool:
    return fits(text, index)


def _join_all(parts: Sequence[str]) -> str:
    text = ""
    for part in parts:
        text = _join(text, part) if text else part
    return text


def _join(before: str, sentence: str) -> str:
    """Sentences follow each other with a space, except after CJK full stops."""
    return before + sentence if before.endswith(("。", "！", "？")) else f"{before} {sentence}"


def _split_words(sentence: str, fits: Callable[[str], bool]) -> list[str]:
    units = sentence.split(" ") if " " in sentence else list(sentence)
    joiner = " " if " " in sentence else ""
    bodies: list[str] = []
    current = ""
    for unit in units:
        candidate = f"{current}{joiner}{unit}" if current else unit
        if fits(candidate) or not current:
            current = candidate
        else:
            bodies.append(current)
            current = unit
    return [*bodies, current] if current else bodies


def spoken_seconds(text: str, lang: str, slow: bool = False) -> float:
    """How long text takes to say at the line's read-aloud speed (CJK by characters)."""
    if lang.startswith("zh"):
        return len("".join(text.split())) / CJK_CHARACTERS_PER_SECOND[slow]
    return len(text.split()) / (WORDS_PER_MINUTE[slow] / 60)


def spoken_number(number: str) -> str:
    """A phone number as a voice should read it: digit by digit, groups apart.

    "999 / 112 / 911" -> "9 9 9, 1 1 2, 9 1 1"; "+44 20 7946 0000" -> "+4 4, 2 0, ...".
    Twilio's voices read spaced digits one by one, and a comma as a short pause.
    """
    groups = _NUMBER_GROUP.findall(number or "")
    return ", ".join(" ".join(group) for group in groups) if groups else number
