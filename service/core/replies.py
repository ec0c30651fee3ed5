"""The texts a texter reads: topics cut to fit, answers, menus, help, short-lists.

A Shape says how a channel's texts are shaped. SMS counts segments: each message keeps
within its budget (2 then 3 segments in GSM-7, 4 in UCS-2). WhatsApp has no segments:
a whole page comes as one message, with its title in bold.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from .content import LanguagePack
from .line import Line
from .paging import paginate
from .segments import encoding_of, is_gsm7, smart_encode
from .urgent import URGENT_TOPIC

# Right-to-left mark at the start of each line, so that a line opening with "aHSCT"
# or a digit still reads right to left on the phone.
RLM = "\u200f"
MAX_BODY = 1600  # Twilio refuses a longer message body (error 21617)


@dataclass(frozen=True)
class Shape:
    """How one channel's texts are shaped."""

    name: str  # "sms" or "whatsapp"
    segments: bool  # keep each message within an SMS segment budget
    bold: str = ""  # WhatsApp marks bold text with *asterisks*


SMS = Shape("sms", segments=True)
WHATSAPP = Shape("whatsapp", segments=False, bold="*")


def topic_budget(pack: LanguagePack, index: int) -> int:
    """Segments a topic's message may take: 2 then 3 in GSM-7, 4 in UCS-2."""
    if not pack.is_gsm7:
        return 4
    return 2 if index == 0 else 3


def answer_budget(pack: LanguagePack) -> int:
    """Segments an answer may take, footer included: 2 in GSM-7, 4 in UCS-2."""
    return 2 if pack.is_gsm7 else 4


