"""How well the line understands people: the evaluation set in tests/eval/, run through the
real text dialogue, per language. `flask --app service content eval` prints it.

The evaluation set is written apart from the example questions the matcher learns from,
and never copied into them (the content check refuses a copy).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from ..config import ROOT
from ..core.line import Line
from ..core.replies import SMS
from ..core.source import read_yaml
from ..core.state import CallerState
from ..core.texting import TextDialogue
from ..core.words import normalise

EVAL_DIR = ROOT / "tests" / "eval"
# What `make test` requires (issue: answers, not topics).
REQUIRED_TOP1 = {"en": 0.90}
REQUIRED_TOP1_OTHER = 0.85


@cache
def _items(lang: str, folder: Path = EVAL_DIR) -> tuple[tuple[str, str], ...]:
    path = folder / f"{lang}.yaml"
    if not path.exists():
        return ()
    data = read_yaml(path) or {}
    return tuple((str(item["text"]), str(item["expect"])) for item in data.get("items", []))


def evaluation_texts(lang: str) -> frozenset[str]:
    """The evaluation set's texts in one language, normalised (for the no-copy check)."""
    return frozenset(normalise(text) for text, _ in _items(lang))


@dataclass
class Result:
    """One language's figures."""

    lang: str
    total: int = 0
    correct: int = 0
    direct: int = 0  # answered outright (not a short-list) and right
    urgent_expected: int = 0
    urgent_found: int = 0
    false_alarms: int = 0
    language_right: int = 0  # a new texter's language read from the text itself
    language_wrong: int = 0  # ... read as another language (None: no evidence, not wrong)
    confusions: Counter = field(default_factory=Counter)  # (expected, got) -> count
    misses: list[tuple[str, str, str]] = field(default_factory=list)  # text, expected, got

    @property
    def top1(self) -> float:
        return self.correct / self.total if self.total else 0.0

    @property
    def urgent_recall(self) -> float:
        return self.urgent_found / self.urgent_expected if self.urgent_expected else 1.0

    @property
    def required(self) -> float:
        return REQUIRED_TOP1.get(self.lang, REQUIRED_TOP1_OTHER)

    @property
    def passes(self) -> bool:
        return self.top1 >= self.required and self.urgent_recall == 1.0 and not self.false_alarms


def predicted(dialogue: TextDialogue, lang: str, text: str) -> tuple[str, bool]:
    """What the line does with a text from someone it knows writes in ``lang``: the answer
    id, "urgent", "topic:<id>", "none", or the first of a short-list; and whether it was a
    short-list."""
    reply, state = dialogue.reply(text, CallerState(lang=lang))
    if reply.intent == "urgent":
        return "urgent", False
    if reply.intent == "answer":
        return reply.answer or "none", False
    if reply.intent == "choices":
        return (state.choices[0] if state.choices else "none"), True
    if reply.intent == "topic":
        return f"topic:{reply.topic}", False
    return "none", False


def evaluate(line: Line, lang: str) -> Result:
    """Run one language's evaluation set through the real dialogue."""
    dialogue = TextDialogue(line, SMS)
    result = Result(lang)
    for text, expected in _items(lang):
        got, short_list = predicted(dialogue, lang, text)
        result.total += 1
        if got == expected:
            result.correct += 1
            result.direct += not short_list
        else:
            result.confusions[(expected, got)] += 1
            result.misses.append((text, expected, got))
        if expected == "urgent":
            result.urgent_expected += 1
            result.urgent_found += got == "urgent"
        elif got == "urgent":
            result.false_alarms += 1
        detected = line.languages.detect(normalise(text), None)
        result.language_right += detected == lang
        result.language_wrong += detected not in (lang, None)
    return result
