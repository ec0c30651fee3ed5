"""Does a text read as "I am unwell after a transplant"? Recall first, without false alarms.

Three kinds of evidence, in every enabled language: a body temperature given as a number
("38.5", "39 degrees", "102 fever"), the urgent topic's keyword phrases ("fever",
"can't breathe", "sore line"), and an urgent answer ranked first by the answer index.
A temperature is always urgent. A symptom gives way only to a general question about
it ("does chemo cause fever", "will I be breathless during mobilisation"): a question
word, a fitting non-urgent answer, and no word of the texter about themselves now
("I have", "my line", "feeling"). A bare symptom ("fever", "chest pain") is a report.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .answers import Ranked
from .content import Content, LanguagePack
from .matching import Matcher
from .words import split_list, unspaced

URGENT_TOPIC = "urgent"
# Body temperatures worth a call: Celsius, and Fahrenheit where people read it.
CELSIUS = (37.8, 43.0)
FAHRENHEIT = (100.0, 108.0)
_NUMBER = re.compile(r"(?<![\d.])(\d{2,3}(?:\.\d{1,2})?)(?![\d.])")
# How sure the index must be before an urgent answer alone makes a text urgent.
URGENT_ANSWER_CONFIDENCE = 0.45
# How sure a non-urgent answer must be to take a question about symptoms.
QUESTION_CONFIDENCE = 0.3
SHORT_REPORT_WORDS = 3  # "fever", "chest pain", "high temp today": a report, not a question


class UrgentReader:
    """Reads texts for signs that someone is unwell after a transplant."""

    def __init__(self, content: Content, enabled: Sequence[str]) -> None:
        self.content = content
        self.enabled = tuple(enabled)
        self._everywhere: Matcher | None = None
        self._lists: dict[tuple[str, str], frozenset[str]] = {}

    def reads_urgent(self, words: str, pack: LanguagePack, ranked: Sequence[Ranked]) -> bool:
        """True when the text should get the urgent action first."""
        if self.temperature(words, pack):
            return True
        top = ranked[0] if ranked else None
        answered = bool(
            top
            and top.answer in self.content.urgent_answers
            and top.confidence >= URGENT_ANSWER_CONFIDENCE
        )
        if not (answered or self.keyword(words, pack)):
            return False
        return not self._general_question(words, pack, ranked)

    def keyword(self, words: str, pack: LanguagePack) -> bool:
        """An urgent keyword phrase: the caller's language (typos too), or any enabled
        language exactly, so "fiebre" still means fever to an English texter."""
        if URGENT_TOPIC in pack.matcher.scores(words):
            return True
        return URGENT_TOPIC in self._everywhere_matcher().scores(words, typos=False)

    def temperature(self, words: str, pack: LanguagePack) -> bool:
        """A feverish temperature: a decimal ("38.5"), a number with a temperature word
        ("39 degrees", "102 fever"), or a number on its own ("39")."""
        tokens = words.split()
        context = self._words(pack, "temperature_words") | self._words(
            self.content.pack("en"), "temperature_words"
        )
        has_context = bool(context.intersection(tokens)) or (
            unspaced(words) and any(word in words for word in context)
        )
        for match in _NUMBER.finditer(words):
            value = float(match.group(1))
            feverish = CELSIUS[0] <= value <= CELSIUS[1] or FAHRENHEIT[0] <= value <= FAHRENHEIT[1]
            if not feverish:
                continue
            if "." in match.group(1) or has_context or len(tokens) == 1:
                return True
        return False

    def _general_question(self, words: str, pack: LanguagePack, ranked: Sequence[Ranked]) -> bool:
        """A question about symptoms in general, not a report of one now."""
        tokens = words.split()
        if len(tokens) <= SHORT_REPORT_WORDS and not self._asks(tokens, pack):
            return False
        if self._about_self(tokens, words, pack):
            return False
        if not self._asks(tokens, pack):
            return False
        return any(
            r.answer not in self.content.urgent_answers and r.confidence >= QUESTION_CONFIDENCE
            for r in ranked[:3]
        )

    def _asks(self, tokens: list[str], pack: LanguagePack) -> bool:
        return bool(self._words(pack, "question_words").intersection(tokens))

    def _about_self(self, tokens: list[str], words: str, pack: LanguagePack) -> bool:
        own = self._words(pack, "self_words")
        if unspaced(words):
            return any(word in words for word in own)
        return bool(own.intersection(tokens))

    def _words(self, pack: LanguagePack, name: str) -> frozenset[str]:
        """A word list of the catalogue, read once per language."""
        key = (pack.lang, name)
        if key not in self._lists:
            self._lists[key] = frozenset(split_list(pack.strings[f"matching.{name}"]))
        return self._lists[key]

    def _everywhere_matcher(self) -> Matcher:
        """Every enabled language's urgent keywords in one matcher (built on first use)."""
        if self._everywhere is None:
            keywords = [
                keyword
                for code in self.enabled
                for keyword in self.content.pack(code).by_id[URGENT_TOPIC].keywords
            ]
            self._everywhere = Matcher({URGENT_TOPIC: keywords}, commands={}, common_words=())
        return self._everywhere
