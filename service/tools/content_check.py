"""Check the content as people get it, in every enabled language: drive the real core.

Texts: every kind of message within its segment budget, English (and German, Italian)
in GSM-7, no orphan text, each topic's key figures in its first text, no topic over five
texts, phone numbers isolated in right-to-left text, no never-say claim. Speech: no raw
"38C" or "999 / 112" left for a voice to misread, and no never-say claim either.
"""

from __future__ import annotations

import dataclasses
import re
import string
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..core.content import LRI, OPTIONAL_PLACEHOLDERS, PDI, PLACEHOLDERS, LanguagePack
from ..core.line import Line
from ..core.paging import sentences
from ..core.phone.menu import PhoneMenu
from ..core.phone.walk import walk
from ..core.replies import SMS, TextBuilder, answer_budget, topic_budget
from ..core.segments import Encoding, encoding_of, is_gsm7
from ..core.state import CallerState, Settings
from ..core.texting import TextDialogue
from ..core.words import normalise
from .never_say import NeverSay

# The twelve topics the line must cover, in menu order (urgent help first).
REQUIRED_TOPICS = [
    "urgent",
    "what-is-it",
    "steps",
    "eligibility",
    "risks",
    "recovery",
    "cost",
    "centres",
    "questions",
    "trials",
    "compare",
    "fertility",
]
# Languages whose messages must stay in GSM-7 (any other character triples the cost).
GSM7_LANGUAGES = {"en", "de", "it"}
MAX_TOPIC_TEXTS = 5
MIN_EXAMPLES = {"en": 6}
MIN_EXAMPLES_OTHER = 4
# Non-urgent example questions that may use a one-word urgent keyword before it is a problem.
EVERYDAY_USES = 2
ORPHAN_WORDS, ORPHAN_CJK_CHARACTERS = 8, 20
# Stand-ins for deployer settings left empty, so optional lines are checked too.
SAMPLE_SETTINGS = {
    "org_name": "Example MS Charity",
    "helpline": "+44 20 7946 0000",
    "website": "https://example-ms.org/hsct",
    "centres": "King's College Hospital, London; Royal Hallamshire, Sheffield",
}
SAMPLE_URL = "https://hsct-line.example-charity.org"  # a public address of typical length
# Opt-in words must never be asked for: a menu saying "reply YES" would re-subscribe people.
_ASKS_OPT_IN = re.compile(r"\b(YES|START|UNSTOP)\b|(?i:reply yes)")
# What a voice would misread: "38C", "38 °C", "999 / 112".
_RAW_TEMPERATURE = re.compile(r"\d\s*°?\s*[CF]\b")
_SLASHED_NUMBERS = re.compile(r"\d\s*/\s*\d")


@dataclass(frozen=True)
class Sent:
    """One message exactly as a texter would receive it."""

    lang: str
    name: str
    text: str
    budget: int  # most segments allowed

    @property
    def encoding(self) -> Encoding:
        return encoding_of(self.text)


def messages_as_sent(line: Line, lang: str) -> Iterator[Sent]:
    """Drive the real text dialogue to produce every kind of message it sends."""
    pack = line.pack(lang)
    texts = TextBuilder(line, SMS)
    plain = TextDialogue(line, SMS)
    multi = TextDialogue(
        Line(line.content, dataclasses.replace(line.settings, languages=_many(line, lang)))
    )
    state = CallerState(lang=lang)
    budget = 3 if pack.is_gsm7 else 4

    def said(name: str, dialogue: TextDialogue, text: str, **changes: Any) -> Sent:
        reply, _ = dialogue.reply(text, dataclasses.replace(state, **changes), None, SAMPLE_URL)
        return Sent(lang, name, reply.text or "", budget)

    yield Sent(lang, "welcome", texts.menu(lang, welcome=True), 2 if lang == "en" else budget)
    yield said("menu", plain, "menu")
    for topic in pack.topics:
        for index, text in enumerate(texts.topic_messages(lang, topic.id)):
            yield Sent(lang, f"topic.{topic.id}.part{index + 1}", text, topic_budget(pack, index))
    for answer_id in pack.answers:
        for first in (False, True):
            name = f"answer.{answer_id}{'.first' if first else ''}"
            yield Sent(lang, name, texts.answer(lang, answer_id, first), answer_budget(pack))
    yield Sent(lang, "choices", texts.choices(lang, tuple(list(pack.answers)[:3])), budget)
    last = pack.topics[-1]
    last_part = len(texts.topic_messages(lang, last.id)) - 1
    yield said("help", plain, "help")
    yield said("unknown", plain, "qqqq")
    yield said("unknown.twice", plain, "qqqq", misses=1)
    yield said("unknown.often", plain, "qqqq", misses=2)
    yield said("end_of_topic", plain, "more", topic=last.id, page=last_part)
    yield said("more_without_topic", plain, "more")
    yield said("opted_in", plain, "start", opted_out=True)
    yield said("audio_first", plain, "audio")
    yield said("audio_link", plain, "audio", topic=last.id)
    one = TextDialogue(Line(line.content, dataclasses.replace(line.settings, languages=(lang,))))
    yield said("language_only_one", one, "lang")
    yield said("language_list", multi, "lang")
    yield said("language_set", multi, str(len(multi.line.settings.languages)), menu="languages")
    yield said("language_unknown", multi, "99", menu="languages")
    for key in ("error", "rate_limited", "voice_note_in", "audio_not_ready"):
        yield Sent(lang, key, texts.say(lang, key), budget)


