"""The conversation core: a message and a caller's state in, a reply and new state out.

Plain Python, no Flask and no Twilio, so every channel shares it and tests call it directly.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from babel import Locale, UnknownLocaleError

from .content import Content, LanguagePack, Topic
from .matching import normalise

URGENT_TOPIC = "urgent"


@dataclass
class CallerState:
    """What the line remembers about one phone number between messages."""

    lang: str | None = None  # chosen language; None until one is chosen or detected
    topic: str | None = None  # last topic shown, for MORE
    page: int = 0  # last page of that topic shown (0-based)
    menu: str = "topics"  # the numbered list last shown: "topics" or "languages"
    opted_out: bool = False  # texted STOP: send nothing until START
    misses: int = 0  # messages in a row that matched nothing


@dataclass(frozen=True)
class Settings:
    """What a deployer sets that the conversation needs."""

    org_name: str = ""
    helpline: str = ""
    emergency: str = "999, 112 or 911"
    languages: tuple[str, ...] = ("en",)
    default_language: str = "en"


@dataclass(frozen=True)
class Reply:
    """What to send back. ``text`` None means send nothing at all (opted out)."""

    text: str | None
    intent: str  # welcome, menu, topic, more, end, help, language, unknown, opt_out, ...
    lang: str
    topic: str | None = None
    page: int | None = None


class Conversation:
    """Decide the reply to one text message."""

    def __init__(self, content: Content, settings: Settings) -> None:
        self.content = content
        self.settings = settings

    def reply(self, message: str, state: CallerState | None) -> tuple[Reply, CallerState]:
        """Answer one message. ``state`` is None for a number never seen before."""
        is_new = state is None
        state = dataclasses.replace(state) if state else CallerState()
        words = normalise(message or "")

        # Opt-out words come before everything else, whatever the state.
        if words in self.content.opt_out_words:
            state.opted_out = True
            return Reply(None, "opt_out", self._lang(state)), state
        if words in self.content.opt_in_words:
            was_out, state.opted_out = state.opted_out, False
            if was_out:
                return self._say(state, "opt_in", self._pack(state).text("opted_in")), state
            return self._menu(state, welcome=is_new), state
        if state.opted_out:
            return Reply(None, "opted_out", self._lang(state)), state

        pack = self._pack(state)
        matcher = pack.matcher
        # Someone unwell after a transplant gets the urgent answer before anything else.
        if URGENT_TOPIC in matcher.scores(words):
            return self._topic(state, pack.by_id[URGENT_TOPIC], intent="urgent"), state
        if is_new:
            return self._menu(state, welcome=True), state

        command = matcher.command(words)
        if command == "menu":
            return self._menu(state), state
        if command == "more":
            return self._more(state), state
        if command == "help":
            return self._help(state), state
        if command == "lang":
            return self._language_list(state), state

        number = matcher.number(words)
        if number is not None:
            if state.menu == "languages":
                return self._choose_language(state, number), state
            if 1 <= number <= len(pack.topics):
                return self._topic(state, pack.topics[number - 1]), state

        topic_id = matcher.topic(words)
        if topic_id:
            return self._topic(state, pack.by_id[topic_id]), state
        return self._unknown(state), state

    # Replies -------------------------------------------------------------------------

    def _topic(self, state: CallerState, topic: Topic, intent: str = "topic") -> Reply:
        state.topic, state.page, state.menu, state.misses = topic.id, 0, "topics", 0
        return Reply(self.topic_page(state, topic, 0), intent, self._lang(state), topic.id, 0)

    def topic_page(self, state: CallerState, topic: Topic, index: int) -> str:
        """A page as sent: the text, the disclaimer on the first page, then what to do next."""
        pack = self._pack(state)
        parts = [pack.page(topic, index, **self._values())]
        if index == 0:
            parts.append(pack.text("disclaimer"))
        last = index == len(topic.pages) - 1
        parts.append(pack.text("footer_last" if last else "footer_more"))
        return "\n".join(parts)

    def _more(self, state: CallerState) -> Reply:
        pack = self._pack(state)
        topic = pack.by_id.get(state.topic or "")
        if topic is None:
            return self._say(state, "more", pack.text("more_without_topic"))
        if state.page + 1 >= len(topic.pages):
            return self._say(state, "end", pack.text("end_of_topic"), topic.id)
        state.page += 1
        state.misses = 0
        text = self.topic_page(state, topic, state.page)
        return Reply(text, "more", self._lang(state), topic.id, state.page)

    def menu_text(self, state: CallerState, welcome: bool = False) -> str:
        """The numbered topic list, with the welcome line for a new number."""
        pack = self._pack(state)
        lines = [pack.text("welcome" if welcome else "menu_intro")]
        lines += [pack.text("menu_item", number=t.number, title=t.title) for t in pack.topics]
        lines.append(pack.text("menu_footer"))
        return "\n".join(lines)

    def _menu(self, state: CallerState, welcome: bool = False) -> Reply:
        state.menu, state.misses = "topics", 0
        text = self.menu_text(state, welcome)
        return Reply(text, "welcome" if welcome else "menu", self._lang(state))

    def _help(self, state: CallerState) -> Reply:
        pack = self._pack(state)
        lines = [pack.text("help")]
        if self.settings.org_name:
            lines.append(pack.text("help_org", org=self.settings.org_name))
        if self.settings.helpline:
            lines.append(pack.text("helpline", helpline=self.settings.helpline))
        return self._say(state, "help", "\n".join(lines))

    def _unknown(self, state: CallerState) -> Reply:
        pack = self._pack(state)
        state.misses += 1
        if state.misses == 2:
            # Twice lost in a row: show the way in full, once.
            text = pack.text("unknown_again") + "\n" + self.menu_text(state)
            state.menu = "topics"
        else:
            text = pack.text("unknown")
            if self.settings.helpline and state.misses > 2:
                text += "\n" + pack.text("helpline", helpline=self.settings.helpline)
        return Reply(text, "unknown", self._lang(state), state.topic)

    def _language_list(self, state: CallerState) -> Reply:
        pack = self._pack(state)
        languages = self.settings.languages
        if len(languages) == 1:
            return self._say(state, "language", pack.text("language_only_one"))
        state.menu = "languages"
        lines = [pack.text("language_list_intro")]
        lines += [
            pack.text("language_item", number=number, name=language_name(code), code=code)
            for number, code in enumerate(languages, start=1)
        ]
        return self._say(state, "language", "\n".join(lines))

    def _choose_language(self, state: CallerState, number: int) -> Reply:
        languages = self.settings.languages
        if not 1 <= number <= len(languages):
            return self._say(state, "language", self._pack(state).text("language_unknown"))
        state.lang, state.menu = languages[number - 1], "topics"
        return self._say(state, "language", self._pack(state).text("language_set"))

    def _say(self, state: CallerState, intent: str, text: str, topic: str | None = None) -> Reply:
        return Reply(text, intent, self._lang(state), topic)

    # Helpers -------------------------------------------------------------------------

    def _lang(self, state: CallerState) -> str:
        if state.lang in self.settings.languages:
            return state.lang  # type: ignore[return-value]
        return self.settings.default_language

    def _pack(self, state: CallerState) -> LanguagePack:
        return self.content.pack(self._lang(state))

    def _values(self) -> dict[str, str]:
        return {
            "emergency": self.settings.emergency,
            "helpline": self.settings.helpline,
            "org": self.settings.org_name,
        }


def language_name(code: str) -> str:
    """A language's name in that language, as its speakers would look for it."""
    try:
        name = Locale.parse(code).get_display_name(code) or code
    except (ValueError, UnknownLocaleError):
        return code
    return name[:1].upper() + name[1:]
