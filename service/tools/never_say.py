"""The claims the line must never make (shared/facts.md section 2), found in any language.

service/tools/never_say.yaml holds the English rules, which apply to every language;
locales/<lang>/never_say.yaml adds each language's own. A claim that is denied is fine:
"It is not a cure", "aHSCT cannot repair myelin". So a rule is excused when one of the
language's negation words stands just before the match (within ``negation_window``
characters of the same sentence), or, in languages that put the negation after the verb
(Hindi, Urdu: ``negation_follows: true``), just after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..config import ROOT
from ..core.paging import sentences
from ..core.source import read_yaml

BASE = Path(__file__).with_name("never_say.yaml")
LOCALES = ROOT / "locales"
NEGATION_WINDOW = 40  # characters before a claim that a negation may stand in
FOLLOWING_WINDOW = 25  # characters after it, in languages that negate after the verb
QUESTION_MARKS = ("?", "؟", "？")


@dataclass(frozen=True)
class Rule:
    """One claim: its pattern, the negation that excuses it (if any), and why it is banned."""

    pattern: re.Pattern[str]
    negation: re.Pattern[str] | None
    follows: bool  # the negation may come after the claim
    window: int
    why: str

    def claims(self, sentence: str) -> list[str]:
        found = []
        for match in self.pattern.finditer(sentence):
            if self.negation is not None and self._denied(sentence, match):
                continue
            found.append(f"{match.group(0)!r} ({self.why})")
        return found

    def _denied(self, sentence: str, match: re.Match[str]) -> bool:
        assert self.negation is not None
        before = sentence[max(0, match.start() - self.window) : match.start()]
        if self.negation.search(before):
            return True
        if self.follows:
            after = sentence[match.end() : match.end() + FOLLOWING_WINDOW]
            return bool(self.negation.search(after))
        return False


@dataclass(frozen=True)
class NeverSay:
    """Every rule that applies to one language."""

    rules: list[Rule]

    @classmethod
    def load(cls, lang: str = "en", locales: Path = LOCALES) -> NeverSay:
        rules: list[Rule] = []
        for path in (BASE, locales / lang / "never_say.yaml"):
            if not path.exists():
                continue
            data = read_yaml(path)
            negation = re.compile(data["negations"], re.IGNORECASE)
            follows = bool(data.get("negation_follows", False))
            window = int(data.get("negation_window", NEGATION_WINDOW))
            for rule in data["rules"]:
                excused = rule.get("unless_negated", True)
                rules.append(
                    Rule(
                        re.compile(rule["pattern"], re.IGNORECASE),
                        negation if excused else None,
                        follows,
                        window,
                        rule["why"],
                    )
                )
        return cls(rules)

    def claims(self, text: str) -> list[str]:
        """Every never-say claim in a text, as "phrase (why)"."""
        found = []
        for sentence in (part for line in text.split("\n") for part in sentences(line)):
            if sentence.rstrip().endswith(QUESTION_MARKS):
                continue  # a question claims nothing: "Is it a cure?" (a short-list label)
            for rule in self.rules:
                found += rule.claims(sentence)
        return found
