"""Which language to answer in: chosen by name, read from the text, or from the number.

Order (the first that applies wins): an explicit choice in this message > the caller's
stored choice > the language this message is written in > the country of the number >
the deployer's default. The core applies that order; this module answers each question.

Reading the language of a text combines two kinds of evidence: the script (Devanagari is
Hindi here, Han characters Chinese), and for Latin and Arabic script the line's own
vocabulary (its keywords and example questions) together with lingua's language
identifier. A greeting or one short word is no evidence: the number's country decides.
"""

from __future__ import annotations

import functools
from collections import Counter
from functools import cached_property
from typing import Any

from babel.languages import get_official_languages

from .content import Content, LanguagePack, locale_of
from .words import MAX_TOKENS, normalise, unspaced

# Words people type in every language: they say nothing about which one.
SHARED_WORDS = frozenset(
    " ".join(
        [
            "hsct ahsct ms sm em mis tme dmt dmts edss nhs ok okay pls plz thx hi hello hey",
            "mist beat ram starms fact jacie picc hickman ocrevus lemtrada tysabri kesimpta",
            "mavenclad covid mri",
        ]
    ).split()
)
# A text must say this much before it counts as evidence of a (Latin-script) language.
MIN_TOKENS, MIN_LETTERS, MIN_LONE_WORD = 2, 8, 6
# How much clearer another language must be before a texter's language changes.
SWITCH_MARGIN, MIN_SCORE = 0.25, 0.45
# A word known in this many languages or more says nothing about which one a text is in.
DISTINCTIVE_IN = 3
# lingua's names for the languages the line carries.
LINGUA_NAMES = {
    "en": "ENGLISH",
    "es": "SPANISH",
    "fr": "FRENCH",
    "de": "GERMAN",
    "it": "ITALIAN",
    "pt": "PORTUGUESE",
    "pl": "POLISH",
    "cy": "WELSH",
    "ar": "ARABIC",
    "ur": "URDU",
    "hi": "HINDI",
    "zh_Hans": "CHINESE",
}


