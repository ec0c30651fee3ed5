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
from collections.abc import Mapping, Sequence

from .answers import Ranked
from .content import Content, LanguagePack
from .matching import Matcher
from .words import unspaced

URGENT_TOPIC = "urgent"
# Body temperatures worth a call: Celsius, and Fahrenheit where people read it.
CELSIUS = (37.8, 43.0)
FAHRENHEIT = (100.0, 108.0)
_NUMBER = re.compile(r"(?<![\d.])(\d{2,3}(?:\.\d{1,2})?)(?![\d.])")
# How sure the index must be before an urgent answer alone makes a text urgent.
URGENT_ANSWER_CONFIDENCE = 0.45
# How far an urgent answer must lead the best general one to count alone.
URGENT_MARGIN = 0.05  # a near-tie is not a lead
# How sure a non-urgent answer must be to take a question about symptoms.
QUESTION_CONFIDENCE = 0.4
# A general answer under this share of the best urgent answer's confidence does not make
# a text a general question.
GENERAL_SHARE = 0.5
# Where a question word makes a question: among the first or the last words.
QUESTION_LEAD, QUESTION_TAIL = 2, 3
SHORT_REPORT_WORDS = 3  # "fever", "chest pain", "high temp today": a report, not a question


class UrgentReader:
    """Reads texts for signs that someone is unwell after a transplant."""

    def __init__(self, content: Content, enabled: Sequence[str]) -> None:
        self.content = content
        self.enabled = tuple(enabled)
        self._everywhere: dict[str, Matcher] = {}

    def reads_urgent(
        self,
        words: str,
        pack: LanguagePack,
        ranked: Sequence[Ranked],
        asked: bool = False,
        touched: Mapping[str, float] | None = None,
    ) -> bool:
        """True when the text should get the urgent action first. ``asked``: the text ended
        a sentence with a question mark (some languages ask without a question word);
        ``touched``: the topics its keyword phrases touch, when already worked out."""
        if self.temperature(words, pack):
            return True
        # A bare number ("24") is a menu choice or an age, never a report by itself.
        answered = not words.replace(" ", "").isdigit() and self._urgent_answer_ahead(ranked)
        if not (answered or self.keyword(words, pack, touched)):
            return False
        return not self._general_question(words, pack, ranked, asked)

    def _urgent_answer_ahead(self, ranked: Sequence[Ranked]) -> bool:
        """An urgent answer ranked first, sure enough, and ahead of every other kind: a
        tie with a general answer ("is it safe? I'm scared") is not a report."""
        if not ranked or ranked[0].answer not in self.content.urgent_answers:
            return False
        top = ranked[0].confidence
        general = [r.confidence for r in ranked if r.answer not in self.content.urgent_answers]
        return top >= URGENT_ANSWER_CONFIDENCE and all(top - c > URGENT_MARGIN for c in general)

    def keyword(
        self, words: str, pack: LanguagePack, touched: Mapping[str, float] | None = None
    ) -> bool:
        """An urgent keyword phrase: the caller's language (typos too), or any enabled
        language exactly, so "fiebre" still means fever to an English texter."""
        if URGENT_TOPIC in (pack.matcher.scores(words) if touched is None else touched):
            return True
        return URGENT_TOPIC in self._everywhere_matcher(pack).scores(words, typos=False)

    def temperature(self, words: str, pack: LanguagePack) -> bool:
        """A feverish temperature: a decimal ("38.5"), a number with a temperature word
        ("39 degrees", "102 fever"), or a number on its own ("39")."""
        tokens = words.split()
        context = pack.word_list("temperature_words") | self.content.pack("en").word_list(
            "temperature_words"
        )
        # In Chinese the words are found inside the text; only Chinese ones, though: a
        # Latin "c" or "f" inside "hsct" says nothing.
        has_context = bool(context.intersection(tokens)) or (
            unspaced(words) and any(unspaced(word) and word in words for word in context)
        )
        for match in _NUMBER.finditer(words):
            value = float(match.group(1))
            feverish = CELSIUS[0] <= value <= CELSIUS[1] or FAHRENHEIT[0] <= value <= FAHRENHEIT[1]
            if not feverish:
                continue
            # A number alone ("39", "38c") is a temperature; "我40岁" (I am 40) is not.
            alone = words.strip() == match.group(1) or (len(tokens) == 1 and not unspaced(words))
            if "." in match.group(1) or has_context or alone:
                return True
        return False

    def _general_question(
        self, words: str, pack: LanguagePack, ranked: Sequence[Ranked], asked: bool
    ) -> bool:
        """A question about symptoms in general, not a report of one now."""
        tokens = words.split()
        asks = self._asks(words, pack)
        if len(tokens) <= SHORT_REPORT_WORDS and not asks:
            return False
        if self._about_self(tokens, words, pack):
            return False
        if not (asked or asks):
            return False
        # A general answer must fit, and not be far behind an urgent one ("nobody answers
        # the transplant team's phone, what do I do" asks the urgent question itself).
        urgent = max(
            (r.confidence for r in ranked if r.answer in self.content.urgent_answers), default=0.0
        )
        return any(
            r.answer not in self.content.urgent_answers
            and r.confidence >= max(QUESTION_CONFIDENCE, urgent * GENERAL_SHARE)
            for r in ranked[:3]
        )

    def _asks(self, words: str, pack: LanguagePack) -> bool:
        """A question word where questions put them: near the start ("does chemo cause
        fever") or the end ("fever after hsct, is that normal"). In the middle it is
        mostly a link word ("the spot where the line goes in is red"), and inside a
        symptom phrase it asks nothing ("burns when i pee")."""
        question_words = pack.word_list("question_words")
        if unspaced(words):
            return any(word in words for word in question_words)
        tokens = words.split()
        symptom = pack.matcher.covered(words, URGENT_TOPIC)
        return any(
            token in question_words
            and position not in symptom
            and (position < QUESTION_LEAD or position >= len(tokens) - QUESTION_TAIL)
            for position, token in enumerate(tokens)
        )

    def _about_self(self, tokens: list[str], words: str, pack: LanguagePack) -> bool:
        own = pack.word_list("self_words")
        if unspaced(words):
            return any(word in words for word in own)
        return bool(own.intersection(tokens))

    def _everywhere_matcher(self, pack: LanguagePack) -> Matcher:
        """Every enabled language's urgent keywords in one matcher, built once per texter
        language. A one-word keyword of another language is left out when it is an everyday
        word of the texter's own language, outside its urgent examples: English "faint" is
        Welsh for "how much", so "faint yw'r gost" is a question about cost, not fainting."""
        if pack.lang not in self._everywhere:
            own = set(pack.by_id[URGENT_TOPIC].keywords)
            everyday = pack.everyday_words.keys() | pack.word_list("question_words")
            everyday |= pack.word_list("common_words")
            keywords = [
                keyword
                for code in self.enabled
                for keyword in self.content.pack(code).by_id[URGENT_TOPIC].keywords
                if code == pack.lang or keyword in own or " " in keyword or keyword not in everyday
            ]
            self._everywhere[pack.lang] = Matcher(
                {URGENT_TOPIC: keywords}, commands={}, common_words=()
            )
        return self._everywhere[pack.lang]
