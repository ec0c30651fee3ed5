"""Check the content as it is sent: topics present, segment budgets, encoding, never-say list."""

from __future__ import annotations

import dataclasses
import re
import string
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from .content import PLACEHOLDERS, Content
from .conversation import CallerState, Conversation, Settings, topic_budget
from .paging import sentences
from .segments import Encoding, encoding_of, is_gsm7

LOCALES = Path(__file__).resolve().parent.parent / "locales"
# The twelve topics the line must cover, in menu order.
REQUIRED_TOPICS = [
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
    "urgent",
]
# Languages whose messages must stay in GSM-7 (any other character triples the cost).
GSM7_LANGUAGES = {"en", "de", "it"}
# Stand-ins for deployer settings left empty, so optional lines are checked too.
SAMPLE_SETTINGS = {
    "org_name": "Example MS Charity",
    "helpline": "+44 20 7946 0000",
    "website": "https://example-ms.org/hsct",
    "centres": "King's College Hospital, London; Royal Hallamshire, Sheffield",
}
# A public address of typical length, for the listen link.
SAMPLE_URL = "https://hsct-line.example-charity.org"
# Opt-in words must never be asked for: a menu saying "reply YES" would re-subscribe people.
_ASKS_OPT_IN_EXACT = re.compile(r"\b(YES|START|UNSTOP)\b")


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


def segment_budget(name: str, lang: str) -> int:
    """Segments allowed for a message that is not a topic page: 2 for the English
    welcome, else 3 (4 in languages that need UCS-2)."""
    if name == "welcome" and lang == "en":
        return 2
    return 3 if lang in GSM7_LANGUAGES else 4


def messages_as_sent(content: Content, settings: Settings, lang: str) -> Iterator[Sent]:
    """Drive the real conversation core to produce every kind of message it sends."""
    filled = dataclasses.replace(
        settings,
        org_name=settings.org_name or SAMPLE_SETTINGS["org_name"],
        helpline=settings.helpline or SAMPLE_SETTINGS["helpline"],
        website=settings.website or SAMPLE_SETTINGS["website"],
        centres=settings.centres or SAMPLE_SETTINGS["centres"],
    )
    many = filled.languages if len(filled.languages) > 1 else ("en", "es")
    plain = Conversation(content, filled)
    multi = Conversation(content, dataclasses.replace(filled, languages=(*many, lang)))
    state = CallerState(lang=lang)

    def said(name: str, conversation: Conversation, text: str, **changes: object) -> Sent:
        reply, _ = conversation.reply(text, dataclasses.replace(state, **changes))
        return Sent(lang, name, reply.text or "", segment_budget(name, lang))

    yield Sent(
        lang, "welcome", plain.menu_text(state, welcome=True), segment_budget("welcome", lang)
    )
    yield said("menu", plain, "menu")
    pack = content.pack(lang)
    for topic in pack.topics:
        for index, text in enumerate(plain.topic_messages(lang, topic.id)):
            name = f"topic.{topic.id}.page{index + 1}"
            yield Sent(lang, name, text, topic_budget(pack, topic.id, index))
    last = pack.topics[-1]
    last_page = len(plain.topic_messages(lang, last.id)) - 1
    yield said("help", plain, "help")
    yield said("unknown", plain, "qqqq")
    yield said("unknown.twice", plain, "qqqq", misses=1)
    yield said("unknown.often", plain, "qqqq", misses=2)
    yield said("end_of_topic", plain, "more", topic=last.id, page=last_page)
    yield said("more_without_topic", plain, "more")
    yield said("opted_in", plain, "start", opted_out=True)
    yield said("audio_first", plain, "audio")
    audio, _ = plain.reply("audio", dataclasses.replace(state, topic=last.id), None, SAMPLE_URL)
    yield Sent(lang, "audio_link", audio.text or "", segment_budget("audio_link", lang))
    yield said(
        "language_only_one",
        Conversation(content, dataclasses.replace(filled, languages=(lang,))),
        "lang",
    )
    yield said("language_list", multi, "lang")
    yield said("language_set", multi, str(len(multi.settings.languages)), menu="languages")
    yield said("language_unknown", multi, "99", menu="languages")
    yield Sent(lang, "error", pack.text("error"), segment_budget("error", lang))
    limited = plain.finish(pack, pack.text("rate_limited"))
    yield Sent(lang, "rate_limited", limited, segment_budget("rate_limited", lang))


