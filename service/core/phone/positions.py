"""Where a caller is in the phone menu, and what a choice does: typed, with one text form.

A position travels between call steps in the Gather action URL (which Twilio signs), as
``str(place)``: "main", "group:about", "topic:risks:0", "answer:hair-loss", "help",
"dialled", "lang:0". ``Place.parse`` is the only reader of that form.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """The kinds of place in the menu."""

    MAIN = "main"  # the main menu
    GROUP = "group"  # a group of topics ("risks and recovery")
    TOPIC = "topic"  # a part of a topic being read
    ANSWER = "answer"  # one short answer, after a spoken question
    HELP = "help"  # help: a person, slower speech
    DIALLED = "dialled"  # back from the helpline, which did not answer
    LANGUAGES = "lang"  # a page of the language menu


@dataclass(frozen=True)
class Place:
    """One place in the menu: its kind, which group, topic or answer, and which part."""

    kind: Kind = Kind.MAIN
    id: str = ""
    part: int = 0  # a topic's part, or a page of the language menu

    def __str__(self) -> str:
        if self.kind is Kind.TOPIC:
            return f"topic:{self.id}:{self.part}"
        if self.kind is Kind.LANGUAGES:
            return f"lang:{self.part}"
        if self.kind in (Kind.GROUP, Kind.ANSWER):
            return f"{self.kind}:{self.id}"
        return str(self.kind)

    @classmethod
    def parse(cls, text: str) -> Place:
        """Read a place from its text form; ValueError for anything else."""
        kind_text, _, rest = text.partition(":")
        kind = Kind(kind_text)
        if kind is Kind.TOPIC:
            topic, _, part = rest.partition(":")
            if not topic:
                raise ValueError(text)
            return cls(kind, topic, max(0, min(int(part or 0), 99)))
        if kind is Kind.LANGUAGES:
            return cls(kind, part=max(0, min(int(rest or 0), 99)))
        if kind in (Kind.GROUP, Kind.ANSWER):
            if not rest:
                raise ValueError(text)
            return cls(kind, rest)
        return cls(kind)


MAIN = Place()
HELP = Place(Kind.HELP)
DIALLED = Place(Kind.DIALLED)


def topic(topic_id: str, part: int = 0) -> Place:
    """A topic's part."""
    return Place(Kind.TOPIC, topic_id, part)


def answer(answer_id: str) -> Place:
    """One answer."""
    return Place(Kind.ANSWER, answer_id)


def group(group_id: str) -> Place:
    """A group of topics."""
    return Place(Kind.GROUP, group_id)


def languages(page: int = 0) -> Place:
    """A page of the language menu."""
    return Place(Kind.LANGUAGES, part=page)


@dataclass(frozen=True)
class Call:
    """Where a caller is in this call, and what holds for the rest of it."""

    place: Place = MAIN
    back: Place = MAIN  # where * goes from help and the language menu
    silences: int = 0  # silences in a row at this menu
    failures: int = 0  # turns that went nowhere (wrong key, unclear, silence) in the call
    slow: bool = False  # slower speech for the rest of the call


class Do(StrEnum):
    """Choices that act where the caller is."""

    REPEAT = "repeat"
    MORE = "more"
    TEXT = "text"
    BACK = "back"
    MENU = "menu"
    HELP = "help"
    PERSON = "person"
    SLOWER = "slower"
    FASTER = "faster"
    LANGUAGE = "language"


@dataclass(frozen=True)
class Open:
    """Go to a place: a group, a topic, an answer, a page of the language menu."""

    place: Place


@dataclass(frozen=True)
class Speak:
    """Speak another language from now on."""

    lang: str


Action = Do | Open | Speak
