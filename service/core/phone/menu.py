"""The phone menu: a caller's key, words or silence in; what to say and wait for out.

Plain Python, no Flask and no Twilio. It is a peer of the text dialogue on the same Line,
so a language chosen by text is spoken on the phone and back.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ..helpline import Helpline
from ..line import Line
from ..paging import paginate, spoken_seconds
from ..replies import SMS, TextBuilder
from ..state import CallerState
from . import positions as at
from .graph import MenuGraph
from .hearing import Hearing
from .positions import Action, Call, Do, Kind, Open, Speak
from .turns import Option, SendText, Speech, Turn

# The same reserved keys in every menu (ISO/IEC 13714: 0 help, * back; never 9, the
# hang-up key). 5 carries the raised dot, so it is easy to find by touch.
RESERVED: dict[str, Action] = {"0": Do.HELP, "*": Do.BACK, "5": Do.REPEAT, "8": Do.LANGUAGE}
MAX_SILENCES = 2  # re-prompts after silence, before offering texts and saying goodbye
MAX_FAILED_TURNS = 6  # wrong keys, unclear speech and silences in one call, then goodbye
MIN_CONFIDENCE = 0.4  # below this (but above 0, "not reported"), speech is asked again
MAX_PART_SECONDS = 45  # one read-aloud part of a topic at the slow speed


@dataclass
class PhoneMenu:
    """Decide what a caller hears and which choices they get."""

    line: Line
    helpline: Helpline = field(default_factory=Helpline)
    can_speak: Callable[[str], bool] = lambda lang: True  # a voice or clips exist
    can_hear: Callable[[str], bool] = lambda lang: True  # speech recognition exists
    min_confidence: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._pages: dict[tuple[str, str], list[str]] = {}
        self.graph = MenuGraph(
            self.line,
            self.helpline,
            self.can_speak,
            lambda lang, topic: len(self.pages(lang, topic)),
        )
        self.sms = TextBuilder(self.line, SMS)
        self.hearing = Hearing(self.line, self.can_speak)

    # Entry points ------------------------------------------------------------------------

    def start(
        self, state: CallerState | None, country: str | None, new: bool | None = None
    ) -> tuple[Turn, CallerState]:
        """Answer a new call: greet, then the main menu and the reserved keys, once.

        ``state`` is None for a caller never heard before (``new`` says so otherwise)."""
        is_new = state is None if new is None else new
        state = dataclasses.replace(state) if state else CallerState()
        if state.lang is None and state.detected is None and country:
            state.detected = self.line.languages.for_country(country)
        lang, notes = self._speaking(state)
        greeting = self._text(lang, "greeting_new" if is_new else "greeting_back")
        turn = self.present(Call(), lang, [*notes, Speech(greeting, lang, "greeting")])
        # The reserved keys come after the choices, so a caller who knows can press at once.
        keys = "reserved_keys" if self.listens(lang) else "reserved_keys_keys_only"
        turn.say.append(Speech(self._text(lang, keys), lang, "keys"))
        turn.event = "call"
        return turn, state

    def answer(
        self,
        call: Call,
        state: CallerState | None,
        digits: str = "",
        speech: str = "",
        confidence: float | None = None,
        send_text: SendText = lambda body, what: "failed",
        now: datetime.datetime | None = None,
    ) -> tuple[Turn, CallerState]:
        """Act on what the caller pressed or said (or their silence) at ``call.place``."""
        state = dataclasses.replace(state) if state else CallerState()
        lang, _ = self._speaking(state)
        by_key = {option.key: option.action for option in self.options(call, lang)}
        digits, speech = (digits or "").strip(), (speech or "").strip()
        action: Action | None
        if digits:
            action = by_key.get(digits[0]) or RESERVED.get(digits[0])
            if action is None:
                return self._again(call, lang, "wrong_key"), state
        elif speech:
            floor = self.min_confidence.get(lang, MIN_CONFIDENCE)
            if confidence and confidence < floor:  # 0 or none: the provider gave no score
                return self._again(call, lang, "not_understood"), state
            action = self.hearing.heard(speech, lang, self.options(call, lang))
            if action is None:
                return self._again(call, lang, "not_understood", speech=speech), state
        else:
            return self._silence(call, lang), state
        return self._act(action, call, state, lang, send_text, now), state

    def after_dial(self, call: Call, state: CallerState | None, status: str) -> Turn:
        """Back from the helpline: thanks after a talk, or kind words when nobody answered."""
        state = state or CallerState()
        lang, _ = self._speaking(state)
        here = Call(at.MAIN if status == "completed" else at.DIALLED, slow=call.slow)
        key = "person_thanks" if status == "completed" else "person_no_answer"
        turn = self.present(here, lang, [Speech(self._text(lang, key), lang)])
        turn.event = f"dial_{status or 'unknown'}"
        return turn

    def listens(self, lang: str) -> bool:
        """Whether menus in this language take speech (the deployer's choice, and Twilio's)."""
        return self.line.settings.speech_input and self.can_hear(lang)

    # Menus ---------------------------------------------------------------------------------

    def options(self, call: Call, lang: str) -> list[Option]:
        """The numbered choices at a place, keys 1..n in order."""
        return self.graph.options(call, lang)

    # Acting on a choice ------------------------------------------------------------------

    def _act(
        self,
        action: Action,
        call: Call,
        state: CallerState,
        lang: str,
        send_text: SendText,
        now: datetime.datetime | None,
    ) -> Turn:
        here = dataclasses.replace(call, silences=0)
        match action:
            case Open(place):
                back = call.back if place.kind is Kind.LANGUAGES else at.MAIN
                return self.present(Call(place, back, failures=call.failures, slow=call.slow), lang)
            case Speak(code):
                state.lang, state.menu = code, "topics"
                said = Speech(self._text(code, "language_set"), code)
                return self.present(Call(failures=call.failures, slow=call.slow), code, [said])
            case Do.REPEAT:
                return self.present(here, lang)
            case Do.BACK:
                return self.present(dataclasses.replace(here, place=self.graph.parent(call)), lang)
            case Do.MENU:
                return self.present(dataclasses.replace(here, place=at.MAIN), lang)
            case Do.MORE if call.place.kind is Kind.TOPIC:
                next_part = at.topic(call.place.id, call.place.part + 1)
                return self.present(dataclasses.replace(here, place=next_part), lang)
            case Do.MORE if call.place.kind is Kind.ANSWER:
                topic_id = self.line.content.answer_topics[call.place.id]
                return self.present(dataclasses.replace(here, place=at.topic(topic_id)), lang)
            case Do.HELP | Do.LANGUAGE:
                place = at.HELP if action is Do.HELP else at.languages()
                return self.present(
                    dataclasses.replace(here, place=place, back=self.graph.home(call)), lang
                )
            case Do.SLOWER | Do.FASTER:
                slow = action is Do.SLOWER
                said = Speech(self._text(lang, "slower_on" if slow else "faster_on"), lang)
                place = call.back if call.place.kind is Kind.HELP else call.place
                returning = Call(place, call.back, failures=call.failures, slow=slow)
                return self.present(returning, lang, [said], options_only=True)
            case Do.PERSON:
                return self._person(here, lang, now)
            case Do.TEXT if call.place.kind in (Kind.TOPIC, Kind.ANSWER, Kind.DIALLED):
                return self._send(here, state, lang, send_text)
        return self._again(call, lang, "wrong_key")

    def _send(self, call: Call, state: CallerState, lang: str, send_text: SendText) -> Turn:
        """Text the caller what they just heard (or the helpline's details), unless opted out."""
        place, sms_lang = call.place, self.line.lang(state)
        if place.kind is Kind.TOPIC:
            body, what = self.sms.topic_messages(sms_lang, place.id)[0], f"topic:{place.id}"
        elif place.kind is Kind.ANSWER:
            body, what = self.sms.answer(sms_lang, place.id), f"answer:{place.id}"
        else:
            body, what = self.sms.help(sms_lang), "help"
        result = "opted_out" if state.opted_out else send_text(body, what)
        if result == "sent" and place.kind is Kind.TOPIC:
            state.topic, state.page, state.answer = place.id, 0, None  # MORE by text goes on
        elif result == "sent" and place.kind is Kind.ANSWER:
            state.topic, state.page = self.line.content.answer_topics[place.id], -1
            state.answer = place.id
        elif result == "opted_out":
            state.opted_out = True
        key = {
            "sent": "text_sent",
            "opted_out": "text_opted_out",
            "no_number": "text_no_number",
            "limited": "text_limit",
        }.get(result, "text_failed")
        turn = self.present(call, lang, [Speech(self._text(lang, key), lang)], options_only=True)
        turn.event = f"text_{result}"
        return turn

    def _person(self, call: Call, lang: str, now: datetime.datetime | None) -> Turn:
        pack = self.line.pack(lang)
        now = now or datetime.datetime.now(datetime.UTC)
        if self.helpline.is_open(now):
            said = [Speech(self._text(lang, "person_connecting"), lang)]
            return Turn(said, lang, dial=self.helpline.dial, event="person")
        if self.helpline.number:
            hours = self.helpline.describe(pack.locale)
            text = self._text(lang, "person_closed", hours=hours)
        else:
            text = self._text(lang, "person_none")
        return self.present(call, lang, [Speech(text, lang)], options_only=True)

    def _silence(self, call: Call, lang: str) -> Turn:
        if call.silences >= MAX_SILENCES:
            return self._goodbye(lang, "silence_goodbye")
        silent = dataclasses.replace(call, silences=call.silences + 1)
        return self._again(silent, lang, "silence", keep_silences=True)

    def _again(
        self, call: Call, lang: str, key: str, keep_silences: bool = False, speech: str = ""
    ) -> Turn:
        """Say what went wrong, then the same choices again (or goodbye after too many)."""
        failures = call.failures + 1
        if failures >= MAX_FAILED_TURNS:
            return self._goodbye(lang, "failed_goodbye")
        call = dataclasses.replace(
            call, failures=failures, silences=call.silences if keep_silences else 0
        )
        turn = self.present(call, lang, [Speech(self._text(lang, key), lang)], options_only=True)
        turn.event = key
        return turn

    def _goodbye(self, lang: str, key: str) -> Turn:
        said = [Speech(self._text(lang, key), lang)]
        if self.line.settings.can_text:
            said.append(Speech(self._text(lang, "text_instead"), lang))
        said.append(Speech(self._text(lang, "goodbye"), lang))
        return Turn(said, lang, hangup=True, event=key)

    # Saying things ---------------------------------------------------------------------------

    def present(
        self, call: Call, lang: str, intro: list[Speech] | None = None, options_only: bool = False
    ) -> Turn:
        """A place: what leads into it, what it says (a topic part, an answer, help), then
        its choices."""
        say, place = list(intro or []), call.place
        topic = answer = None
        if not options_only:
            match place.kind:
                case Kind.TOPIC:
                    pages = self.pages(lang, place.id)
                    place = at.topic(place.id, min(place.part, len(pages) - 1))
                    call, topic = dataclasses.replace(call, place=place), place.id
                    say.append(Speech(pages[place.part], lang, "content"))
                    if place.part == 0:
                        say.append(Speech(self._text(lang, "disclaimer", "system"), lang))
                    if place.part == len(pages) - 1:
                        say.append(Speech(self._text(lang, "end_of_topic"), lang))
                case Kind.ANSWER:
                    answer = place.id
                    topic = self.line.content.answer_topics[place.id]
                    say.append(
                        Speech(self.line.answer_text(lang, place.id, spoken=True), lang, "content")
                    )
                    say.append(Speech(self._text(lang, "disclaimer", "system"), lang))
                case Kind.HELP:
                    say.append(Speech(self._text(lang, "help"), lang))
                    if not self.helpline.number:
                        say.append(Speech(self._text(lang, "person_none"), lang))
                        say.append(Speech(self._text(lang, "help_back"), lang))
        options = tuple(self.options(call, lang))
        say += [option.prompt for option in options]
        event = "answer" if answer else "topic" if topic else "menu"
        return Turn(
            say,
            lang,
            call,
            options,
            event=event,
            topic=topic,
            answer=answer,
            listen=self.listens(lang),
        )

    def pages(self, lang: str, topic_id: str) -> list[str]:
        """A topic as read aloud: its pages in spoken form, each part at most 45 seconds
        even at the slow speed (cut between sentences rather than stretched)."""
        key = (lang, topic_id)
        if key not in self._pages:
            self._pages[key] = paginate(
                self.line.topic_pages(lang, topic_id, spoken=True),
                lambda body, index, last: body,
                lambda text, index: spoken_seconds(text, lang, slow=True) <= MAX_PART_SECONDS,
            )
        return self._pages[key]

    def _speaking(self, state: CallerState) -> tuple[str, list[Speech]]:
        """The language to speak, and a note when the caller's own language is text-only."""
        lang = self.line.lang(state)
        if self.can_speak(lang):
            return lang, []
        fallback = self.line.settings.default_language
        if not self.can_speak(fallback):
            fallback = "en"
        name = self.line.languages.name(lang)
        return fallback, [Speech(self._text(fallback, "language_text_only", name=name), fallback)]

    def _text(self, lang: str, name: str, group: str = "voice", /, **values: object) -> str:
        """A phone prompt, as a voice should say it (English where a translation is broken)."""
        pack = self.line.pack(lang)
        return pack.speakable(pack.fill(f"{group}.{name}", **values))
