"""One language of the content: its strings, topics, answers and matchers, and how its
texts are filled in, written and said."""

from __future__ import annotations

import datetime
import logging
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_skeleton
from babel.numbers import format_decimal, get_currency_name
from babel.support import NullTranslations

from .answers import AnswerIndex
from .matching import Matcher
from .segments import is_gsm7
from .source import is_word_list, read_yaml
from .words import normalise, split_list, stemmer_for

if TYPE_CHECKING:
    from .content import Content

log = logging.getLogger(__name__)
# A written term stands alone next to these letters too: Chinese has no spaces ("您的MS团队").
_UNSPACED = "\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff"
_PLAIN_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " "})
# Placeholders that hold phone numbers: isolated in right-to-left text, spoken digit by digit.
NUMBER_PLACEHOLDERS = ("emergency", "helpline")
# Unicode isolates: a left-to-right run inside right-to-left text keeps its own order.
LRI, PDI = "\u2066", "\u2069"


@dataclass(frozen=True)
class Topic:
    """One topic in one language."""

    id: str
    number: int
    title: str
    spoken: str  # how the phone menu names it: "To hear {spoken}, press 2"
    keywords: tuple[str, ...]
    pages: tuple[str, ...]


@dataclass(frozen=True)
class Answer:
    """One short answer in one language, with the example questions that lead to it."""

    id: str
    topic: str
    question: str  # a short label, for "Did you mean: 1 ... 2 ..."
    text: str
    urgent: bool
    examples: tuple[str, ...]


