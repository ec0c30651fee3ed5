"""Which language to answer in: chosen by name, read from the text, or from the number.

Order (the first that applies wins): an explicit choice in this message > the caller's
stored choice > the language this message is written in > the country of the number >
the deployer's default. The core applies that order; this module answers each question.
"""

from __future__ import annotations

from dataclasses import dataclass

from babel.languages import get_official_languages

from .content import Content, LanguagePack, locale_of
from .matching import MAX_TOKENS, Matcher, normalise, unspaced

URGENT_TOPIC = "urgent"


@dataclass(frozen=True)
class Understanding:
    """What a message is about, whatever language it is in."""

    urgent: bool  # reads as "unwell after a transplant"
    topic: str | None  # the best topic, if any


class Languages:
    """The enabled languages, their names, and matching across them."""

    def __init__(self, content: Content, enabled: tuple[str, ...], default: str) -> None:
        self.content = content
        self.enabled = enabled
        self.default = default
        # Names people may text to pick a language: its own name and its English name.
        self.aliases: dict[str, str] = {}
        self.codes: dict[str, str] = {}
        for code in enabled:
            locale = locale_of(code)
            for name in {
                locale.get_display_name(code),
                locale.get_language_name(code),
                locale.get_display_name("en"),
                locale.get_language_name("en"),
            }:
                if name:
                    self.aliases.setdefault(normalise(name), code)
            self.codes[normalise(code)] = code
            self.codes.setdefault(locale.language, code)
        # Which languages know each word (digits say nothing about the language).
        languages_of: dict[str, list[str]] = {}
        for code in enabled:
            for word in content.pack(code).matcher.known_words:
                if not word.isdigit():
                    languages_of.setdefault(word, []).append(code)
        self.word_languages = {word: tuple(codes) for word, codes in languages_of.items()}
        # Every enabled language's keywords in one matcher, for one quick exact look.
        merged: dict[str, list[str]] = {}
        for code in enabled:
            for topic in content.pack(code).topics:
                merged.setdefault(topic.id, []).extend(topic.keywords)
        self.everywhere = Matcher(merged, commands={}, common_words=())

    def name(self, code: str) -> str:
        """A language's name in that language: "Español", "Cymraeg"."""
        name = locale_of(code).get_display_name(code) or code
        return name[:1].upper() + name[1:]

    def explicit_choice(self, words: str) -> str | None:
        """A language named in the message: "LANG es", "language welsh", "Cymraeg"."""
        if words in self.aliases:
            return self.aliases[words]
        first, _, rest = words.partition(" ")
        if rest and self.command(first, self.default) == "lang":
            return self.aliases.get(rest) or self.codes.get(rest)
        return None

    def detect(self, words: str, prefer: str) -> str | None:
        """The language a message is written in, when its words say so clearly."""
        if not words:
            return None
        counts = dict.fromkeys(self.enabled, 0)
        for token in words.split()[:MAX_TOKENS]:
            for code in self.word_languages.get(token, ()):
                counts[code] += 1
        if unspaced(words):  # Chinese: count the keywords found inside the text
            for code in self.enabled:
                counts[code] += len(self._pack(code).matcher.unspaced.find(words.replace(" ", "")))
        best = max(counts.values())
        if best == 0:
            return None
        # Ties keep the current language, then the default, then the list order.
        for code in (prefer, self.default, *self.enabled):
            if counts.get(code) == best:
                return code
        return None

    def for_country(self, region: str) -> str | None:
        """The first enabled official language of a country (babel's CLDR data)."""
        for official in get_official_languages(region.upper(), de_facto=True):
            if official in self.enabled:
                return official
            if "_" not in official and official in self.codes:  # "zh" -> "zh_Hans"
                return self.codes[official]
        return None

    def command(self, words: str, lang: str) -> str | None:
        """A command in the caller's language, or in English, which always works."""
        command = self._pack(lang).matcher.command(words)
        if command is None and lang != "en":
            # Exact English only: a typo guess would read French "mort" as "more".
            command = self.content.pack("en").matcher.command(words, typos=False)
        return command

    def understand(self, words: str, lang: str) -> Understanding:
        """Read a message for topics: in the caller's language (typos too), then in every
        enabled language at once (exact words), so "fiebre" still means fever."""
        own = self._pack(lang).matcher
        scores = own.scores(words)
        everywhere = self.everywhere.scores(words, typos=False)
        return Understanding(
            urgent=URGENT_TOPIC in scores or URGENT_TOPIC in everywhere,
            topic=own.best(scores) or self.everywhere.best(everywhere),
        )

    def _pack(self, code: str) -> LanguagePack:
        return self.content.pack(code)
