"""The line itself: content, the deployer's settings and languages, shared by every channel.

Plain Python, no Flask and no Twilio. The text dialogue (SMS, WhatsApp) and the phone
menu are two peers built on one Line: they ask it which language a caller gets, what a
message means, and a topic's pages or an answer's text with the deployer's values in.
"""

from __future__ import annotations

from dataclasses import dataclass

from .answers import AnswerIndex, Ranked
from .content import Content, LanguagePack
from .languages import Languages
from .paging import spoken_number
from .state import CallerState, Settings
from .urgent import URGENT_TOPIC, UrgentReader
from .words import normalise

# How sure the answer index must be to answer outright, or to offer a short-list.
ANSWER_CONFIDENCE = 0.5
CHOICE_CONFIDENCE = 0.3
CLOSE_ENOUGH = 0.08  # answers this close to the best are offered together
MAX_CHOICES = 3
# A topic is named outright ("risks", "cost") only by a short text.
MAX_TOPIC_NAME_WORDS = 3


@dataclass(frozen=True)
class Understanding:
    """What a message means, whatever language it is in."""

    urgent: bool  # reads as "unwell after a transplant"
    urgent_answer: str | None  # the urgent answer that fits best, if any
    topic: str | None  # a topic named outright ("risks")
    answer: str | None  # the answer to give, when the index is sure
    choices: tuple[str, ...]  # answers to offer when it is not sure
    keyword_topic: str | None  # a topic the words touch, for when nothing else fits


class Line:
    """One deployment's line: what every channel shares."""

    def __init__(self, content: Content, settings: Settings) -> None:
        self.content = content
        self.settings = settings
        self.languages = Languages(content, settings.languages, settings.default_language)
        self.urgent = UrgentReader(content, settings.languages)

    def warm(self) -> None:
        """Build every enabled language's indexes now rather than on its first text: a
        server does this once before gunicorn forks, so workers share them."""
        for lang in self.settings.languages:
            pack = self.pack(lang)
            sample = normalise(pack.answers[next(iter(pack.answers))].question)
            self.index(lang).warm()  # not left to understand: a sample may name a topic
            self.understand(sample, lang)
            self.languages.detect(sample, None)

    # Languages ----------------------------------------------------------------------

    def lang(self, state: CallerState) -> str:
        """The language to answer in: chosen, else detected, else the default."""
        for candidate in (state.lang, state.detected):
            if candidate and candidate in self.settings.languages:
                return candidate
        return self.settings.default_language

    def pack(self, lang: str) -> LanguagePack:
        """The content in one language."""
        return self.content.pack(lang)

    def notice_language(self, state: CallerState, words: str, country: str | None) -> None:
        """Without a chosen language: follow the language of the text, else of the number."""
        if state.lang in self.settings.languages:
            return
        current = state.detected if state.detected in self.settings.languages else None
        written_in = self.languages.detect(words, current)
        if written_in:
            state.detected = written_in
        elif state.detected is None and country:
            state.detected = self.languages.for_country(country)

    # Opt-out words -------------------------------------------------------------------

    def is_opt_out(self, text: str) -> bool:
        """STOP and the other words carriers and Twilio act on, as the whole message."""
        return normalise(text or "") in self.content.opt_out_words

    def is_opt_in(self, text: str) -> bool:
        """START, UNSTOP, YES as the whole message."""
        return normalise(text or "") in self.content.opt_in_words

    # Meaning ---------------------------------------------------------------------------

    def index(self, lang: str) -> AnswerIndex:
        """The answer index of a language (built once per process, on first use)."""
        return self.pack(lang).index

    def understand(self, words: str, lang: str, asked: bool = False) -> Understanding:
        """Read one message: urgent or not, a topic named, the answers that fit. ``asked``:
        the message had a question mark."""
        pack = self.pack(lang)
        words = pack.expand(words)  # "wat r the risks" -> "what are the risks"
        topic = self.topic_named(words, lang)
        # A command, a menu number or a topic's name asks no question: only its urgent
        # words count ("help me"), so the answer index is not asked (half of all texts).
        plain = (
            self.languages.command(words, lang)
            or pack.matcher.number(words) is not None
            or topic not in (None, URGENT_TOPIC)
        )
        ranked = [] if plain else self.index(lang).rank(words, limit=6)
        touched = pack.matcher.scores(words)  # the topics its keyword phrases touch
        urgent = self.urgent.reads_urgent(words, pack, ranked, asked, touched)
        urgent_answer = next(
            (r.answer for r in ranked if r.answer in self.content.urgent_answers), None
        )
        answerable = [r for r in ranked if r.answer not in self.content.urgent_answers]
        answer, choices = self._choose(answerable)
        keyword_topic = pack.matcher.best(touched)
        if keyword_topic == URGENT_TOPIC:
            keyword_topic = None
        return Understanding(urgent, urgent_answer, topic, answer, choices, keyword_topic)

    def topic_named(self, words: str, lang: str) -> str | None:
        """A topic a short text names outright ("risks", "cost?", "what is hsct"): its title
        or a keyword phrase. A question about it ("whats the cost") gets an answer instead."""
        pack = self.pack(lang)
        if not words or len(words.split()) > MAX_TOPIC_NAME_WORDS:
            return None
        if words in pack.topic_names:
            return pack.topic_names[words]
        if pack.word_list("question_words").intersection(words.split()):
            return None  # "what is hsct", "whats the cost": a question, for the answers
        names = pack.topic_names | pack.keyword_phrases
        return names.get(words) or names.get(pack.matcher._significant(words) or words)

    @staticmethod
    def _choose(ranked: list[Ranked]) -> tuple[str | None, tuple[str, ...]]:
        """One answer when the best is sure and clearly ahead; else the close ones to choose."""
        if not ranked or ranked[0].confidence < CHOICE_CONFIDENCE:
            return None, ()
        best = ranked[0]
        close = [r for r in ranked if best.confidence - r.confidence <= CLOSE_ENOUGH]
        if best.confidence >= ANSWER_CONFIDENCE and len(close) == 1:
            return best.answer, ()
        return None, tuple(r.answer for r in close[:MAX_CHOICES])

    # Content with the deployer's values ----------------------------------------------

    def values(self, spoken: bool = False) -> dict[str, str]:
        """The deployer's settings that content may quote (spoken: numbers digit by digit)."""
        emergency, helpline = self.settings.emergency, self.settings.helpline
        if spoken:
            emergency, helpline = spoken_number(emergency), spoken_number(helpline)
        return {"emergency": emergency, "helpline": helpline, "org": self.settings.org_name}

    def topic_pages(self, lang: str, topic_id: str, spoken: bool = False) -> list[str]:
        """A topic's pages with the deployer's settings filled in, and its local centres."""
        pack = self.pack(lang)
        topic = pack.by_id[topic_id]
        values = self.values(spoken)
        pages = [pack.page(topic, index, spoken, **values) for index in range(len(topic.pages))]
        if topic_id == "centres" and self.settings.centres:
            pages.append(pack.text("local_centres", centres=self.settings.centres))
        return pages

    def answer_text(self, lang: str, answer_id: str, spoken: bool = False) -> str:
        """An answer's text with the deployer's settings filled in."""
        return self.pack(lang).answer_text(answer_id, spoken, **self.values(spoken))