class TextBuilder:
    """Compose the texts of one channel from the line's content."""

    def __init__(self, line: Line, shape: Shape) -> None:
        self.line = line
        self.shape = shape
        self._topic_messages: dict[tuple[str, str], list[str]] = {}

    def topic_messages(self, lang: str, topic_id: str) -> list[str]:
        """A topic as the texts sent (cached): SMS parts within budget, or whole pages."""
        key = (lang, topic_id)
        if key not in self._topic_messages:
            pack = self.line.pack(lang)
            pages = self.line.topic_pages(lang, topic_id)
            title = self.bold(pack.by_id[topic_id].title)

            def compose(body: str, index: int, last: bool) -> str:
                titled = index == 0 and self.shape.bold and topic_id != URGENT_TOPIC
                parts = [title, body] if titled else [body]
                if index == 0 and topic_id != URGENT_TOPIC:
                    # Urgent help is an instruction, not information: nothing dilutes it.
                    parts.append(pack.text("disclaimer"))
                parts.append(pack.text("footer_last" if last else "footer_more"))
                return self.finish(pack, "\n".join(parts))

            if self.shape.segments:
                messages = paginate(pages, compose, self.fits_topic(pack))
            else:
                messages = [
                    compose(page, index, index == len(pages) - 1)
                    for index, page in enumerate(pages)
                ]
            self._topic_messages[key] = messages
        return self._topic_messages[key]

    def fits_topic(self, pack: LanguagePack):  # noqa: ANN201  (a predicate for paginate)
        """Whether a topic's part fits its budget."""
        return lambda text, index: encoding_of(text).segments <= topic_budget(pack, index)

    def answer(self, lang: str, answer_id: str, first_text: bool = False) -> str:
        """One answer, with the disclaimer and the next step (and, on a first text, what
        the line is and how to stop)."""
        pack = self.line.pack(lang)
        lines = []
        urgent = pack.answers[answer_id].urgent
        if self.shape.bold and not urgent:  # urgent help leads with the action, even here
            lines.append(self.bold(pack.answers[answer_id].question))
        lines.append(self.line.answer_text(lang, answer_id))
        if urgent:
            lines.append(pack.text("footer_more"))
        elif first_text:
            lines.append(pack.text("first_text_footer"))
        else:
            lines += [pack.text("disclaimer"), pack.text("answer_footer")]
        return self.finish(pack, "\n".join(lines))

    def choices(self, lang: str, answer_ids: tuple[str, ...]) -> str:
        """ "Did you mean: 1 ... 2 ...?" for answers that are about as likely."""
        pack = self.line.pack(lang)
        lines = [pack.text("choices_intro")]
        lines += [
            pack.text("choice_item", number=number, question=pack.answers[answer_id].question)
            for number, answer_id in enumerate(answer_ids, start=1)
        ]
        lines.append(pack.text("choices_footer"))
        return self.finish(pack, "\n".join(lines))

    def menu(self, lang: str, welcome: bool = False) -> str:
        """The numbered topic list, with the welcome line for a new number."""
        pack = self.line.pack(lang)
        lines = [pack.text("welcome" if welcome else "menu_intro")]
        lines += [pack.text("menu_item", number=t.number, title=t.title) for t in pack.topics]
        lines.append(pack.text("menu_footer"))
        return self.finish(pack, "\n".join(lines))

    def help(self, lang: str) -> str:
        """What the line is, its commands, and the deployer's details that fit."""
        pack = self.line.pack(lang)
        settings = self.line.settings
        extras = []
        if settings.helpline:
            extras.append(pack.text("helpline", helpline=settings.helpline))
        if settings.website:
            extras.append(pack.text("help_website", website=settings.website))
        if settings.org_name:
            extras.append(pack.text("help_org", org=settings.org_name))
        # The deployer's lines, most useful first; the last ones give way if SMS is full.
        limit = 3 if pack.is_gsm7 else 4
        while True:
            text = self.finish(pack, "\n".join([pack.text("help"), *extras]))
            if not extras or not self.shape.segments or encoding_of(text).segments <= limit:
                return text
            extras.pop()

    def language_list(self, lang: str) -> str:
        """The enabled languages, numbered, each in its own name."""
        pack = self.line.pack(lang)
        languages = self.line.languages
        lines = [pack.text("language_list_intro")]
        lines += [
            pack.text("language_item", number=number, name=languages.name(code), code=code)
            for number, code in enumerate(self.line.settings.languages, start=1)
        ]
        return "\n".join(lines)

    def say(self, lang: str, key: str, **values: object) -> str:
        """A one-line system text, marked for right-to-left scripts."""
        pack = self.line.pack(lang)
        return self.finish(pack, pack.text(key, **values))

    def bold(self, text: str) -> str:
        """WhatsApp's bold, or nothing."""
        return f"{self.shape.bold}{text}{self.shape.bold}" if self.shape.bold else text

    @staticmethod
    def finish(pack: LanguagePack, text: str) -> str:
        """Mark right-to-left text line by line; leave other scripts alone."""
        if not pack.rtl:
            return text
        return "\n".join(RLM + line.lstrip(RLM) for line in text.split("\n"))


def as_sent(text: str, plain_latin: bool = False) -> str:
    """The body as it goes out: typographic punctuation made GSM-7 where that keeps the
    whole text GSM-7, optionally Latin accents dropped too, and never over Twilio's limit."""
    for candidate in (smart_encode(text), plain_latin_text(text) if plain_latin else None):
        if candidate is not None and is_gsm7(candidate):
            return candidate[:MAX_BODY]
    return text[:MAX_BODY]


def plain_latin_text(text: str) -> str:
    """Latin letters without the accents GSM-7 lacks ("ç" -> "c", "ł" -> "l"); others kept."""
    out = []
    for char in smart_encode(text):
        if is_gsm7(char) or not char.isalpha() or ord(char) > 0x024F:
            out.append(char)
            continue
        base = unicodedata.normalize("NFKD", char.translate(_FOLD))
        out.append("".join(c for c in base if not unicodedata.combining(c)))
    return "".join(out)


_FOLD = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "đ": "d", "ı": "i"})
