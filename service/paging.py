"""Split a topic into text messages that each fit the segment budget.

Content pages are the author's units of meaning: each starts a new message. A page
that is too long in some language is split between sentences, never mid-sentence
unless one sentence alone is too long.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from .segments import encoding_of

# Sentence ends in the scripts we carry: Latin, Arabic (؟ and the Urdu full stop ۔),
# Devanagari (।) and CJK (。！？, which need no space after them).
_SENTENCE_END = re.compile(r"(?<=[.!?؟۔।])\s+|(?<=[。！？])")


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

    def fits(body: str) -> bool:
        index = len(bodies)
        return all(fits_in(compose(body, index, last), index) for last in (False, True))

    for page in pages:
        current = ""
        for sentence in sentences(page):
            candidate = _join(current, sentence) if current else sentence
            if fits(candidate):
                current = candidate
                continue
            if current:
                bodies.append(current)
            current = sentence if fits(sentence) else _split_words(sentence, fits, bodies)
        if current:
            bodies.append(current)
    return [compose(body, index, index == len(bodies) - 1) for index, body in enumerate(bodies)]


def within_segments(budget: Callable[[int], int]) -> Callable[[str, int], bool]:
    """An SMS limit for paginate: part ``index`` may take ``budget(index)`` segments."""
    return lambda text, index: encoding_of(text).segments <= budget(index)


def _join(before: str, sentence: str) -> str:
    """Sentences follow each other with a space, except after CJK full stops."""
    return before + sentence if before.endswith(("。", "！", "？")) else f"{before} {sentence}"


def _split_words(sentence: str, fits: Callable[[str], bool], bodies: list[str]) -> str:
    """Last resort for one over-long sentence: break it between words (or characters)."""
    units = sentence.split(" ") if " " in sentence else list(sentence)
    joiner = " " if " " in sentence else ""
    current = ""
    for unit in units:
        candidate = f"{current}{joiner}{unit}" if current else unit
        if fits(candidate) or not current:
            current = candidate
        else:
            bodies.append(current)
            current = unit
    return current
