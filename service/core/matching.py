"""Commands and keyword phrases: what a short text names, typos and run-together words too.

Deterministic and offline: keyword phrases, then typo-tolerant single words
(rapidfuzz), then keywords typed without spaces. Questions go to the answer index.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

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
    ) -> None:
        self.common = frozenset(common_words)
        self.commands: dict[str, str] = {}
        for name, phrases in commands.items():
            for phrase in phrases:
                self.commands.setdefault(self._significant(phrase) or phrase, name)
        # Keyword phrases, indexed by their first word for a quick scan.
        self.phrases: list[tuple[tuple[str, ...], str]] = []
        self.by_first_word: dict[str, list[int]] = {}
        for topic_id, keywords in topics.items():
            for keyword in keywords:
                self.by_first_word.setdefault(keyword.split()[0], []).append(len(self.phrases))
                self.phrases.append((tuple(keyword.split()), topic_id))
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
        if typos and " " not in significant and len(significant) >= MIN_TYPO_LENGTH:
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
        # Each token stands for itself or, if it is a typo of a keyword word, for that word.
        corrected = [self._correct(token) if typos else None for token in tokens]
        found: dict[int, float] = {}  # phrase index -> weight; each phrase counts once
        for start, (token, correction) in enumerate(zip(tokens, corrected, strict=True)):
            for first in (token, correction):
                for index in self.by_first_word.get(first, ()) if first else ():
                    weight = _phrase_weight(self.phrases[index][0], tokens, corrected, start)
                    found[index] = max(found.get(index, 0.0), weight)
        scores: dict[str, float] = {}
        for index, weight in found.items():
            if weight:
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

    def topic(self, normalised: str) -> str | None:
        """The best topic for a message, or None when nothing matches."""
        return self.best(self.scores(normalised))

    def best(self, scores: dict[str, float]) -> str | None:
        """The highest-scoring topic; ties go to the earlier topic."""
        if not scores:
            return None
        return max(scores, key=lambda topic_id: (scores[topic_id], -self.topic_order[topic_id]))

    def _correct(self, token: str) -> str | None:
        if token in self.common or len(token) < MIN_TYPO_LENGTH:
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


def _phrase_weight(
    phrase: tuple[str, ...], tokens: list[str], corrected: list[str | None], start: int
) -> float:
    """How strongly a phrase stands at tokens[start:]: exact words count fully, typos less."""
    if start + len(phrase) > len(tokens):
        return 0.0
    exact = True
    for offset, word in enumerate(phrase):
        if tokens[start + offset] == word:
            continue
        if corrected[start + offset] != word:
            return 0.0
        exact = False
    # Longer phrases say more: "back to work" outweighs "work".
    return len(phrase) ** 2 * (1.0 if exact else 0.8)