@dataclass(frozen=True)
class NeverSay:
    """The claims the line must never make: service/never_say.yaml, plus each language's own
    locales/<lang>/never_say.yaml (English patterns apply in every language too)."""

    # (claim pattern, the negations that excuse it or None, why it is banned)
    rules: list[tuple[re.Pattern, re.Pattern | None, str]]

    @classmethod
    def load(cls, lang: str = "en", locales: Path = LOCALES) -> NeverSay:
        paths = [Path(__file__).with_name("never_say.yaml"), locales / lang / "never_say.yaml"]
        rules = []
        for path in paths:
            if not path.exists():
                continue
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            negation = re.compile(data["negations"], re.IGNORECASE)
            for rule in data["rules"]:
                excuse = negation if rule.get("unless_negated") else None
                rules.append((re.compile(rule["pattern"], re.IGNORECASE), excuse, rule["why"]))
        return cls(rules)

    def claims(self, text: str) -> list[str]:
        """Every never-say claim in a text, as "phrase (why)"."""
        found = []
        for sentence in (part for line in text.split("\n") for part in sentences(line)):
            for pattern, excuse, why in self.rules:
                match = pattern.search(sentence)
                if match and not (excuse and excuse.search(sentence[: match.start()])):
                    found.append(f"{match.group(0)!r} ({why})")
        return found


def check(
    content: Content, settings: Settings, languages: list[str]
) -> tuple[list[Sent], list[str]]:
    """Return every message checked and every problem found (empty when all is well)."""
    problems: list[str] = []
    if content.topic_ids != REQUIRED_TOPICS:
        missing = [t for t in REQUIRED_TOPICS if t not in content.topic_ids]
        extra = [t for t in content.topic_ids if t not in REQUIRED_TOPICS]
        problems.append(f"topics differ from the required twelve: missing {missing}, extra {extra}")
    for topic_id, count in content.page_counts.items():
        if count == 0:
            problems.append(f"topic {topic_id} has no pages")

    sent: list[Sent] = []
    for lang in languages:
        never_say = NeverSay.load(lang, content.locales_dir)
        problems += _placeholder_problems(content, lang)
        problems += _keyword_problems(content, lang)
        # What the phone says is checked for claims too (its budgets are in the tests).
        for key, text in content.pack(lang).strings.items():
            if key.startswith("voice.") or key.endswith(".spoken"):
                problems += [f"{lang} {key}: never-say claim {c}" for c in never_say.claims(text)]
        for message in messages_as_sent(content, settings, lang):
            sent.append(message)
            where = f"{lang} {message.name}"
            if not message.text.strip():
                problems.append(f"{where}: empty")
            encoding = message.encoding
            if encoding.segments > message.budget:
                over = f"{encoding.segments} segments, budget {message.budget}"
                problems.append(f"{where}: {over} ({encoding.name})")
            # The language list shows each language in its own script: the one exception.
            if (
                lang in GSM7_LANGUAGES
                and message.name != "language_list"
                and not is_gsm7(message.text)
            ):
                odd = sorted({char for char in message.text if not is_gsm7(char)})
                problems.append(f"{where}: not GSM-7 because of {odd}")
            if message.name == "topic.urgent.page1" and settings.emergency not in message.text:
                problems.append(f"{where}: the emergency number is not in the first message")
            for claim in never_say.claims(message.text):
                problems.append(f"{where}: never-say claim {claim}")
            if _ASKS_OPT_IN_EXACT.search(message.text) or "reply yes" in message.text.lower():
                problems.append(f"{where}: asks for an opt-in word (YES/START/UNSTOP)")
    return sent, problems


def placeholder_names(text: str) -> set[str]:
    """The {names} a string uses (ValueError when its braces are broken)."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _placeholder_problems(content: Content, lang: str) -> list[str]:
    pack = content.pack(lang)
    allowed = PLACEHOLDERS | set(content.values)
    pairs = [(key, text, content.source[key], False) for key, text in pack.strings.items()]
    for key, (one, other) in content.plurals.items():
        # Every plural form a language has, sampled through counts that reach each one.
        for count in (0, 1, 2, 3, 5, 11, 21, 22, 25, 101):
            translated = pack.translations.npgettext(key, one, other, count)
            pairs.append((key, translated, other, True))
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
        elif names != wanted:
            problems.append(
                f"{lang} {key}: placeholders {sorted(names)} differ from {sorted(wanted)}"
            )
    return sorted(set(problems))


def _keyword_problems(content: Content, lang: str) -> list[str]:
    """A keyword in two topics, or one that is also a command, can never reach its topic."""
    pack = content.pack(lang)
    matcher = pack.matcher
    owner: dict[str, str] = {}
    problems = []
    for topic in pack.topics:
        for keyword in topic.keywords:
            if keyword in owner and owner[keyword] != topic.id:
                problems.append(f"{lang} keyword {keyword!r} is in {owner[keyword]} and {topic.id}")
            owner[keyword] = topic.id
            if keyword in matcher.commands:
                problems.append(f"{lang} keyword {keyword!r} of {topic.id} is also a command")
    return problems