def _many(line: Line, lang: str) -> tuple[str, ...]:
    many = line.settings.languages if len(line.settings.languages) > 1 else ("en", "es")
    return (*(code for code in many if code != lang), lang)  # this language last


def check(line: Line, phone: PhoneMenu) -> tuple[list[Sent], list[str]]:
    """Return every message checked and every problem found (empty when all is well)."""
    content = line.content
    problems: list[str] = []
    if content.topic_ids != REQUIRED_TOPICS:
        problems.append(f"topics are {content.topic_ids}, not the required {REQUIRED_TOPICS}")
        return [], problems  # the rest depends on them
    for answer_id, topic in content.answer_topics.items():
        if topic not in content.topic_ids:
            problems.append(f"answer {answer_id}: unknown topic {topic}")
    sample = Line(content, _sampled(line))
    sample_phone = dataclasses.replace(phone, line=sample)
    sent: list[Sent] = []
    for lang in line.settings.languages:
        never_say = NeverSay.load(lang, content.locales_dir)
        problems += _placeholder_problems(sample, lang) + _keyword_problems(sample, lang)
        problems += _example_problems(sample, lang)
        messages = list(messages_as_sent(sample, lang))
        sent += messages
        problems += _text_problems(sample, lang, messages, never_say)
        problems += _spoken_problems(sample_phone, lang, never_say)
    return sent, problems


def _sampled(line: Line) -> Settings:
    settings = line.settings
    return dataclasses.replace(
        settings,
        org_name=settings.org_name or SAMPLE_SETTINGS["org_name"],
        helpline=settings.helpline or SAMPLE_SETTINGS["helpline"],
        website=settings.website or SAMPLE_SETTINGS["website"],
        centres=settings.centres or SAMPLE_SETTINGS["centres"],
    )


def _text_problems(line: Line, lang: str, messages: list[Sent], never_say: NeverSay) -> list[str]:
    pack = line.pack(lang)
    problems = []
    numbers = [n for n in (line.settings.emergency, line.settings.helpline) if n]
    for message in messages:
        where, encoding = f"{lang} {message.name}", message.encoding
        if not message.text.strip():
            problems.append(f"{where}: empty")
        if encoding.segments > message.budget:
            problems.append(
                f"{where}: {encoding.segments} segments, budget {message.budget} ({encoding.name})"
            )
        if lang in GSM7_LANGUAGES and message.name != "language_list" and not is_gsm7(message.text):
            odd = sorted({char for char in message.text if not is_gsm7(char)})
            problems.append(f"{where}: not GSM-7 because of {odd}")
        problems += [
            f"{where}: never-say claim {claim}" for claim in never_say.claims(message.text)
        ]
        if _ASKS_OPT_IN.search(message.text):
            problems.append(f"{where}: asks for an opt-in word (YES/START/UNSTOP)")
        if pack.rtl:
            for number in numbers:
                if message.text.count(number) != message.text.count(f"{LRI}{number}{PDI}"):
                    problems.append(f"{where}: the number {number!r} is not isolated (LRI...PDI)")
    texts = TextBuilder(line, SMS)
    for topic in pack.topics:
        parts = texts.topic_messages(lang, topic.id)
        if len(parts) > MAX_TOPIC_TEXTS:
            problems.append(
                f"{lang} topic {topic.id}: {len(parts)} texts, at most {MAX_TOPIC_TEXTS}"
            )
        first = _digits(parts[0])
        for figure in line.content.key_figures.get(topic.id, []):
            if not re.search(rf"(?<!\d){re.escape(str(figure))}(?!\d)", first):
                problems.append(
                    f"{lang} topic {topic.id}: first text lacks the key figure {figure}"
                )
        pages = line.topic_pages(lang, topic.id)
        for index, part in enumerate(parts[:-1]):
            body = _body(part, pack)
            if body in pages:
                continue  # a whole page of the author's, however short
            if _is_orphan(body, lang):
                problems.append(
                    f"{lang} topic {topic.id} part {index + 1}: an orphan text {body!r}"
                )
    if line.settings.emergency not in texts.topic_messages(lang, "urgent")[0]:
        problems.append(f"{lang} topic urgent: the emergency number is not in the first text")
    return problems