class LanguagePack:
    """Every string of the content in one language, its topics, answers and matchers."""

    def __init__(self, content: Content, lang: str, translations: NullTranslations) -> None:
        self.lang = lang
        self.content = content
        self.source = content.source
        self.translations = translations
        self.locale = locale_of(lang)
        self.strings: dict[str, str] = {
            key: str(translations.pgettext(key, english) or english)
            for key, english in content.source.items()
        }
        self.rtl = self.locale.character_order == "right-to-left"
        self._word_lists: dict[str, frozenset[str]] = {}
        self.topics: list[Topic] = [
            Topic(
                id=topic_id,
                number=number,
                title=self.strings[f"topics.{topic_id}.title"],
                spoken=self.strings[f"topics.{topic_id}.spoken"],
                keywords=tuple(split_list(self.strings[f"topics.{topic_id}.keywords"])),
                pages=tuple(
                    self.strings[f"topics.{topic_id}.pages.{page}"]
                    for page in range(1, content.page_counts[topic_id] + 1)
                ),
            )
            for number, topic_id in enumerate(content.topic_ids, start=1)
        ]
        self.by_id = {topic.id: topic for topic in self.topics}
        examples = content.examples(lang)
        self.answers: dict[str, Answer] = {
            answer_id: Answer(
                id=answer_id,
                topic=content.answer_topics[answer_id],
                question=self.strings[f"answers.{answer_id}.question"],
                text=self.strings[f"answers.{answer_id}.text"],
                urgent=answer_id in content.urgent_answers,
                examples=tuple(examples.get(answer_id, ())),
            )
            for answer_id in content.answer_ids
        }
        # A language whose every shown string is GSM-7 must stay so (3x cheaper per SMS).
        self.is_gsm7 = all(is_gsm7(text) for text in self.shown_strings())

    @cached_property
    def review(self) -> dict[str, str]:
        """Who has reviewed this catalogue, from its header: {"native": ..., "clinical": ...}.

        The .po header says it in two lines, "# Native speaker review: ..." and
        "# Clinical review: ...": "not yet" until a person has signed it off.
        """
        if self.lang == "en":
            return {"native": "source language", "clinical": "checked against shared/facts.md"}
        review = {"native": "not yet", "clinical": "not yet"}
        path = self.content.locales_dir / self.lang / "LC_MESSAGES" / "messages.po"
        if path.exists():
            with path.open(encoding="utf-8") as handle:
                for line in handle:
                    if not line.startswith("#"):
                        break
                    name, _, value = line.lstrip("# ").partition(":")
                    if name.strip().lower() == "native speaker review":
                        review["native"] = value.strip()
                    elif name.strip().lower() == "clinical review":
                        review["clinical"] = value.strip()
        return review

    @property
    def reviewed(self) -> bool:
        """True once a native speaker and a clinician have both signed the catalogue off."""
        return not any(value.startswith("not yet") for value in self.review.values())

    def shown_strings(self) -> list[str]:
        """The strings people see or hear (not keyword lists)."""
        return [text for key, text in self.strings.items() if not is_word_list(key)]

    @cached_property
    def matcher(self) -> Matcher:
        """The command and topic-keyword matcher for this language, built on first use."""
        return Matcher(
            topics={topic.id: topic.keywords for topic in self.topics},
            commands={
                name.removeprefix("commands."): split_list(text)
                for name, text in self.strings.items()
                if name.startswith("commands.")
            },
            common_words=split_list(self.strings["matching.common_words"]),
            stemmer=stemmer_for(self.lang),
            dictionary=self._example_words,
        )

    @cached_property
    def everyday_words(self) -> Counter[str]:
        """How many non-urgent example questions use each word: the language's everyday
        words, as against reports of being unwell."""
        counts: Counter[str] = Counter()
        for answer in self.answers.values():
            if not answer.urgent:
                for example in answer.examples:
                    counts.update(set(self.expand(normalise(example)).split()))
        return counts

    @cached_property
    def _example_words(self) -> frozenset[str]:
        """Every word of this language's example questions."""
        return frozenset(
            word
            for answer in self.answers.values()
            for example in answer.examples
            for word in normalise(example).split()
        )

    @cached_property
    def index(self) -> AnswerIndex:
        """The answer index: this language's examples, plus the English ones, because
        people mix English words in ("hsct cost usa"). Examples are read as texts are, with
        text-speak written out ("vc" -> "voce"), so the two meet."""
        english = self.content.pack("en").answers if self.lang != "en" else {}
        documents: list[tuple[str, str]] = []
        for answer in self.answers.values():
            documents += [(answer.id, self.expand(normalise(e))) for e in answer.examples]
            documents += [(answer.id, answer.question), (answer.id, answer.text)]
            if answer.id in english:
                documents += [(answer.id, example) for example in english[answer.id].examples]
        return AnswerIndex(
            self.lang,
            documents,
            self.word_list("common_words"),
            self.word_list("question_words"),
        )

    @cached_property
    def keyword_phrases(self) -> dict[str, str]:
        """Each topic keyword phrase, normalised, to its topic (the first topic to list it)."""
        phrases: dict[str, str] = {}
        for topic in self.topics:
            for keyword in topic.keywords:
                phrases.setdefault(" ".join(keyword.split()), topic.id)
        return phrases

    @cached_property
    def topic_names(self) -> dict[str, str]:
        """Each topic's title and spoken name, normalised, to the topic."""
        names = {normalise(topic.spoken): topic.id for topic in self.topics}
        names.update({normalise(topic.title): topic.id for topic in self.topics})
        return names

    def word_list(self, name: str) -> frozenset[str]:
        """One of the catalogue's matching word lists ("question_words"), read once."""
        if name not in self._word_lists:
            self._word_lists[name] = frozenset(split_list(self.strings[f"matching.{name}"]))
        return self._word_lists[name]

    @cached_property
    def vocabulary(self) -> frozenset[str]:
        """Every word this language's lists and example questions use."""
        words = set(self.matcher.known_words) | self._example_words
        return frozenset(word for word in words if not word.isdigit())

    @cached_property
    def spoken_terms(self) -> list[tuple[re.Pattern[str], str]]:
        """How a voice should say words it would misread: locales/<lang>/spoken.yaml maps
        "MS" to the local name of the illness, for example."""
        path = self.content.locales_dir / self.lang / "spoken.yaml"
        if self.lang == "en" or not path.exists():
            path = self.content.messages_dir / "spoken.yaml"
        if not path.exists():
            return []
        terms = (read_yaml(path) or {}).get("terms") or {}
        return [
            (re.compile(rf"(?<![^\W{_UNSPACED}]){re.escape(written)}(?![^\W{_UNSPACED}])"), said)
            for written, said in sorted(terms.items(), key=lambda item: -len(item[0]))
        ]

    def speakable(self, text: str) -> str:
        """Text as a voice should read it: the spoken forms of terms put in."""
        for pattern, said in self.spoken_terms:
            text = pattern.sub(said, text)
        return text

    @cached_property
    def values(self) -> dict[str, str]:
        """values.yaml's figures, written the local way."""
        return {name: self.format_value(spec) for name, spec in self.content.values.items()}

    @cached_property
    def spoken_values(self) -> dict[str, str]:
        """values.yaml's figures as a voice should say them."""
        return {
            name: self.format_value(spec, spoken=True) for name, spec in self.content.values.items()
        }

    @cached_property
    def shorthands(self) -> dict[str, str]:
        """Text-speak people use, and what it stands for ("r" -> "are"): matching.shorthands."""
        pairs = (part.split("=", 1) for part in self.strings["matching.shorthands"].split(","))
        return {
            normalise(short): normalise(long) for short, long in (p for p in pairs if len(p) == 2)
        }

    def expand(self, words: str) -> str:
        """Normalised words with text-speak written out."""
        return " ".join(self.shorthands.get(word, word) for word in words.split())

    def text(self, key: str, /, **values: object) -> str:
        """A system string with its placeholders filled in."""
        return self.fill(f"system.{key}", **values)

    def fill(self, key: str, /, **values: object) -> str:
        """Fill a string's placeholders; a broken translation falls back to English.

        In right-to-left languages, phone numbers are wrapped in isolates, so that
        "+44 20 7946 0000" is not shown with its digit groups reversed.
        """
        if self.rtl:
            values = {
                name: f"{LRI}{value}{PDI}" if name in NUMBER_PLACEHOLDERS and value else value
                for name, value in values.items()
            }
        try:
            return self.strings[key].format(**values)
        except (KeyError, IndexError, ValueError):
            log.error("placeholder error in %s (%s); using English", key, self.lang)
        try:
            return self.source[key].format_map(_Blank(values))
        except (IndexError, ValueError):
            return self.source[key]

    def page(self, topic: Topic, index: int, spoken: bool = False, **values: object) -> str:
        """One page of a topic with its placeholders (and values.yaml's) filled in."""
        figures = self.spoken_values if spoken else self.values
        text = self.fill(f"topics.{topic.id}.pages.{index + 1}", **figures, **values)
        return self.speakable(text) if spoken else text

    def answer_text(self, answer_id: str, spoken: bool = False, **values: object) -> str:
        """An answer's text with its placeholders filled in."""
        figures = self.spoken_values if spoken else self.values
        text = self.fill(f"answers.{answer_id}.text", **figures, **values)
        return self.speakable(text) if spoken else text

    def plural(self, key: str, count: int, **values: object) -> str:
        """A string with plural forms, for ``count``, the number written for the locale."""
        one, other = self.content.plurals[f"system.{key}"]
        text = self.translations.npgettext(f"system.{key}", one, other, count)
        shown = format_decimal(count, locale=self.locale)
        try:
            return str(text).format(count=shown, **values)
        except (KeyError, IndexError, ValueError):
            log.error("placeholder error in plural %s (%s); using English", key, self.lang)
            return (one if count == 1 else other).format(count=count, **values)

    def format_value(self, spec: Mapping[str, Any], spoken: bool = False) -> str:
        """Write a fact from values.yaml the local way: money, a month, a temperature."""
        if "money" in spec:
            amount, currency = spec["money"], spec["currency"]
            name = get_currency_name(currency, count=amount, locale=self.locale)
            # CLDR groups digits with a no-break space in some languages ("150 000"): a
            # plain one reads the same and keeps a text in GSM-7.
            number = format_decimal(amount, locale=self.locale).translate(_PLAIN_SPACES)
            return f"{number} {name}"
        if "month" in spec:
            year, month = (int(part) for part in str(spec["month"]).split("-"))
            return format_skeleton("yMMMM", datetime.date(year, month, 1), locale=self.locale)
        if "celsius" in spec:
            celsius = spec["celsius"]
            fahrenheit = round(celsius * 9 / 5 + 32, 1)
            key = "voice.temperature" if spoken else "system.temperature"
            return self.fill(
                key,
                celsius=format_decimal(celsius, locale=self.locale),
                fahrenheit=format_decimal(fahrenheit, locale=self.locale),
            )
        raise ValueError(f"values.yaml: cannot format {spec!r}")


def locale_of(lang: str) -> Locale:
    """The Babel locale for a language code (English when the code is unknown)."""
    try:
        return Locale.parse(lang)
    except (ValueError, UnknownLocaleError):
        return Locale.parse("en")


class _Blank(dict):
    """Placeholders nobody fills come out empty rather than failing."""

    def __missing__(self, key: str) -> str:
        return ""
