"""The text dialogue (SMS and WhatsApp): a message and a caller's state in, a reply out.

Plain Python, no Flask and no Twilio. The order of the checks in ``reply`` is the
specification: opt-out words, a language named, urgent help, HELP, the first text,
commands, numbers, a topic named, then the answer to the question asked.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from .line import Line, Understanding
from .replies import SMS, Shape, TextBuilder
from .state import CallerState
from .urgent import URGENT_TOPIC
from .words import asks, normalise


@dataclass(frozen=True)
class Reply:
    """What to send back. ``text`` None means send nothing at all."""

    text: str | None
    intent: str  # welcome, menu, topic, answer, choices, urgent, more, help, unknown, ...
    lang: str
    topic: str | None = None
    page: int | None = None
    answer: str | None = None
    speak: str | None = None  # what a voice note of this reply says (WhatsApp)
    unanswered: bool = False  # a question the line could not place (kept, scrubbed)


class TextDialogue:
    """Decide the reply to one text message, on one channel."""

    def __init__(self, line: Line, shape: Shape = SMS) -> None:
        self.line = line
        self.shape = shape
        self.texts = TextBuilder(line, shape)

    def reply(
        self,
        message: str,
        state: CallerState | None,
        country: str | None = None,
        base_url: str = "",
    ) -> tuple[Reply, CallerState]:
        """Answer one message. ``state`` is None for a number never seen before.

        ``country`` is the ISO region of the sender's number, when known; ``base_url`` the
        line's public address, for links to listen to an answer or a topic.
        """
        is_new = state is None
        state = dataclasses.replace(state) if state else CallerState()
        words = normalise(message or "")
        line = self.line

        # Opt-out words come before everything else, whatever the state.
        if words in line.content.opt_out_words:  # is_opt_out, on words already read
            return self.opted_out(state)
        if words in line.content.opt_in_words:
            return self.opted_in(state, is_new)
        if state.opted_out:
            return Reply(None, "opted_out", line.lang(state)), state

        # An explicit choice of language ("LANG es", "Cymraeg") wins over everything.
        chosen = line.languages.explicit_choice(words)
        if chosen:
            state.lang, state.menu = chosen, "topics"
            if is_new:
                return self._menu(state, welcome=True), state
            return self._say(state, "language", "language_set"), state
        line.notice_language(state, words, country)
        lang = line.lang(state)

        # Someone unwell after a transplant gets the urgent action before anything else.
        meaning = line.understand(words, lang, asked=asks(message or ""))
        if meaning.urgent:
            return self._urgent(state, meaning), state

        command = line.languages.command(words, lang)
        if command == "help":  # carriers require HELP to work on any text, the first too
            return self._reply(state, self.texts.help(lang), "help"), state
        if is_new:
            return self._first_text(state, words, command, meaning), state
        if command:
            return self._command(state, command, base_url), state

        number = line.pack(lang).matcher.number(words)
        if number is not None:
            return self._numbered(state, number), state
        return self._meant(state, meaning), state

    # Opting out and in (also from Twilio's Advanced Opt-Out) ------------------------------

    def opted_out(self, state: CallerState) -> tuple[Reply, CallerState]:
        """STOP: remember it and say nothing (carriers send their own confirmation)."""
        state = dataclasses.replace(state, opted_out=True)
        return Reply(None, "opt_out", self.line.lang(state)), state

    def opted_in(self, state: CallerState, is_new: bool = False) -> tuple[Reply, CallerState]:
        """START: welcome back, or the menu for someone who never left."""
        state = dataclasses.replace(state)
        was_out, state.opted_out = state.opted_out, False
        if was_out:
            return self._say(state, "opt_in", "opted_in"), state
        return self._menu(state, welcome=is_new), state

    def rate_limited(self, state: CallerState | None) -> Reply:
        """The one notice past the rate limit (it still gives the urgent action)."""
        return self._say(state or CallerState(), "rate_limited", "rate_limited")

    def voice_note_sent_to_us(self, state: CallerState | None) -> Reply:
        """A voice message the line cannot listen to: ask for words, kindly."""
        return self._say(state or CallerState(), "voice_note_in", "voice_note_in")

    # What a message asks for ------------------------------------------------------------

    def _first_text(
        self, state: CallerState, words: str, command: str | None, meaning: Understanding
    ) -> Reply:
        """A new number: the answer, if the text asked something understood; else the welcome."""
        if command or not words or self.line.pack(self.line.lang(state)).matcher.number(words):
            return self._menu(state, welcome=True)
        if meaning.topic:
            return self._topic(state, meaning.topic)
        if meaning.answer:
            return self._answer(state, meaning.answer, first_text=True)
        return dataclasses.replace(self._menu(state, welcome=True), unanswered=True)

    def _command(self, state: CallerState, command: str, base_url: str) -> Reply:
        lang = self.line.lang(state)
        if command == "menu":
            return self._menu(state)
        if command == "more":
            return self._more(state)
        if command == "lang":
            return self._language_list(state)
        if command == "audio":
            return self._audio(state, base_url)
        if command in ("voice_on", "voice_off"):
            if self.shape.name != "whatsapp":
                return self._say(state, "audio", "voice_notes_whatsapp_only")
            state.voice_notes = command == "voice_on"
            return self._say(state, "voice_notes", command.replace("voice_", "voice_notes_"))
        return self._reply(state, self.texts.help(lang), "help")

    def _numbered(self, state: CallerState, number: int) -> Reply:
        pack = self.line.pack(self.line.lang(state))
        if state.menu == "languages":
            return self._choose_language(state, number)
        if state.menu == "choices" and 1 <= number <= len(state.choices):
            return self._answer(state, state.choices[number - 1])
        if 1 <= number <= len(pack.topics):
            return self._topic(state, pack.topics[number - 1].id)
        return self._unknown(state)

    def _meant(self, state: CallerState, meaning: Understanding) -> Reply:
        """A topic named outright, the answer to a question, a short-list, or a kind hint."""
        if meaning.topic:
            return self._topic(state, meaning.topic)
        if meaning.answer:
            return self._answer(state, meaning.answer)
        if meaning.choices:
            return self._choices(state, meaning.choices)
        if meaning.keyword_topic:
            return self._topic(state, meaning.keyword_topic)
        return self._unknown(state)

    # Replies ------------------------------------------------------------------------------

    def _urgent(self, state: CallerState, meaning: Understanding) -> Reply:
        if meaning.urgent_answer:
            reply = self._answer(state, meaning.urgent_answer)
            return dataclasses.replace(reply, intent="urgent")
        return self._topic(state, URGENT_TOPIC, intent="urgent")

    def _answer(self, state: CallerState, answer_id: str, first_text: bool = False) -> Reply:
        lang = self.line.lang(state)
        topic = self.line.content.answer_topics[answer_id]
        state.topic, state.page, state.answer = topic, -1, answer_id
        state.menu, state.choices, state.misses = "topics", (), 0
        text = self.texts.answer(lang, answer_id, first_text)
        # Its words for a voice note (WhatsApp); an SMS reply is never spoken.
        speak = None if self.shape.segments else self.line.answer_text(lang, answer_id, True)
        return Reply(text, "answer", lang, topic, None, answer_id, speak)

    def _choices(self, state: CallerState, answer_ids: tuple[str, ...]) -> Reply:
        lang = self.line.lang(state)
        state.menu, state.choices, state.misses = "choices", answer_ids, 0
        return Reply(self.texts.choices(lang, answer_ids), "choices", lang)

    def _topic(self, state: CallerState, topic_id: str, intent: str = "topic") -> Reply:
        lang = self.line.lang(state)
        state.topic, state.page, state.answer = topic_id, 0, None
        state.menu, state.choices, state.misses = "topics", (), 0
        text = self.texts.topic_messages(lang, topic_id)[0]
        return Reply(text, intent, lang, topic_id, 0, speak=self._spoken_page(lang, topic_id, 0))

    def _more(self, state: CallerState) -> Reply:
        lang = self.line.lang(state)
        pack = self.line.pack(lang)
        if state.topic is None or state.topic not in pack.by_id:
            return self._say(state, "more", "more_without_topic")
        messages = self.texts.topic_messages(lang, state.topic)
        if state.page + 1 >= len(messages):
            state.page = len(messages) - 1
            text = self.texts.finish(pack, pack.plural("end_of_topic", len(messages)))
            return Reply(text, "end", lang, state.topic)
        state.page += 1
        state.answer, state.misses = None, 0
        speak = self._spoken_page(lang, state.topic, state.page)
        return Reply(messages[state.page], "more", lang, state.topic, state.page, speak=speak)

    def _spoken_page(self, lang: str, topic_id: str, page: int) -> str | None:
        """The words of a topic's page for a voice note (WhatsApp sends whole pages)."""
        if self.shape.segments:
            return None
        pages = self.line.topic_pages(lang, topic_id, spoken=True)
        return pages[page] if 0 <= page < len(pages) else None

    def _menu(self, state: CallerState, welcome: bool = False) -> Reply:
        state.menu, state.choices, state.misses = "topics", (), 0
        lang = self.line.lang(state)
        return Reply(self.texts.menu(lang, welcome), "welcome" if welcome else "menu", lang)

    def _unknown(self, state: CallerState) -> Reply:
        lang = self.line.lang(state)
        pack = self.line.pack(lang)
        state.misses += 1
        if state.misses == 2:  # twice lost in a row: show the way in full, once
            state.menu, state.choices = "topics", ()
            text = pack.text("unknown_again") + "\n" + self.texts.menu(lang)
        else:
            text = pack.text("unknown")
            if self.line.settings.helpline and state.misses > 2:
                text += "\n" + pack.text("helpline", helpline=self.line.settings.helpline)
        reply = self._reply(state, self.texts.finish(pack, text), "unknown", state.topic)
        return dataclasses.replace(reply, unanswered=True)

    def _audio(self, state: CallerState, base_url: str) -> Reply:
        """Hear the last answer or topic: a voice note on WhatsApp, a listen link by SMS."""
        lang = self.line.lang(state)
        speak: str | None
        if state.answer:
            speak = self.line.answer_text(lang, state.answer, spoken=True)
            path = f"/listen/{lang}/answer/{state.answer}"
        elif state.topic is not None and state.topic in self.line.pack(lang).by_id:
            page = max(state.page, 0)
            speak = self._spoken_page(lang, state.topic, page)
            path = f"/listen/{lang}/{state.topic}"
        else:
            return self._say(state, "audio", "audio_first")
        text = self.texts.say(lang, "audio_link", url=base_url.rstrip("/") + path)
        return Reply(text, "audio", lang, state.topic, answer=state.answer, speak=speak)

    def _language_list(self, state: CallerState) -> Reply:
        if len(self.line.settings.languages) == 1:
            return self._say(state, "language", "language_only_one")
        state.menu = "languages"
        lang = self.line.lang(state)
        return Reply(self.texts.language_list(lang), "language", lang)

    def _choose_language(self, state: CallerState, number: int) -> Reply:
        languages = self.line.settings.languages
        if not 1 <= number <= len(languages):
            return self._say(state, "language", "language_unknown")
        state.lang, state.menu = languages[number - 1], "topics"
        return self._say(state, "language", "language_set")

    def _say(self, state: CallerState, intent: str, key: str) -> Reply:
        lang = self.line.lang(state)
        return Reply(self.texts.say(lang, key), intent, lang, state.topic)

    def _reply(self, state: CallerState, text: str, intent: str, topic: str | None = None) -> Reply:
        return Reply(text, intent, self.line.lang(state), topic)
