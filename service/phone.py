"""The phone menu core: a caller's key or words in, what to say and what to wait for out.

Plain Python, no Flask and no Twilio. It shares the conversation core's content, language
rules and caller state, so a language chosen by text is spoken on the phone and back.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from .content import LanguagePack
from .conversation import CallerState, Conversation
from .helpline import Helpline
from .matching import Matcher, normalise, split_list
from .paging import paginate

# The same reserved keys in every menu (ISO/IEC 13714: 0 help, * back; never 9, the
# hang-up key). 5 carries the raised dot, so it is easy to find by touch.
RESERVED = {"0": "help", "*": "back", "5": "repeat", "8": "language"}
MAX_OPTIONS = 4
MAX_SILENCES = 2  # re-prompts after silence, before offering texts and saying goodbye
MIN_CONFIDENCE = 0.4  # below this, speech is asked for again
MAX_PAGE_SECONDS = 40  # one read-aloud part of a topic, at 150 words a minute
WORDS_PER_SECOND = 150 / 60
CJK_CHARACTERS_PER_SECOND = 4.0
LANGUAGES_PER_MENU = MAX_OPTIONS - 1  # the fourth choice is "more languages"
# Speech words that stand for a key, so "two" works like pressing 2.
NUMBER_WORDS = {"one": "1", "two": "2", "three": "3", "four": "4"}


@dataclass(frozen=True)
class Call:
    """Where a caller is in this call: carried in the URL of the next step."""

    node: str = "main"  # main, group:<id>, topic:<id>:<part>, help, lang:<page>
    silences: int = 0  # silences in a row at this menu
    slow: bool = False  # slower speech for the rest of the call
    back: str = "main"  # where * goes from help and the language menu


@dataclass(frozen=True)
class Speech:
    """One thing to say, in one language."""

    text: str
    lang: str
    kind: str = "prompt"  # greeting, option, keys, content, prompt


@dataclass(frozen=True)
class Option:
    key: str
    action: str  # a node, or: repeat, more, text, back, person, slower, faster, lang:<code>
    prompt: Speech


@dataclass
class Turn:
    """What the phone does next: say things, then wait for a choice, dial, or hang up."""

    say: list[Speech]
    lang: str  # the language of the menu (speech recognition, hints)
    call: Call | None = None  # the menu to wait on; None when the call ends or is put through
    keys: tuple[str, ...] = ()  # option keys offered, 1..n
    options: tuple[Option, ...] = ()  # the choices, for speech hints
    dial: str | None = None
    hangup: bool = False
    event: str = "menu"  # for usage counts: call, menu, topic, not_understood, silence...


SendText = Callable[[str], str]  # body -> "sent", "opted_out", "failed" or "no_number"


@dataclass
class PhoneMenu:
    """Decide what a caller hears and which choices they get."""

    conversation: Conversation
    phone_menu: list[dict]  # from messages/voice.yaml
    helpline: Helpline = field(default_factory=Helpline)
    can_speak: Callable[[str], bool] = lambda lang: True  # a voice or clips exist

    def __post_init__(self) -> None:
        self._pages: dict[tuple[str, str], list[str]] = {}
        self._words: dict[str, Matcher] = {}

    # Entry points ------------------------------------------------------------------------

    def start(self, state: CallerState | None, country: str | None) -> tuple[Turn, CallerState]:
        """Answer a new call: greet, then the main menu and the reserved keys, once."""
        is_new = state is None
        state = dataclasses.replace(state) if state else CallerState()
        if state.lang is None and state.detected is None and country:
            state.detected = self.conversation.languages.for_country(country)
        lang, notes = self._speaking(state)
        pack = self._pack(lang)
        greeting = pack.strings["voice.greeting_new" if is_new else "voice.greeting_back"]
        intro = [*notes, Speech(greeting, lang, "greeting")]
        turn = self._present(Call(), lang, intro)
        # The reserved keys come after the choices, so a caller who knows can press at once.
        keys = (
            "reserved_keys"
            if self.conversation.settings.speech_input
            else "reserved_keys_keys_only"
        )
        turn.say.append(Speech(pack.strings[f"voice.{keys}"], lang, "keys"))
        turn.event = "call"
        return turn, state

    def answer(
        self,
        call: Call,
        state: CallerState | None,
        digits: str = "",
        speech: str = "",
        confidence: float | None = None,
        send_text: SendText = lambda body: "failed",
        now: datetime.datetime | None = None,
    ) -> tuple[Turn, CallerState]:
        """Act on what the caller pressed or said (or their silence) at ``call.node``."""
        state = dataclasses.replace(state) if state else CallerState()
        lang, _ = self._speaking(state)
        pack = self._pack(lang)
        options = self._options(call, lang)
        by_key = {option.key: option.action for option in options}
        digits = (digits or "").strip()
        speech = (speech or "").strip()

        if digits:
            choice = digits[0]
            action = by_key.get(choice) or RESERVED.get(choice)
            if action is None:
                return self._again(call, lang, "voice.wrong_key"), state
        elif speech:
            if confidence is not None and confidence < MIN_CONFIDENCE:
                return self._again(call, lang, "voice.not_understood"), state
            action = self._heard(speech, lang, by_key)
            if action is None:
                return self._again(call, lang, "voice.not_understood"), state
        else:
            if call.silences >= MAX_SILENCES:
                goodbye = Speech(pack.strings["voice.silence_goodbye"], lang)
                return Turn([goodbye], lang, hangup=True, event="silence_goodbye"), state
            silent = dataclasses.replace(call, silences=call.silences + 1)
            return self._again(silent, lang, "voice.silence", keep_silences=True), state

        return self._act(action, call, state, lang, send_text, now), state

    def everything_said(self, lang: str) -> set[tuple[str, str]]:
        """Every (text, language) a call in this language can say: what clips are built for."""
        if not self.can_speak(lang):  # walk it as if it had a voice: its clips give it one
            return dataclasses.replace(self, can_speak=lambda code: True).everything_said(lang)
        pack = self._pack(lang)
        said = {
            (text, lang)
            for key, text in pack.strings.items()
            if key.startswith("voice.") and "{" not in text
        }
        said.add((pack.strings["system.disclaimer"], lang))
        if self.helpline.number and self.helpline.hours:
            hours = self.helpline.describe(pack.locale)
            said.add((pack.strings["voice.person_closed"].format(hours=hours), lang))
        for code in self.conversation.settings.languages:
            if not self.can_speak(code):
                name = self.conversation.languages.name(code)
                said.add((pack.strings["voice.language_text_only"].format(name=name), lang))
        state = CallerState(lang=lang)
        start, _ = self.start(state, None)
        queue, seen = [start], {start.call.node}
        while queue:
            turn = queue.pop()
            said.update((speech.text, speech.lang) for speech in turn.say)
            for key in (*turn.keys, *RESERVED):
                nxt, _ = self.answer(turn.call, state, digits=key)
                said.update((speech.text, speech.lang) for speech in nxt.say)
                if nxt.call and nxt.call.node not in seen and nxt.lang == lang:
                    seen.add(nxt.call.node)
                    queue.append(nxt)
        # Help offers "normal speed" instead of "slower" once speech is slow.
        slow_help = self._present(Call("help", slow=True), lang)
        said.update((speech.text, speech.lang) for speech in slow_help.say)
        return said

    # Menus ---------------------------------------------------------------------------------

    def _options(self, call: Call, lang: str) -> list[Option]:
        """The numbered choices at a menu, keys 1..n in order."""
        pack = self._pack(lang)
        text = pack.strings
        node = call.node
        entries: list[tuple[str, str]] = []  # (action, prompt)
        if node == "main":
            for entry in self.phone_menu:
                if "group" in entry:
                    label = text[f"voice.group_{entry['group']}"]
                    entries.append(
                        (f"group:{entry['group']}", self._fill(pack, "main_option", label))
                    )
                else:
                    topic = entry["topic"]
                    key = "urgent_option" if topic == "urgent" else "topic_option"
                    label = pack.by_id[topic].spoken
                    entries.append((f"topic:{topic}:0", self._fill(pack, key, label)))
        elif node.startswith("group:"):
            for topic in self._group(node.removeprefix("group:")):
                label = pack.by_id[topic].spoken
                entries.append((f"topic:{topic}:0", self._fill(pack, "topic_option", label)))
        elif node.startswith("topic:"):
            _, topic, part = node.split(":")
            entries.append(("repeat", text["voice.repeat_option"]))
            if int(part) + 1 < len(self.pages(lang, topic)):
                entries.append(("more", text["voice.more_option"]))
            entries.append(("text", text["voice.text_option"]))
            entries.append(("back", text["voice.back_option"]))
        elif node == "help":
            if self.helpline.number:
                entries.append(("person", text["voice.person_option"]))
            entries.append(
                ("faster", text["voice.faster_option"])
                if call.slow
                else ("slower", text["voice.slower_option"])
            )
        elif node.startswith("lang:"):
            return self._language_options(int(node.removeprefix("lang:")))
        options = []
        for index, (action, prompt) in enumerate(entries[:MAX_OPTIONS], start=1):
            speech = Speech(prompt.format(key=index), lang, "option")
            options.append(Option(str(index), action, speech))
        return options

    def _language_options(self, page: int) -> list[Option]:
        """Each language offered in its own voice: "Para español, pulse 2"."""
        spoken = [code for code in self.conversation.settings.languages if self.can_speak(code)]
        chunk = spoken[page * LANGUAGES_PER_MENU : (page + 1) * LANGUAGES_PER_MENU]
        options = [
            Option(
                str(index),
                f"lang:{code}",
                Speech(self._pack(code).strings["voice.language_option"].format(key=index), code),
            )
            for index, code in enumerate(chunk, start=1)
        ]
        if (page + 1) * LANGUAGES_PER_MENU < len(spoken):
            key = str(len(options) + 1)
            current = self._pack(chunk[0]) if chunk else self._pack("en")
            more = current.strings["voice.more_languages_option"].format(key=key)
            options.append(Option(key, f"lang:{page + 1}", Speech(more, current.lang)))
        return options

    def _group(self, group: str) -> list[str]:
        for entry in self.phone_menu:
            if entry.get("group") == group:
                return list(entry["topics"])
        return []

    def _parent(self, call: Call) -> str:
        """Where * goes: up one level."""
        node = call.node
        if node.startswith("topic:"):
            topic = node.split(":")[1]
            for entry in self.phone_menu:
                if topic in entry.get("topics", ()):
                    return f"group:{entry['group']}"
            return "main"
        if node in ("help",) or node.startswith("lang:"):
            return call.back
        return "main"

    # Acting on a choice ------------------------------------------------------------------

    def _act(
        self,
        action: str,
        call: Call,
        state: CallerState,
        lang: str,
        send_text: SendText,
        now: datetime.datetime | None,
    ) -> Turn:
        pack = self._pack(lang)
        here = dataclasses.replace(call, silences=0)
        if action == "repeat":
            return self._present(here, lang)
        if action == "back":
            return self._present(Call(self._parent(call), slow=call.slow), lang)
        if action == "menu":
            return self._present(Call("main", slow=call.slow), lang)
        if action == "help":
            return self._present(Call("help", slow=call.slow, back=self._home(call)), lang)
        if action == "language":
            return self._present(Call("lang:0", slow=call.slow, back=self._home(call)), lang)
        if action in ("slower", "faster"):
            slow = action == "slower"
            said = Speech(pack.strings["voice.slower_on" if slow else "voice.faster_on"], lang)
            return self._present(
                Call(call.back if call.node == "help" else call.node, slow=slow, back=call.back),
                lang,
                [said],
                options_only=True,
            )
        if action == "person":
            return self._person(call, lang, now)
        if action.startswith("lang:"):
            choice = action.removeprefix("lang:")
            if choice.isdigit():  # another page of the language menu
                return self._present(dataclasses.replace(here, node=action), lang)
            state.lang, state.menu = choice, "topics"
            said = Speech(self._pack(choice).strings["voice.language_set"], choice)
            return self._present(Call("main", slow=call.slow), choice, [said])
        if action == "more" and call.node.startswith("topic:"):
            _, topic, part = call.node.split(":")
            return self._present(
                dataclasses.replace(here, node=f"topic:{topic}:{int(part) + 1}"), lang
            )
        if action == "text" and call.node.startswith("topic:"):
            return self._text(here, state, lang, send_text)
        if action.startswith(("group:", "topic:")):
            return self._present(Call(action, slow=call.slow, back=call.back), lang)
        return self._again(here, lang, "voice.wrong_key")

    def _home(self, call: Call) -> str:
        """The menu to return to from help or languages (not another help screen)."""
        return call.back if call.node == "help" or call.node.startswith("lang:") else call.node

    def _text(self, call: Call, state: CallerState, lang: str, send_text: SendText) -> Turn:
        """Send the topic's first text message to the caller, unless they opted out."""
        pack = self._pack(lang)
        topic = call.node.split(":")[1]
        if state.opted_out:
            result = "opted_out"
        else:
            sms_lang = self.conversation.lang(state)
            result = send_text(self.conversation.topic_messages(sms_lang, topic)[0])
        if result == "sent":
            state.topic, state.page = topic, 0  # so MORE by text goes on from here
        elif result == "opted_out":
            state.opted_out = True
        key = {
            "sent": "voice.text_sent",
            "opted_out": "voice.text_opted_out",
            "no_number": "voice.text_no_number",
        }.get(result, "voice.text_failed")
        return self._present(call, lang, [Speech(pack.strings[key], lang)], options_only=True)

    def _person(self, call: Call, lang: str, now: datetime.datetime | None) -> Turn:
        pack = self._pack(lang)
        now = now or datetime.datetime.now(datetime.UTC)
        if self.helpline.is_open(now):
            said = [Speech(pack.strings["voice.person_connecting"], lang)]
            return Turn(said, lang, dial=self.helpline.number, event="person")
        if self.helpline.number:
            hours = self.helpline.describe(pack.locale)
            text = pack.strings["voice.person_closed"].format(hours=hours)
        else:
            text = pack.strings["voice.person_none"]
        return self._present(call, lang, [Speech(text, lang)], options_only=True)

    def _again(self, call: Call, lang: str, key: str, keep_silences: bool = False) -> Turn:
        """Say what went wrong, then the same choices again."""
        call = call if keep_silences else dataclasses.replace(call, silences=0)
        sorry = Speech(self._pack(lang).strings[key], lang)
        turn = self._present(call, lang, [sorry], options_only=True)
        turn.event = key.removeprefix("voice.")
        return turn

    def _heard(self, speech: str, lang: str, by_key: dict[str, str]) -> str | None:
        """What the caller said, as an action: a key word, a command, a language, a topic."""
        words = normalise(speech)
        chosen = self.conversation.languages.explicit_choice(words)
        if chosen and self.can_speak(chosen):
            return f"lang:{chosen}"
        command = self._voice_words(lang).command(words, typos=False) or self._voice_words(
            "en"
        ).command(words, typos=False)
        if command in NUMBER_WORDS:
            return by_key.get(NUMBER_WORDS[command])
        if command:
            return {
                "repeat": "repeat",
                "back": "back",
                "help": "help",
                "person": "person",
                "slower": "slower",
                "faster": "faster",
                "more": "more",
                "text": "text",
                "menu": "menu",
                "language": "language",
            }[command]
        for action, label in self._labels(by_key, lang):
            if label and (label in words or (len(words) >= 4 and words in label)):
                return action  # the name of a choice in this menu ("risks and recovery")
        topic = self.conversation.languages.understand(words, lang).topic
        return f"topic:{topic}:0" if topic else None

    def _labels(self, by_key: dict[str, str], lang: str) -> list[tuple[str, str]]:
        """Each choice of a menu with its spoken name, normalised."""
        pack = self._pack(lang)
        labels = []
        for action in by_key.values():
            if action.startswith("group:"):
                label = pack.strings[f"voice.group_{action.removeprefix('group:')}"]
            elif action.startswith("topic:"):
                label = pack.by_id[action.split(":")[1]].spoken
            else:
                continue
            labels.append((action, normalise(label)))
        return labels

    def _voice_words(self, lang: str) -> Matcher:
        if lang not in self._words:
            strings = self._pack(lang).strings
            commands = {
                key.removeprefix("voice_words."): split_list(text)
                for key, text in strings.items()
                if key.startswith("voice_words.")
            }
            self._words[lang] = Matcher({}, commands, split_list(strings["matching.common_words"]))
        return self._words[lang]

    # Saying things ---------------------------------------------------------------------------

    def _present(
        self, call: Call, lang: str, intro: list[Speech] | None = None, options_only: bool = False
    ) -> Turn:
        """A menu: what leads into it, its content (a topic part), then its choices."""
        pack = self._pack(lang)
        say = list(intro or [])
        if call.node.startswith("topic:") and not options_only:
            _, topic, part = call.node.split(":")
            pages = self.pages(lang, topic)
            index = min(int(part), len(pages) - 1)
            call = dataclasses.replace(call, node=f"topic:{topic}:{index}")
            say.append(Speech(pages[index], lang, "content"))
            if index == 0:
                say.append(Speech(pack.strings["system.disclaimer"], lang))
            if index == len(pages) - 1:
                say.append(Speech(pack.strings["voice.end_of_topic"], lang))
        options = self._options(call, lang)
        say += [option.prompt for option in options]
        event = "topic" if any(speech.kind == "content" for speech in say) else "menu"
        return Turn(say, lang, call, tuple(o.key for o in options), tuple(options), event=event)

    def pages(self, lang: str, topic_id: str) -> list[str]:
        """A topic as read aloud: its pages, each cut to at most 40 seconds of speech."""
        key = (lang, topic_id)
        if key not in self._pages:
            texts = self.conversation.topic_pages(self._pack(lang), topic_id)
            self._pages[key] = paginate(
                texts,
                lambda body, index, last: body,
                lambda text, index: spoken_seconds(text, lang) <= MAX_PAGE_SECONDS,
            )
        return self._pages[key]

    def hints(self, lang: str, options: tuple[Option, ...]) -> tuple[str, ...]:
        """Speech hints: the menu's topics, the spoken commands, and the language names."""
        pack = self._pack(lang)
        hints: list[str] = []
        for option in options:
            if option.action.startswith("topic:"):
                hints.append(pack.by_id[option.action.split(":")[1]].spoken)
            elif option.action.startswith("group:"):
                hints.append(pack.strings[f"voice.group_{option.action.removeprefix('group:')}"])
        for key, text in pack.strings.items():
            if key.startswith("voice_words."):
                hints += split_list(text)[:3]
        hints += [
            self.conversation.languages.name(code) for code in self.conversation.settings.languages
        ]
        return tuple(dict.fromkeys(hint[:100] for hint in hints if hint))[:500]

    def _speaking(self, state: CallerState) -> tuple[str, list[Speech]]:
        """The language to speak, and a note when the caller's own language is text-only."""
        lang = self.conversation.lang(state)
        if self.can_speak(lang):
            return lang, []
        fallback = self.conversation.settings.default_language
        if not self.can_speak(fallback):
            fallback = "en"
        name = self.conversation.languages.name(lang)
        note = self._pack(fallback).strings["voice.language_text_only"].format(name=name)
        return fallback, [Speech(note, fallback)]

    def _pack(self, lang: str) -> LanguagePack:
        return self.conversation.content.pack(lang)

    @staticmethod
    def _fill(pack: LanguagePack, key: str, label: str) -> str:
        """An option's words with its label in, and {key} left for the number."""
        return pack.strings[f"voice.{key}"].replace("{label}", label)


def spoken_seconds(text: str, lang: str) -> float:
    """How long text takes to say at 150 words a minute (Chinese: 4 characters a second)."""
    if lang.startswith("zh"):
        return len("".join(text.split())) / CJK_CHARACTERS_PER_SECOND
    return len(text.split()) / WORDS_PER_SECOND
