"""The conversation core: a message and a caller's state in, a reply and new state out.

Plain Python, no Flask and no Twilio, so every channel shares it and tests call it directly.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from .content import Content, LanguagePack
from .languages import URGENT_TOPIC, Languages
from .matching import normalise
from .paging import paginate, within_segments
from .segments import encoding_of

# Right-to-left mark at the start of each line, so that a line opening with "aHSCT"
# or a digit still reads right to left on the phone.
RLM = "\u200f"


@dataclass
class CallerState:
    """What the line remembers about one phone number between messages."""

    lang: str | None = None  # language the caller chose (LANG, a name, the list)
    detected: str | None = None  # language read from their texts or their number
    topic: str | None = None  # last topic shown, for MORE
    page: int = 0  # last message of that topic sent (0-based)
    menu: str = "topics"  # the numbered list last shown: "topics" or "languages"
    opted_out: bool = False  # texted STOP: send nothing until START
    misses: int = 0  # messages in a row that matched nothing


@dataclass(frozen=True)
class Settings:
    """What a deployer sets that the conversation needs."""

    org_name: str = ""
    helpline: str = ""
    emergency: str = "999 / 112 / 911"
    languages: tuple[str, ...] = ("en",)
    default_language: str = "en"
    website: str = ""
    centres: str = ""  # local accredited centres, added to the centres topic
    speech_input: bool = True  # phone menus also take spoken answers


@dataclass(frozen=True)
class Reply:
    """What to send back. ``text`` None means send nothing at all (opted out)."""

    text: str | None
    intent: str  # welcome, menu, topic, urgent, more, end, help, language, unknown, ...
    lang: str
    topic: str | None = None
    page: int | None = None


class Conversation:
    """Decide the reply to one text message."""

    def __init__(self, content: Content, settings: Settings) -> None:
        self.content = content
        self.settings = settings
        self.languages = Languages(content, settings.languages, settings.default_language)
        self._topic_messages: dict[tuple[str, str], list[str]] = {}

    def reply(
        self,
        message: str,
        state: CallerState | None,
        country: str | None = None,
        base_url: str = "",
    ) -> tuple[Reply, CallerState]:
        """Answer one message. ``state`` is None for a number never seen before.

        ``country`` is the ISO region of the sender's number, when known; ``base_url`` the
        line's public address, for links to listen to a topic.
        """
        is_new = state is None
        state = dataclasses.replace(state) if state else CallerState()
        words = normalise(message or "")

        # Opt-out words come before everything else, whatever the state.
        if words in self.content.opt_out_words:
            state.opted_out = True
            return Reply(None, "opt_out", self.lang(state)), state
        if words in self.content.opt_in_words:
            was_out, state.opted_out = state.opted_out, False
            if was_out:
                return self._say(state, "opt_in", self.pack(state).text("opted_in")), state
            return self._menu(state, welcome=is_new), state
        if state.opted_out:
            return Reply(None, "opted_out", self.lang(state)), state

        # An explicit choice of language ("LANG es", "Cymraeg") wins over everything.
        chosen = self.languages.explicit_choice(words)
        if chosen:
            state.lang, state.menu = chosen, "topics"
            if is_new:
                return self._menu(state, welcome=True), state
            return self._say(state, "language", self.pack(state).text("language_set")), state
        self._notice_language(state, words, country)

        # Someone unwell after a transplant gets the urgent answer before anything else,
        # whatever language they wrote in.
        understood = self.languages.understand(words, self.lang(state))
        if understood.urgent:
            return self._topic(state, URGENT_TOPIC, intent="urgent"), state
        if is_new:
            return self._menu(state, welcome=True), state

        pack = self.pack(state)
        command = self.languages.command(words, pack.lang)
        if command == "menu":
            return self._menu(state), state
        if command == "more":
            return self._more(state), state
        if command == "help":
            return self._help(state), state
        if command == "lang":
            return self._language_list(state), state
        if command == "audio":
            return self._audio(state, base_url), state

        number = pack.matcher.number(words)
        if number is not None:
            if state.menu == "languages":
                return self._choose_language(state, number), state
            if 1 <= number <= len(pack.topics):
                return self._topic(state, pack.topics[number - 1].id), state

        if understood.topic:
            return self._topic(state, understood.topic), state
        return self._unknown(state), state

    # Language ------------------------------------------------------------------------

    def lang(self, state: CallerState) -> str:
        """The language to answer in: chosen, else detected, else the default."""
        for candidate in (state.lang, state.detected):
            if candidate in self.settings.languages:
                return candidate  # type: ignore[return-value]
        return self.settings.default_language

    def pack(self, state: CallerState) -> LanguagePack:
        """The content in the caller's language."""
        return self.content.pack(self.lang(state))

    def _notice_language(self, state: CallerState, words: str, country: str | None) -> None:
        """Without a chosen language: follow the language of the text, else of the number."""
        if state.lang in self.settings.languages:
            return
        written_in = self.languages.detect(words, prefer=self.lang(state))
        if written_in:
            state.detected = written_in
        elif state.detected is None and country:
            state.detected = self.languages.for_country(country)

    # Replies -------------------------------------------------------------------------

    def topic_messages(self, lang: str, topic_id: str) -> list[str]:
        """A topic as the texts sent, each within its segment budget (cached)."""
        key = (lang, topic_id)
        if key not in self._topic_messages:
            pack = self.content.pack(lang)
            pages = self.topic_pages(pack, topic_id)

            def compose(body: str, index: int, last: bool) -> str:
                parts = [body]
                if index == 0:
                    parts.append(pack.text("disclaimer"))
                parts.append(pack.text("footer_last" if last else "footer_more"))
                return self.finish(pack, "\n".join(parts))

            budget = within_segments(lambda index: topic_budget(pack, topic_id, index))
            self._topic_messages[key] = paginate(pages, compose, budget)
        return self._topic_messages[key]

    def _topic(self, state: CallerState, topic_id: str, intent: str = "topic") -> Reply:
        state.topic, state.page, state.menu, state.misses = topic_id, 0, "topics", 0
        text = self.topic_messages(self.lang(state), topic_id)[0]
        return Reply(text, intent, self.lang(state), topic_id, 0)

    def _more(self, state: CallerState) -> Reply:
        pack = self.pack(state)
        if state.topic not in pack.by_id:
            return self._say(state, "more", pack.text("more_without_topic"))
        messages = self.topic_messages(pack.lang, state.topic)  # type: ignore[arg-type]
        if state.page + 1 >= len(messages):
            state.page = len(messages) - 1
            text = pack.plural("end_of_topic", len(messages))
            return self._say(state, "end", text, state.topic)
        state.page += 1
        state.misses = 0
        return Reply(messages[state.page], "more", pack.lang, state.topic, state.page)

    def menu_text(self, state: CallerState, welcome: bool = False) -> str:
        """The numbered topic list, with the welcome line for a new number."""
        pack = self.pack(state)
        lines = [pack.text("welcome" if welcome else "menu_intro")]
        lines += [pack.text("menu_item", number=t.number, title=t.title) for t in pack.topics]
        lines.append(pack.text("menu_footer"))
        return self.finish(pack, "\n".join(lines))

    def _menu(self, state: CallerState, welcome: bool = False) -> Reply:
        state.menu, state.misses = "topics", 0
        text = self.menu_text(state, welcome)
        return Reply(text, "welcome" if welcome else "menu", self.lang(state))

    def _help(self, state: CallerState) -> Reply:
        pack = self.pack(state)
        helpline = [pack.text("helpline", helpline=self.settings.helpline)]
        website = [pack.text("help_website", website=self.settings.website)]
        org = [pack.text("help_org", org=self.settings.org_name)]
        # The deployer's lines, most useful first; the last ones give way if SMS is full.
        extras = (
            (helpline if self.settings.helpline else [])
            + (website if self.settings.website else [])
            + (org if self.settings.org_name else [])
        )
        limit = 3 if pack.is_gsm7 else 4
        while True:
            text = self.finish(pack, "\n".join([pack.text("help"), *extras]))
            if not extras or encoding_of(text).segments <= limit:
                return self._say(state, "help", text)
            extras.pop()

    def _unknown(self, state: CallerState) -> Reply:
        pack = self.pack(state)
        state.misses += 1
        if state.misses == 2:
            # Twice lost in a row: show the way in full, once.
            state.menu = "topics"
            text = pack.text("unknown_again") + "\n" + self.menu_text(state)
        else:
            text = pack.text("unknown")
            if self.settings.helpline and state.misses > 2:
                text += "\n" + pack.text("helpline", helpline=self.settings.helpline)
        return self._say(state, "unknown", text, state.topic)

    def _audio(self, state: CallerState, base_url: str) -> Reply:
        """A link to hear the last topic read aloud, in the caller's language."""
        pack = self.pack(state)
        if state.topic not in pack.by_id:
            return self._say(state, "audio", pack.text("audio_first"))
        url = f"{base_url.rstrip('/')}/listen/{pack.lang}/{state.topic}"
        return self._say(state, "audio", pack.text("audio_link", url=url), state.topic)

    def _language_list(self, state: CallerState) -> Reply:
        pack = self.pack(state)
        languages = self.settings.languages
        if len(languages) == 1:
            return self._say(state, "language", pack.text("language_only_one"))
        state.menu = "languages"
        lines = [pack.text("language_list_intro")]
        lines += [
            pack.text("language_item", number=number, name=self.languages.name(code), code=code)
            for number, code in enumerate(languages, start=1)
        ]
        return self._say(state, "language", "\n".join(lines))

    def _choose_language(self, state: CallerState, number: int) -> Reply:
        languages = self.settings.languages
        if not 1 <= number <= len(languages):
            return self._say(state, "language", self.pack(state).text("language_unknown"))
        state.lang, state.menu = languages[number - 1], "topics"
        return self._say(state, "language", self.pack(state).text("language_set"))

    def _say(self, state: CallerState, intent: str, text: str, topic: str | None = None) -> Reply:
        pack = self.pack(state)
        return Reply(self.finish(pack, text), intent, pack.lang, topic)

    # Helpers -------------------------------------------------------------------------

    @staticmethod
    def finish(pack: LanguagePack, text: str) -> str:
        """Mark right-to-left text line by line; leave other scripts alone."""
        if not pack.rtl:
            return text
        return "\n".join(RLM + line.lstrip(RLM) for line in text.split("\n"))

    def topic_pages(self, pack: LanguagePack, topic_id: str) -> list[str]:
        """A topic's pages with the deployer's settings filled in, and its local centres."""
        topic = pack.by_id[topic_id]
        pages = [pack.page(topic, index, **self.values()) for index in range(len(topic.pages))]
        if topic_id == "centres" and self.settings.centres:
            pages.append(pack.text("local_centres", centres=self.settings.centres))
        return pages

    def values(self) -> dict[str, str]:
        """The deployer's settings that content may quote."""
        return {
            "emergency": self.settings.emergency,
            "helpline": self.settings.helpline,
            "org": self.settings.org_name,
        }


def topic_budget(pack: LanguagePack, topic_id: str, index: int) -> int:
    """Segments a topic's message may take: 2 then 3 in GSM-7, 3 then 4 in UCS-2.

    The urgent answer's first message may take the larger budget outside English, so
    both actions (the transplant team, emergency services) arrive together.
    """
    first, rest = (2, 3) if pack.is_gsm7 else (3, 4)
    if index > 0 or (topic_id == URGENT_TOPIC and pack.lang != "en"):
        return rest
    return first
