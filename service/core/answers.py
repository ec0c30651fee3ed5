"""Rank the answer bank against a question: BM25 over words and character n-grams.

Each answer is known by its example questions (and its own question and text). A text
is turned into features: stemmed words (PyStemmer, where Snowball has the language) and
character 3-grams of each word, which carry typos, inflections and scripts without
spaces. bm25s scores every example; an answer scores as its best example. The
confidence is that score over the best score the text could reach (a document equal to
itself), times the share of the text's own words the line knows at all (typos
included): "can u fix my wifi" shares "fix" with a question about nerve damage, but
"wifi" is unknown, so it is only half understood.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process

from .matching import MIN_TYPO_LENGTH, TYPO_CUTOFF
from .words import MAX_TOKENS, normalise, stemmer_for, unspaced

NGRAM = 3
K1, B = 1.2, 0.75  # BM25's usual constants
SMALL_TALK_WORDS = 3  # a text this short, of common words only, asks nothing
# A whole word counts as much as this many n-grams: it is stronger evidence than a part.
WORD_WEIGHT = 8
COMMON_WORD_WEIGHT = 4  # a common word ("will", "after") counts for less


@dataclass(frozen=True)
class Ranked:
    """An answer and how sure the index is about it (0: not at all; 1 or more: fully)."""

    answer: str
    confidence: float


class AnswerIndex:
    """One language's answers, ready to rank a question against."""

    def __init__(
        self,
        lang: str,
        documents: Iterable[tuple[str, str]],  # (answer id, example text)
        common_words: Iterable[str],
        question_words: Iterable[str] = (),
    ) -> None:
        self.lang = lang
        documents = list(documents)
        self.common = frozenset(common_words)
        self.question_words = frozenset(question_words)
        self.stemmer = stemmer_for(lang)
        self.labels: list[str] = []
        corpus: list[list[str]] = []
        for answer_id, text in documents:
            features = self.features(text)
            if features:
                self.labels.append(answer_id)
                corpus.append(features)
        self.size = len(corpus)
        self._answers = list(dict.fromkeys(self.labels))
        # Each example's cell in a table of one row per answer (padded with zeros, at least
        # two wide): scores land straight in it, and each row's two best are one partition.
        row = {answer: index for index, answer in enumerate(self._answers)}
        self._width = max([2, *Counter(self.labels).values()])
        seen: Counter[str] = Counter()
        cells = []
        for label in self.labels:
            cells.append(row[label] * self._width + seen[label])
            seen[label] += 1
        self._cell = np.array(cells, dtype=np.int64)
        self._vocabulary = frozenset(
            word for _, text in documents for word in normalise(text).split()
        )
        self._vocabulary_list = sorted(self._vocabulary)
        self._stem_vocabulary = frozenset(
            self.stemmer.stemWords(self._vocabulary_list) if self.stemmer else ()
        )
        self._typos: dict[str, bool] = {}
        self.document_frequency: Counter[str] = Counter()
        for features in corpus:
            self.document_frequency.update(set(features))
        self.average_length = sum(map(len, corpus)) / max(self.size, 1)
        self._corpus = corpus

    @cached_property
    def _bm25(self) -> Any:
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs each index it builds
        retriever = bm25s.BM25(k1=K1, b=B)
        retriever.index(self._corpus, show_progress=False)
        self._corpus = []  # the index holds what it needs; the token lists are large
        return retriever

    def warm(self) -> None:
        """Build the scoring tables now rather than on the first question."""
        _ = self._postings, self._idf

    def features(self, text: str) -> list[str]:
        """Stemmed words, and the character n-grams of all but the language's common words.

        Common words stay as words: BM25's weights make them count for little, but "can
        I still have it" needs its "still have" to find an age question.
        """
        return self._features(normalise(text).split()[:MAX_TOKENS])

    def _features(self, words: list[str]) -> list[str]:
        if not words:
            return []
        if unspaced("".join(words)):
            return _cjk_features("".join(words))
        stems = self.stemmer.stemWords(words) if self.stemmer else words
        features = [
            f"w:{stem}"
            for word, stem in zip(words, stems, strict=True)
            for _ in range(COMMON_WORD_WEIGHT if word in self.common else WORD_WEIGHT)
        ]
        # A number's shape says more than its value: "im 52" and "im 60" both tell an age.
        features += [f"n:{len(word)}" for word in words if word.isdigit()]
        for word in words:
            if word in self.common:
                continue
            padded = f"#{word}#"
            features += [f"c:{padded[i : i + NGRAM]}" for i in range(len(padded) - NGRAM + 1)]
        return features

    def rank(self, text: str, limit: int = 3) -> list[Ranked]:
        """The best answers for a text, best first, each answer once."""
        words = normalise(text).split()
        if (
            len(words) <= SMALL_TALK_WORDS
            and all(word in self.common for word in words)
            and (len(words) == 1 or not self.question_words.intersection(words))
        ):
            return []  # "hello there", "ok thanks": small talk; "what is hsct" asks
        features = self._features(words[:MAX_TOKENS])
        if not features or not self.size:
            return []
        every = Counter(features)
        counts = {f: n for f, n in every.items() if f in self.document_frequency}
        if not counts:
            return []
        table = self._scores(counts).reshape(len(self._answers), self._width)
        # Each answer's best example, and the mean of its two best to rank by: an answer
        # that two examples fit beats one that a single odd example fits (cross-validation:
        # +3 points in every language).
        two_best = np.partition(table, self._width - 2, axis=1)[:, -2:]
        best = two_best[:, 1]
        top = np.argsort(-two_best.sum(axis=1), kind="stable")[:limit]
        ceiling = self._self_score(every, len(features)) / self._coverage(words)
        # The confidence is the best example's: not capped at 1, so a text that matches
        # several answers fully stays a tie.
        answers = self._answers
        return [
            Ranked(answers[i], score / ceiling)
            for i, score in zip(top.tolist(), best[top].tolist(), strict=True)
            if score > 0
        ]

    @cached_property
    def _postings(
        self,
    ) -> tuple[dict[str, int], list[np.ndarray], list[np.ndarray], np.ndarray, int]:
        """bm25s's precomputed index, per feature id: its examples (as table cells), their
        scores and how many there are; and the size of the table."""
        bm25 = self._bm25
        index = bm25.scores
        indptr = np.asarray(index["indptr"], dtype=np.int64)
        cells = self._cell[np.asarray(index["indices"], dtype=np.int64)]
        data = np.asarray(index["data"])
        bounds = list(zip(indptr[:-1].tolist(), indptr[1:].tolist(), strict=True))
        cell_runs = [cells[start:end] for start, end in bounds]
        score_runs = [data[start:end] for start, end in bounds]
        size = len(self._answers) * self._width
        return bm25.vocab_dict, cell_runs, score_runs, np.diff(indptr), size

    def _scores(self, counts: dict[str, int]) -> np.ndarray:
        """BM25 scores of every example for these features, in the examples' table cells:
        each distinct feature's postings read once and weighted by how often the text has
        it (what bm25s's own get_scores does one repeated feature at a time), in one go."""
        vocabulary, cell_runs, score_runs, lengths, size = self._postings
        ids = [vocabulary[feature] for feature in counts]
        times = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        weights = np.concatenate([score_runs[i] for i in ids]) * np.repeat(times, lengths[ids])
        cells = np.concatenate([cell_runs[i] for i in ids])
        return np.bincount(cells, weights=weights, minlength=size)

    def _coverage(self, words: list[str]) -> float:
        """The share of a text's own words (not the common ones) the line knows, typos too."""
        own = [w for w in words[:MAX_TOKENS] if w not in self.common and not w.isdigit()]
        if not own or unspaced("".join(own)):
            return 1.0
        return max(sum(1 for word in own if self._knows(word)) / len(own), 0.05)

    def _knows(self, word: str) -> bool:
        """A word of the examples, another form of one ("infections"), or a typo of one."""
        if word in self._vocabulary:
            return True
        if self.stemmer and self.stemmer.stemWord(word) in self._stem_vocabulary:
            return True
        if len(word) < MIN_TYPO_LENGTH:
            return False
        if word not in self._typos:
            found = process.extractOne(
                word, self._vocabulary_list, scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF
            )
            if len(self._typos) < 10_000:  # bounded: a cache, not a log of what people typed
                self._typos[word] = found is not None
            return found is not None
        return self._typos[word]

    def _self_score(self, counts: Counter[str], length: int) -> float:
        """The score a document made of exactly these features would get (unknown ones
        count as the rarest features, so words the line has never seen lower confidence)."""
        idf, unknown = self._idf
        scale = K1 * (1 - B + B * length / self.average_length)
        total = 0.0
        for feature, count in counts.items():
            total += idf.get(feature, unknown) * count * (K1 + 1) / (count + scale)
        return total or 1.0

    @cached_property
    def _idf(self) -> tuple[dict[str, float], float]:
        """Each known feature's inverse document frequency, and an unknown one's."""

        def idf(frequency: int) -> float:
            return math.log(1 + (self.size - frequency + 0.5) / (frequency + 0.5))

        return {f: idf(n) for f, n in self.document_frequency.items()}, idf(0)


def _cjk_features(text: str) -> list[str]:
    """Characters and pairs of characters: Chinese is written without spaces."""
    characters = [char for char in text if not char.isspace()]
    pairs = ["".join(characters[i : i + 2]) for i in range(len(characters) - 1)]
    # A pair is Chinese's nearest thing to a word: it weighs what a word weighs elsewhere.
    return [f"c:{char}" for char in characters] + [
        f"w:{pair}" for pair in pairs for _ in range(WORD_WEIGHT)
    ]
