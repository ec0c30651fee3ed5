"""The phone menu's shape: which choices each place offers, and where back leads."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from ..helpline import Helpline
from ..line import Line
from . import positions as at
from .positions import Action, Call, Do, Kind, Open, Place, Speak
from .turns import Option, Speech

MAX_OPTIONS = 4
LANGUAGES_PER_MENU = MAX_OPTIONS - 1  # the fourth choice is "more languages"


class MenuGraph:
    """The menu as data: main menu, groups, topics and answers, help, languages."""

    def __init__(
        self,
        line: Line,
        helpline: Helpline,
        can_speak: Callable[[str], bool],
        parts: Callable[[str, str], int],  # how many spoken parts a topic has
    ) -> None:
        self.line, self.helpline, self.can_speak, self.parts = line, helpline, can_speak, parts
        self._options: dict[tuple[Call, str], list[Option]] = {}

    def options(self, call: Call, lang: str) -> list[Option]:
        """The numbered choices at a place, keys 1..n in order (the same every time)."""
        key = (dataclasses.replace(call, silences=0, failures=0), lang)
        if key not in self._options:
            if len(self._options) > 50_000:  # bounded: positions come from signed URLs
                self._options.clear()
            self._options[key] = self._make(call, lang)
        return self._options[key]

    def _make(self, call: Call, lang: str) -> list[Option]:
        place, pack = call.place, self.line.pack(lang)
        entries: list[tuple[Action, str, str]] = []  # (action, prompt key, label)
        can_text = self.line.settings.can_text
        match place.kind:
            case Kind.MAIN:
                for entry in self.line.content.phone_menu:
                    if "group" in entry:
                        label = self._text(lang, f"group_{entry['group']}")
                        entries.append((Open(at.group(entry["group"])), "main_option", label))
                    else:
                        key = "urgent_option" if entry["topic"] == "urgent" else "topic_option"
                        label = pack.by_id[entry["topic"]].spoken
                        entries.append((Open(at.topic(entry["topic"])), key, label))
            case Kind.GROUP:
                for topic_id in self._group(place.id):
                    label = pack.by_id[topic_id].spoken
                    entries.append((Open(at.topic(topic_id)), "topic_option", label))
            case Kind.TOPIC | Kind.ANSWER:
                entries.append((Do.REPEAT, "repeat_option", ""))
                if place.kind is Kind.ANSWER or place.part + 1 < self.parts(lang, place.id):
                    entries.append((Do.MORE, "more_option", ""))
                if can_text:
                    entries.append((Do.TEXT, "text_option", ""))
                entries.append((Do.BACK, "back_option", ""))
            case Kind.HELP:
                if self.helpline.number:
                    entries.append((Do.PERSON, "person_option", ""))
                slower = (Do.FASTER, "faster_option") if call.slow else (Do.SLOWER, "slower_option")
                entries.append((*slower, ""))
            case Kind.DIALLED:
                if can_text:
                    entries.append((Do.TEXT, "text_helpline_option", ""))
                entries.append((Do.MENU, "menu_option", ""))
            case Kind.LANGUAGES:
                return self._language_options(place.part)
        return [
            Option(
                str(index),
                action,
                Speech(self._option(lang, key, label, index), lang, "option"),
                label,
            )
            for index, (action, key, label) in enumerate(entries[:MAX_OPTIONS], start=1)
        ]

    def _language_options(self, page: int) -> list[Option]:
        """Each language offered in its own voice: "Para español, pulse 2"."""
        spoken = [code for code in self.line.settings.languages if self.can_speak(code)]
        chunk = spoken[page * LANGUAGES_PER_MENU : (page + 1) * LANGUAGES_PER_MENU]
        options = [
            Option(
                str(index),
                Speak(code),
                Speech(self._text(code, "language_option", key=index), code),
                self.line.languages.name(code),
            )
            for index, code in enumerate(chunk, start=1)
        ]
        if (page + 1) * LANGUAGES_PER_MENU < len(spoken):
            key, lang = str(len(options) + 1), chunk[0] if chunk else "en"
            more = Speech(self._text(lang, "more_languages_option", key=key), lang)
            options.append(Option(key, Open(at.languages(page + 1)), more))
        return options

    def _group(self, group_id: str) -> list[str]:
        for entry in self.line.content.phone_menu:
            if entry.get("group") == group_id:
                return list(entry["topics"])
        return []

    def parent(self, call: Call) -> Place:
        """Where * goes: up one level."""
        place = call.place
        if place.kind is Kind.TOPIC:
            for entry in self.line.content.phone_menu:
                if place.id in entry.get("topics", ()):
                    return at.group(entry["group"])
        if place.kind in (Kind.HELP, Kind.LANGUAGES):
            return call.back
        return at.MAIN

    def home(self, call: Call) -> Place:
        """The menu to return to from help or languages (not another help screen)."""
        return call.back if call.place.kind in (Kind.HELP, Kind.LANGUAGES) else call.place

    def _text(self, lang: str, name: str, /, **values: object) -> str:
        pack = self.line.pack(lang)
        return pack.speakable(pack.fill(f"voice.{name}", **values))

    def _option(self, lang: str, key: str, label: str, number: int) -> str:
        """An option's words: its label, then the key to press."""
        return self._text(lang, key, label=label, key=number)
