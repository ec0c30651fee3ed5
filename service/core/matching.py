"""Commands and keyword phrases: what a short text names, typos and run-together words too.

Deterministic and offline: keyword phrases (exact words, typos by rapidfuzz, or other forms
of the same word by a Snowball stemmer: "burns when i pee" meets "burning when i pee"), then
keywords typed without spaces. Questions go to the answer index.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from rapidfuzz import fuzz, process

from .words import MAX_TOKENS, unspaced

# Similarity (0-100) for a typo: "rsks"/"risks" 89, "recovry"/"recovery" 93,
# "eligable"/"eligible" 88; "cough"/"tough" 80 and "cost"/"most" 75 stay apart.
TYPO_CUTOFF = 85
MIN_TYPO_LENGTH = 4
# Keywords typed without spaces ("sideeffects") are found inside the message.
MIN_JOINED_LENGTH = 7

_NUMBER = re.compile(r"^\D{0,12}?(\d{1,2})\D{0,3}$")


class Matcher:
    """Match a message against one language's commands and topic keywords."""

    def __init__(
        self,
        topics: Mapping[str, Iterable[str]],
        commands: Mapping[str, Iterable[str]],
        common_words: Iterable[str],
        stemmer: Any = None,
        dictionary: Iterable[str] = (),
    ) -> None:
        self.common = frozenset(common_words)
        self.stemmer = stemmer
        # Words of the language that are never read as typos of a keyword: French "voir"
        # is not a misspelt "vomir".
        self.dictionary = frozenset(dictionary)
        # Whole phrases first, then their significant words ("more please" -> "more"); a
        # whole phrase wins, so "no voice notes" is not read as "voice notes".
        self.commands: dict[str, str] = {}
        for name, phrases in commands.items():
            for phrase in phrases:
                self.commands.setdefault(phrase, name)
        for name, phrases in commands.items():
            for phrase in phrases:
                self.commands.setdefault(self._significant(phrase) or phrase, name)
        # Keyword phrases, indexed by their first word for a quick scan.
        self.phrases: list[tuple[tuple[str, ...], str]] = []
        self.by_first_word: dict[str, list[int]] = {}
        self.stems: list[tuple[str, ...]] = []
        self.by_first_stem: dict[str, list[int]] = {}
        for topic_id, keywords in topics.items():
            for keyword in keywords:
                tokens = tuple(keyword.split())
                stems = self._stem(tokens)
                self.by_first_word.setdefault(tokens[0], []).append(len(self.phrases))
                self.by_first_stem.setdefault(stems[0], []).append(len(self.phrases))
                self.phrases.append((tokens, topic_id))
                self.stems.append(stems)
        self.topic_order = {topic_id: index for index, topic_id in enumerate(topics)}
        self.vocabulary = sorted(
            {token for tokens, _ in self.phrases for token in tokens if token not in self.common}
        )
        self.known_tokens = frozenset(self.vocabulary)
        joined = [
            ("".join(tokens), (topic_id, len(tokens)))
            for tokens, topic_id in self.phrases
            if len("".join(tokens)) >= MIN_JOINED_LENGTH
        ]
        self.joined = Substrings(joined, width=3)
        # Scripts written without spaces (Chinese): keywords are found inside the text.
        self.unspaced = Substrings(
            ("".join(tokens), topic_id) for tokens, topic_id in self.phrases if unspaced(tokens[0])
        )
        # Every word this language's lists know, to tell which language a text is in.
        self.known_words = (
            {token for tokens, _ in self.phrases for token in tokens}
            | {token for phrase in self.commands for token in phrase.split()}
            | set(self.common)
        )
        self._corrections: dict[str, str | None] = {}

    def _significant(self, text: str) -> str:
        return " ".join(token for token in text.split() if token not in self.common)

    def command(self, normalised: str, typos: bool = True) -> str | None:
        """The command a whole message is, ignoring polite words ("more please" -> more)."""
        if normalised in self.commands:
            return self.commands[normalised]
        significant = self._significant(normalised)
        if significant in self.commands:
            return self.commands[significant]
        if (
            typos
            and " " not in significant
            and len(significant) >= MIN_TYPO_LENGTH
            and significant not in self.dictionary  # French "mort" is not a misspelt "mor(e)"
        ):
            found = process.extractOne(
                significant, self.commands.keys(), scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF
            )
            if found:
                return self.commands[found[0]]
        return None

    @staticmethod
    def number(normalised: str) -> int | None:
        """A menu number in a short message: "4", "no 4", "topic 4", "#4"."""
        match = _NUMBER.match(normalised)
        return int(match.group(1)) if match else None

    def scores(self, normalised: str, typos: bool = True) -> dict[str, float]:
        """Score every topic the message touches; higher is a better match.

        ``typos=False`` skips the typo search: exact words only, for a quick look.
        """
        tokens = normalised.split()[:MAX_TOKENS]
        scores: dict[str, float] = {}
        for index, (weight, _span) in self._phrases_in(tokens, typos).items():
            topic_id = self.phrases[index][1]
            scores[topic_id] = scores.get(topic_id, 0.0) + weight
        compact = "".join(tokens)
        # Keywords run together with no spaces ("sideeffects"): only a long unknown word
        # can hide them, so most messages skip this search.
        if any(len(t) >= MIN_JOINED_LENGTH and t not in self.known_tokens for t in tokens):
            for topic_id, size in self.joined.find(compact):
                scores.setdefault(topic_id, float(size))
        if self.unspaced and unspaced(compact):
            for topic_id in self.unspaced.find(compact):
                scores[topic_id] = scores.get(topic_id, 0.0) + 2.0
        return scores

    def covered(self, normalised: str, topic_id: str) -> set[int]:
        """Positions of the words that belong to a keyword phrase of one topic: "when" in
        "burns when i pee" is part of a symptom, not a question."""
        tokens = normalised.split()[:MAX_TOKENS]
        positions: set[int] = set()
        for index, (_weight, span) in self._phrases_in(tokens, typos=True).items():
            if self.phrases[index][1] == topic_id:
                positions.update(range(*span))
        return positions

    def _phrases_in(
        self, tokens: list[str], typos: bool
    ) -> dict[int, tuple[float, tuple[int, int]]]:
        """Every keyword phrase standing in the tokens: phrase index -> (weight, span)."""
        # Each token stands for itself, for the keyword word it is a typo of, and for its stem.
        corrected = [self._correct(token) if typos else None for token in tokens]
        stems = self._stem(tokens) if typos else tokens
        found: dict[int, tuple[float, tuple[int, int]]] = {}  # each phrase once, at its best
        for start, (token, correction) in enumerate(zip(tokens, corrected, strict=True)):
            candidates = [*self.by_first_word.get(token, ())]
            if correction:
                candidates += self.by_first_word.get(correction, ())
            if typos:
                candidates += self.by_first_stem.get(stems[start], ())
            for index in candidates:
                weight, end = _phrase_weight(
                    self.phrases[index][0],
                    self.stems[index],
                    tokens,
                    corrected,
                    stems,
                    start,
                    self.common,
                )
                if weight > found.get(index, (0.0, (0, 0)))[0]:
                    found[index] = (weight, (start, end))
        return found

    def _stem(self, tokens: Iterable[str]) -> tuple[str, ...]:
        tokens = tuple(tokens)
        return tuple(self.stemmer.stemWords(tokens)) if self.stemmer else tokens

    def best(self, scores: dict[str, float]) -> str | None:
        """The highest-scoring topic; ties go to the earlier topic."""
        if not scores:
            return None
        return max(scores, key=lambda topic_id: (scores[topic_id], -self.topic_order[topic_id]))

    def _correct(self, token: str) -> str | None:
        if token in self.common or len(token) < MIN_TYPO_LENGTH or token in self.dictionary:
            return None
        if token in self._corrections:
            return self._corrections[token]
        found = process.extractOne(
            token, self.vocabulary, scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF
        )
        correction = found[0] if found and found[0] != token else None
        if len(self._corrections) < 10_000:  # bounded: a cache, not a log of what people typed
            self._corrections[token] = correction
        return correction