class Languages:
    """The enabled languages, their names, and what a text says about its language."""

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

    def command(self, words: str, lang: str) -> str | None:
        """A command in the caller's language, or in English, which always works."""
        command = self._pack(lang).matcher.command(words)
        if command is None and lang != "en":
            # Exact English only: a typo guess would read French "mort" as "more".
            command = self.content.pack("en").matcher.command(words, typos=False)
        return command

    def for_country(self, region: str) -> str | None:
        """The first enabled official language of a country (babel's CLDR data)."""
        for official in get_official_languages(region.upper(), de_facto=True):
            if official in self.enabled:
                return official
            if "_" not in official and official in self.codes:  # "zh" -> "zh_Hans"
                return self.codes[official]
        return None

    # Reading the language of a text ----------------------------------------------------

    def detect(self, words: str, current: str | None) -> str | None:
        """The language a message is written in, when it says so clearly; else None.

        ``current`` is the language the texter has been answered in so far: another
        language must be clearly ahead before it replaces it (when none can be, current).
        """
        tokens = [t for t in words.split()[:MAX_TOKENS] if not t.isdigit()]
        if not tokens:
            return None
        by_script = self._by_script(words)
        if by_script is not None:
            candidates = [code for code in by_script if code in self.enabled]
            if len(candidates) <= 1:
                return candidates[0] if candidates else None
        else:
            candidates = [code for code in self.enabled if code in self._latin]
        meaningful = [t for t in tokens if t not in SHARED_WORDS]
        letters = sum(len(t) for t in meaningful)
        lone_word = len(meaningful) == 1 and letters >= MIN_LONE_WORD
        if by_script is None and len(meaningful) < MIN_TOKENS and not lone_word:
            return None
        if letters < MIN_LETTERS and not lone_word and by_script is None:
            return None
        shares = self._vocabulary_shares(meaningful, candidates)
        if current in shares and all(
            shares[current] - share > 1 - 2 * SWITCH_MARGIN
            for code, share in shares.items()
            if code != current
        ):
            # lingua's half of a score adds at most 0.5, so no language can get
            # SWITCH_MARGIN ahead of one this far ahead on words: lingua is not asked.
            return current
        scores = self._scores(" ".join(meaningful), shares)
        if not scores:
            return None
        best = max(scores, key=lambda code: (scores[code], code == current))
        if best == current:
            return current
        if lone_word and shares[best] < 1:
            return None  # one word that is not even ours says nothing
        ahead = scores[best] - scores.get(current or "", 0.0)
        if scores[best] >= MIN_SCORE and (current is None or ahead >= SWITCH_MARGIN):
            return best
        return None

    def _scores(self, text: str, shares: dict[str, float]) -> dict[str, float]:
        """Half lingua's confidence, half the share of words from this language's vocabulary."""
        identified = self._identify(text, tuple(shares))
        return {
            code: 0.5 * identified.get(code, 0.0) + 0.5 * share for code, share in shares.items()
        }

    def _vocabulary_shares(self, tokens: list[str], codes: list[str]) -> dict[str, float]:
        """Each language's share of the text's distinctive words (known in fewer than
        DISTINCTIVE_IN languages, unknown ones included)."""
        counts = self._word_counts
        distinctive = [t for t in tokens if counts.get(t, 0) < DISTINCTIVE_IN]
        if not distinctive:
            return dict.fromkeys(codes, 0.0)
        known = Counter(code for t in distinctive for code in self._known_in.get(t, ()))
        return {code: known[code] / len(distinctive) for code in codes}

    def _identify(self, text: str, candidates: tuple[str, ...]) -> dict[str, float]:
        detector = _detector(candidates)
        if detector is None:
            return {}
        codes = {LINGUA_NAMES[code]: code for code in candidates}
        return {
            codes[value.language.name]: value.value
            for value in detector.compute_language_confidence_values(text)
            if value.language.name in codes
        }

    @staticmethod
    def _by_script(words: str) -> tuple[str, ...] | None:
        """Languages a non-Latin script points to, or None for Latin text."""
        if unspaced(words):
            return ("zh_Hans",)
        if any("\u0900" <= char <= "\u097f" for char in words):
            return ("hi",)
        if any("\u0600" <= char <= "\u06ff" for char in words):
            return ("ar", "ur")
        return None

    @cached_property
    def _latin(self) -> frozenset[str]:
        return frozenset(code for code in self.enabled if code not in {"zh_Hans", "hi", "ar", "ur"})

    @cached_property
    def _vocabularies(self) -> dict[str, frozenset[str]]:
        """Every word each language's lists and example questions use."""
        return {code: self._pack(code).vocabulary for code in self.enabled}

    @cached_property
    def _known_in(self) -> dict[str, tuple[str, ...]]:
        """The languages each distinctive word belongs to."""
        known: dict[str, list[str]] = {}
        for code, vocabulary in self._vocabularies.items():
            for word in vocabulary:
                if self._word_counts[word] < DISTINCTIVE_IN:
                    known.setdefault(word, []).append(code)
        return {word: tuple(codes) for word, codes in known.items()}

    @cached_property
    def _word_counts(self) -> dict[str, int]:
        """In how many languages each word is known: a word of many says little."""
        counts: dict[str, int] = {}
        for vocabulary in self._vocabularies.values():
            for word in vocabulary:
                counts[word] = counts.get(word, 0) + 1
        return counts

    def _pack(self, code: str) -> LanguagePack:
        return self.content.pack(code)


@functools.lru_cache(maxsize=8)
def _detector(candidates: tuple[str, ...]) -> Any:
    """lingua's detector for these languages, in its small, fast mode (about 30 MB)."""
    try:
        from lingua import Language, LanguageDetectorBuilder
    except ImportError:  # detection then rests on the line's own vocabulary
        return None
    languages = [getattr(Language, LINGUA_NAMES[code]) for code in candidates]
    if len(languages) < 2:
        return None
    return LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()
