"""Walk every place a call in one language can reach, pressing every key: what the audio
build makes clips of, and what the accessibility test checks."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from ..state import CallerState
from . import positions as at
from .menu import RESERVED, PhoneMenu
from .positions import Call, Do, Kind
from .turns import SendText, Speech, Turn

DIAL_OUTCOMES = ("completed", "busy", "no-answer", "failed")
SEND_RESULTS = ("sent", "opted_out", "failed", "no_number", "limited")


def walk(menu: PhoneMenu, lang: str) -> Iterator[Turn]:
    """Every turn a caller in this language can meet: each menu, each key at it, each
    answer, and the ways a call ends."""
    state = CallerState(lang=lang)
    yield menu.start(state, None, new=True)[0]  # a new caller's greeting...
    start, _ = menu.start(state, None)  # ...and a returning one's
    queue, seen = [start], {start.call}
    endings_seen: set[Kind] = set()
    # Answers are reached by speech from any menu: each one is a place of its own.
    for answer_id in menu.line.content.answer_ids:
        answer = menu.present(Call(at.answer(answer_id)), lang)
        queue.append(answer)
        seen.add(answer.call)
    while queue:
        turn = queue.pop()
        yield turn
        if turn.call is None:
            continue
        texting = {option.key for option in turn.options if option.action is Do.TEXT}
        for key in (*turn.keys, *RESERVED):
            results = SEND_RESULTS if key in texting else SEND_RESULTS[:1]
            for result in results:
                following, _ = menu.answer(turn.call, state, digits=key, send_text=_sends(result))
                yield following
            nxt = following.call
            if nxt and following.lang == lang:
                plain = dataclasses.replace(nxt, silences=0, failures=0, slow=False)
                if plain not in seen:
                    seen.add(plain)
                    queue.append(menu.present(plain, lang))
        if turn.call.place.kind not in endings_seen:  # the same words at every place of a kind
            endings_seen.add(turn.call.place.kind)
            yield from _endings(menu, turn.call, state, lang)
    # Help offers "normal speed" instead of "slower" once speech is slow.
    yield menu.present(Call(at.HELP, slow=True), lang)
    for status in DIAL_OUTCOMES:
        yield menu.after_dial(Call(), state, status)


def _sends(result: str) -> SendText:
    """A stand-in for sending a text that always gives this result."""
    return lambda body, what: result


def _endings(menu: PhoneMenu, call: Call, state: CallerState, lang: str) -> Iterator[Turn]:
    """Silence, a wrong key and unclear speech, including the goodbyes they lead to."""
    yield menu.answer(dataclasses.replace(call, silences=2), state)[0]
    yield menu.answer(call, state)[0]
    yield menu.answer(dataclasses.replace(call, failures=5), state, digits="9")[0]
    yield menu.answer(call, state, speech="zzzz qqqq xyzzy")[0]


def everything_said(menu: PhoneMenu, lang: str) -> set[tuple[str, str]]:
    """Every (text, language) a call in this language can say: what clips are built for."""
    if not menu.can_speak(lang):  # walk it as if it had a voice: its clips give it one
        menu = dataclasses.replace(menu, can_speak=lambda code: True)
    said: set[tuple[str, str]] = set()
    for turn in walk(menu, lang):
        said.update((speech.text, speech.lang) for speech in turn.say)
    for code in menu.line.settings.languages:  # "Urdu is available by text message only"
        name = menu.line.languages.name(code)
        note = menu.line.pack(lang).fill("voice.language_text_only", name=name)
        said.add((note, lang))
    if menu.helpline.number and menu.helpline.hours:
        hours = menu.helpline.describe(menu.line.pack(lang).locale)
        said.add((menu.line.pack(lang).fill("voice.person_closed", hours=hours), lang))
    return said


def speeches(turns: Iterator[Turn]) -> Iterator[Speech]:
    """Every speech of some turns."""
    for turn in turns:
        yield from turn.say