class Substrings:
    """Find which of many keywords occur inside a text, without trying each one.

    Keywords are indexed by their first ``width`` characters; the text is scanned once.
    """

    def __init__(self, entries: Iterable[tuple[str, object]], width: int = 1) -> None:
        self.width = width
        self.by_first: dict[str, list[tuple[str, object]]] = {}
        for text, payload in entries:
            if len(text) >= width:
                self.by_first.setdefault(text[:width], []).append((text, payload))

    def __bool__(self) -> bool:
        return bool(self.by_first)

    def find(self, text: str) -> list:
        """The payloads of every keyword found in the text, once each."""
        found: dict[str, object] = {}
        width = self.width
        for position in range(len(text) - width + 1):
            for keyword, payload in self.by_first.get(text[position : position + width], ()):
                if keyword not in found and text.startswith(keyword, position):
                    found[keyword] = payload
        return list(found.values())


# Words a phrase's words may stand apart by, in all, and what that costs its weight.
MAX_GAP = 3
GAP_FACTOR = 0.6
# A stem this short joins unrelated words (Spanish "morir" and "morados" both give "mor").
MIN_STEM_LENGTH = 4


def _same_stem(token: str, word: str, token_stem: str, word_stem: str) -> bool:
    """Two forms of one word: the same stem, long enough, that both words begin with (so a
    stemmer that strips prefixes, as Arabic's does, cannot join different words)."""
    return (
        token_stem == word_stem
        and len(token_stem) >= MIN_STEM_LENGTH
        and token.startswith(token_stem)
        and word.startswith(token_stem)
    )


def _phrase_weight(
    phrase: tuple[str, ...],
    phrase_stems: tuple[str, ...],
    tokens: list[str],
    corrected: list[str | None],
    stems: tuple[str, ...] | list[str],
    start: int,
    common: frozenset[str] = frozenset(),
) -> tuple[float, int]:
    """How strongly a phrase stands at tokens[start:], and where it ends. Exact words count
    fully; other forms of a word (same stem) or typos less; so do a few words in between
    ("katheter ... ist rot" for "katheter rot": word order moves phrases apart), but
    only to reach a word that says something: a common word ("is") is found anywhere."""
    at, gaps, exact = start, 0, True
    for offset, word in enumerate(phrase):
        while True:
            if at >= len(tokens):
                return 0.0, start
            if tokens[at] == word:
                break
            if corrected[at] == word or _same_stem(
                tokens[at], word, stems[at], phrase_stems[offset]
            ):
                exact = False
                break
            if offset == 0 or gaps >= MAX_GAP or word in common:
                return 0.0, start
            gaps, at = gaps + 1, at + 1
        at += 1
    # Longer phrases say more: "back to work" outweighs "work".
    weight = len(phrase) ** 2 * (1.0 if exact else 0.8) * (GAP_FACTOR if gaps else 1.0)
    return weight, at