def _spoken_problems(phone: PhoneMenu, lang: str, never_say: NeverSay) -> list[str]:
    """What the phone says: no raw symbols a voice would misread, no never-say claim."""
    said = {(speech.text, speech.lang) for turn in walk(phone, lang) for speech in turn.say}
    problems = []
    for text, spoken_in in sorted(said):
        where = f"{spoken_in} spoken {text[:40]!r}"
        if _RAW_TEMPERATURE.search(text):
            problems.append(f"{where}: a raw temperature (say '38 degrees')")
        if _SLASHED_NUMBERS.search(text):
            problems.append(f"{where}: numbers with slashes (say them one by one)")
        problems += [f"{where}: never-say claim {claim}" for claim in never_say.claims(text)]
    return problems


def _body(message: str, pack: LanguagePack) -> str:
    """A topic text without its disclaimer and footer."""
    lines = [line.strip("\u200f") for line in message.split("\n")]
    framing = {pack.text(key) for key in ("disclaimer", "footer_more", "footer_last")}
    return " ".join(line for line in lines if line not in framing).strip()


def _is_orphan(body: str, lang: str) -> bool:
    """A text that is one short sentence: a fragment stranded from its page."""
    if len(sentences(body)) != 1:
        return False
    if lang.startswith("zh"):
        return len(body) < ORPHAN_CJK_CHARACTERS
    return len(body.split()) < ORPHAN_WORDS


def _digits(text: str) -> str:
    """Text with native digits as ASCII and digit-group separators gone ("1,50,000")."""
    return re.sub(r"(?<=\d)[,.\s\u00a0\u202f\u066c](?=\d)", "", normalise(text))


def placeholder_names(text: str) -> set[str]:
    """The {names} a string uses (ValueError when its braces are broken)."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _placeholder_problems(line: Line, lang: str) -> list[str]:
    content, pack = line.content, line.pack(lang)
    allowed = PLACEHOLDERS | set(content.values)
    pairs = [(key, text, content.source[key], False) for key, text in pack.strings.items()]
    for key, (one, other) in content.plurals.items():
        # Every plural form a language has, sampled through counts that reach each one.
        for count in (0, 1, 2, 3, 5, 11, 21, 22, 25, 101):
            translated = pack.translations.npgettext(key, one, other, count)
            pairs.append((key, str(translated), other, True))
    problems = []
    for key, text, source, plural in pairs:
        try:
            names, wanted = placeholder_names(text), placeholder_names(source)
        except ValueError as error:
            problems.append(f"{lang} {key}: broken braces ({error})")
            continue
        if names - allowed:
            problems.append(f"{lang} {key}: unknown placeholders {sorted(names - allowed)}")
        elif plural and names <= wanted and wanted - {"count"} <= names:
            continue  # a plural form may leave out the number itself ("the only part")
        elif names != wanted and not (names < wanted and wanted - names <= OPTIONAL_PLACEHOLDERS):
            problems.append(
                f"{lang} {key}: placeholders {sorted(names)} differ from {sorted(wanted)}"
            )
    return sorted(set(problems))


def _keyword_problems(line: Line, lang: str) -> list[str]:
    """A keyword in two topics, or one that is also a command, can never reach its topic."""
    pack = line.pack(lang)
    owner: dict[str, str] = {}
    problems = []
    for topic in pack.topics:
        for keyword in topic.keywords:
            if keyword in owner and owner[keyword] != topic.id:
                problems.append(f"{lang} keyword {keyword!r} is in {owner[keyword]} and {topic.id}")
            owner[keyword] = topic.id
            if keyword in pack.matcher.commands:
                problems.append(f"{lang} keyword {keyword!r} of {topic.id} is also a command")
    return problems + _everyday_urgent_words(pack)


def _everyday_urgent_words(pack: LanguagePack) -> list[str]:
    """A one-word urgent keyword that ordinary questions use too (Portuguese "cai": "I fell",
    but also "does hair fall out") makes false alarms: it should be a phrase."""
    single = {k for k in pack.by_id["urgent"].keywords if " " not in k}
    uses = {
        word: pack.everyday_words[word] for word in single - pack.word_list("temperature_words")
    }
    return [
        f"{pack.lang} urgent keyword {word!r} is an everyday word too ({count} non-urgent"
        " example questions use it): make it a phrase"
        for word, count in sorted(uses.items())
        if count >= EVERYDAY_USES
    ]


def _example_problems(line: Line, lang: str) -> list[str]:
    """Enough example questions per answer; none copied from the evaluation set."""
    from .evaluation import evaluation_texts  # the evaluation set lives beside the tests

    pack = line.pack(lang)
    wanted = MIN_EXAMPLES.get(lang, MIN_EXAMPLES_OTHER)
    problems = [
        f"{lang} answer {answer.id}: {len(answer.examples)} example questions, at least {wanted}"
        for answer in pack.answers.values()
        if len(answer.examples) < wanted
    ]
    held_out = evaluation_texts(lang)
    for answer in pack.answers.values():
        for example in answer.examples:
            if normalise(example) in held_out:
                problems.append(
                    f"{lang} answer {answer.id}: example {example!r} is in the evaluation set"
                )
    return problems
