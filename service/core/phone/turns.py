"""What a phone turn is made of: things to say, numbered choices, and what happens next."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .positions import Action, Call


@dataclass(frozen=True)
class Speech:
    """One thing to say, in one language."""

    text: str
    lang: str
    kind: str = "prompt"  # greeting, option, keys, content, prompt


@dataclass(frozen=True)
class Option:
    """One numbered choice: its key, what it does, how it is offered, and its name."""

    key: str
    action: Action
    prompt: Speech
    label: str = ""  # the words a caller may say for it ("risks and recovery")


@dataclass
class Turn:
    """What the phone does next: say things, then wait for a choice, dial, or hang up."""

    say: list[Speech]
    lang: str  # the language of the menu (speech recognition, hints)
    call: Call | None = None  # the menu to wait on; None when the call ends or is put through
    options: tuple[Option, ...] = ()
    dial: str | None = None  # a number to put the caller through to (E.164)
    hangup: bool = False
    event: str = "menu"  # for usage counts: call, menu, topic, answer, not_understood...
    topic: str | None = None
    answer: str | None = None
    listen: bool = True  # this menu also takes speech

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(option.key for option in self.options)


SendText = Callable[[str, str], str]  # (body, what) -> sent, opted_out, failed, no_number, limited
