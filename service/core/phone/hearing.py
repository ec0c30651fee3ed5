"""What a caller said, as a choice: a command word, a number, a choice's name, a language,
a topic, or a question the answer bank can answer."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ..line import Line
from ..matching import Matcher
from ..words import normalise, split_list
from . import positions as at
from .positions import Action, Do, Open, Speak

if TYPE_CHECKING:
    from .turns import Option

# Spoken words that stand for a key, so "two" works like pressing 2.
NUMBER_WORDS = {"one": "1", "two": "2", "three": "3", "four": "4"}


class Hearing:
    """Turn recognised speech into an action at a menu."""

    def __init__(self, line: Line, can_speak: Callable[[str], bool]) -> None:
        self.line = line
        self.can_speak = can_speak
        self._words: dict[str, Matcher] = {}

    def heard(self, speech: str, lang: str, options: Sequence[Option]) -> Action | None:
        """The action the words ask for, or None when they say nothing the line knows."""
        words = normalise(speech)
        if not words:
            return None
        chosen = self.line.languages.explicit_choice(words)
        if chosen and self.can_speak(chosen):
            return Speak(chosen)
        command = self._voice_words(lang).command(words, typos=False)
        command = command or self._voice_words("en").command(words, typos=False)
        if command in NUMBER_WORDS:
            by_key = {option.key: option.action for option in options}
            return by_key.get(NUMBER_WORDS[command])
        if command:
            return Do(command)
        topic = self.line.topic_named(words, lang)
        if topic:  # a topic's own name ("risks") goes to the topic, not to its group
            return Open(at.topic(topic))
        for option in options:  # the name of a choice in this menu ("risks and recovery")
            label = normalise(option.label)
            if label and (label in words or (len(words) >= 4 and words in label)):
                return option.action
        return self._meaning(words, lang)

    def _meaning(self, words: str, lang: str) -> Action | None:
        """Urgent help, a topic named, or the answer to a question asked out loud."""
        meaning = self.line.understand(words, lang)
        if meaning.urgent:
            if meaning.urgent_answer:
                return Open(at.answer(meaning.urgent_answer))
            return Open(at.topic("urgent"))
        if meaning.topic:
            return Open(at.topic(meaning.topic))
        if meaning.answer:
            return Open(at.answer(meaning.answer))
        if meaning.choices:  # on the phone, the likeliest: a list read aloud costs too much
            return Open(at.answer(meaning.choices[0]))
        if meaning.keyword_topic:
            return Open(at.topic(meaning.keyword_topic))
        return None

    def _voice_words(self, lang: str) -> Matcher:
        if lang not in self._words:
            strings = self.line.pack(lang).strings
            commands = {
                key.removeprefix("voice_words."): split_list(text)
                for key, text in strings.items()
                if key.startswith("voice_words.")
            }
            common = split_list(strings["matching.common_words"])
            self._words[lang] = Matcher({}, commands, common)
        return self._words[lang]
