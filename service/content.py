"""Load the English source in messages/ and its translations in locales/."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import yaml
from babel import Locale, UnknownLocaleError
from babel.dates import format_skeleton
from babel.numbers import format_decimal, get_currency_name
from babel.support import NullTranslations, Translations

from .matching import Matcher, split_list
from .segments import is_gsm7

log = logging.getLogger(__name__)

# Mapping keys whose values are never shown to people as they are, so never translated.
UNTRANSLATED_KEYS = {"id", "twilio_keywords", "values", "phone_menu"}

# Values the service fills in; content may use these in {braces}, and those in values.yaml.
PLACEHOLDERS = {
    "number",
    "title",
    "name",
    "code",
    "org",
    "helpline",
    "emergency",
    "count",
    "key",
    "label",
    "hours",
    "url",
    "website",
    "centres",
}

# A string with plural forms is written as a mapping with exactly these keys.
PLURAL_KEYS = {"one", "other"}

Text = str | tuple[str, str]  # a plain string, or (singular, plural)


def translatable_strings(path: Path) -> Iterator[tuple[str, Text, int]]:
    """Yield (key, English text, line) for every translatable string in a content file.

    Keys are dotted paths such as ``topics.risks.pages.1``: list items that have an
    ``id`` are named by it, others by their 1-based position. The loader and the
    gettext extractor both use this, so they always agree on keys. A mapping with
    ``one`` and ``other`` is one string with plural forms: its text is a pair.
    """
    node = yaml.compose(path.read_text(encoding="utf-8"))
    if node is not None:
        yield from _walk(node, [])


def _walk(node: yaml.Node, keys: list[str]) -> Iterator[tuple[str, Text, int]]:
    if isinstance(node, yaml.ScalarNode):
        yield ".".join(keys), node.value, node.start_mark.line + 1
    elif isinstance(node, yaml.MappingNode) and {k.value for k, _ in node.value} == PLURAL_KEYS:
        forms = {key_node.value: value.value for key_node, value in node.value}
        yield ".".join(keys), (forms["one"], forms["other"]), node.start_mark.line + 1
    elif isinstance(node, yaml.MappingNode):
        for key_node, value in node.value:
            if key_node.value not in UNTRANSLATED_KEYS:
                yield from _walk(value, [*keys, key_node.value])
    elif isinstance(node, yaml.SequenceNode):
        for position, item in enumerate(node.value, start=1):
            yield from _walk(item, [*keys, _item_name(item, position)])


def _item_name(node: yaml.Node, position: int) -> str:
    if isinstance(node, yaml.MappingNode):
        for key_node, value in node.value:
            if key_node.value == "id":
                return str(value.value)
    return str(position)


@dataclass(frozen=True)
class Topic:
    """One topic in one language."""

    id: str
    number: int
    title: str
    spoken: str  # how the phone menu names it: "To hear {spoken}, press 2"
    keywords: tuple[str, ...]
    pages: tuple[str, ...]


class Content:
    """The English source and every language made from it."""

    def __init__(self, messages_dir: Path, locales_dir: Path) -> None:
        self.messages_dir = Path(messages_dir)
        self.locales_dir = Path(locales_dir)
        self.source: dict[str, str] = {}
        self.plurals: dict[str, tuple[str, str]] = {}
        data: dict = {}
        for path in sorted(self.messages_dir.glob("*.yaml")):
            for key, text, _line in translatable_strings(path):
                if isinstance(text, tuple):
                    self.plurals[key] = text
                else:
                    self.source[key] = text
            data.update(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
        self.values: dict[str, dict] = data.get("values", {})
        self.phone_menu: list[dict] = data.get("phone_menu", [])
        self.topic_ids: list[str] = [topic["id"] for topic in data.get("topics", [])]
        self.page_counts = {t["id"]: len(t.get("pages", [])) for t in data.get("topics", [])}
        keywords = data.get("twilio_keywords", {})
        self.opt_out_words = frozenset(word.lower() for word in keywords.get("opt_out", []))
        self.opt_in_words = frozenset(word.lower() for word in keywords.get("opt_in", []))
        self._packs: dict[str, LanguagePack] = {}

    def pack(self, lang: str) -> LanguagePack:
        """Return the content in one language (cached; English where a string is missing)."""
        if lang not in self._packs:
            self._packs[lang] = LanguagePack(self, lang, self._translations(lang))
        return self._packs[lang]

    def _translations(self, lang: str) -> NullTranslations:
        if lang == "en":
            return NullTranslations()
        try:
            translations = Translations.load(str(self.locales_dir), [lang], domain="messages")
        except Exception:  # a corrupt catalogue must not take the line down
            log.exception("could not load the %s catalogue; using English", lang)
            return NullTranslations()
        if not isinstance(translations, Translations):
            log.error("no compiled %s catalogue (run `flask i18n compile`); using English", lang)
        return translations


class LanguagePack:
    """Every string of the content in one language, plus its topic matcher."""

    def __init__(self, content: Content, lang: str, translations: NullTranslations) -> None:
        self.lang = lang
        self.source = content.source
        self.translations = translations
        self.plural_source = content.plurals
        self.locale = locale_of(lang)
        self.strings = {
            key: translations.pgettext(key, english) or english
            for key, english in content.source.items()
        }
        self.values = {
            name: format_value(spec, self.locale) for name, spec in content.values.items()
        }
        self.topics: list[Topic] = [
            Topic(
                id=topic_id,
                number=number,
                title=self.strings[f"topics.{topic_id}.title"],
                spoken=self.strings[f"topics.{topic_id}.spoken"],
                keywords=tuple(split_list(self.strings[f"topics.{topic_id}.keywords"])),
                pages=tuple(
                    self.strings[f"topics.{topic_id}.pages.{page}"]
                    for page in range(1, content.page_counts[topic_id] + 1)
                ),
            )
            for number, topic_id in enumerate(content.topic_ids, start=1)
        ]
        self.by_id = {topic.id: topic for topic in self.topics}
        self.rtl = self.locale.character_order == "right-to-left"
        # A language whose every shown string is GSM-7 must stay so (3x cheaper per SMS).
        self.is_gsm7 = all(is_gsm7(text) for text in self.shown_strings())

    def shown_strings(self) -> list[str]:
        """The strings people see or hear (not keyword lists)."""
        return [text for key, text in self.strings.items() if not is_word_list(key)]

    @cached_property
    def matcher(self) -> Matcher:
        """The keyword and typo matcher for this language, built on first use."""
        return Matcher(
            topics={topic.id: topic.keywords for topic in self.topics},
            commands={
                name.removeprefix("commands."): split_list(text)
                for name, text in self.strings.items()
                if name.startswith("commands.")
            },
            common_words=split_list(self.strings["matching.common_words"]),
        )

    def text(self, key: str, **values: object) -> str:
        """A system string with its placeholders filled in."""
        return self.fill(f"system.{key}", **values)

    def fill(self, key: str, **values: object) -> str:
        """Fill a string's placeholders; a broken translation falls back to English."""
        try:
            return self.strings[key].format(**values)
        except (KeyError, IndexError, ValueError):
            log.error("placeholder error in %s (%s); using English", key, self.lang)
        try:
            return self.source[key].format_map(_Blank(values))
        except (IndexError, ValueError):
            return self.source[key]

    def page(self, topic: Topic, index: int, **values: object) -> str:
        """One page of a topic with its placeholders (and values.yaml's) filled in."""
        return self.fill(f"topics.{topic.id}.pages.{index + 1}", **self.values, **values)

    def plural(self, key: str, count: int, **values: object) -> str:
        """A string with plural forms, for ``count``, the number written for the locale."""
        one, other = self.plural_source[f"system.{key}"]
        text = self.translations.npgettext(f"system.{key}", one, other, count)
        shown = format_decimal(count, locale=self.locale)
        try:
            return text.format(count=shown, **values)
        except (KeyError, IndexError, ValueError):
            log.error("placeholder error in plural %s (%s); using English", key, self.lang)
            return (one if count == 1 else other).format(count=count, **values)


def format_value(spec: dict, locale: Locale) -> str:
    """Write a fact from values.yaml the local way: money, or a month and year."""
    if "money" in spec:
        amount, currency = spec["money"], spec["currency"]
        name = get_currency_name(currency, count=amount, locale=locale)
        return f"{format_decimal(amount, locale=locale)} {name}"
    if "month" in spec:
        year, month = (int(part) for part in str(spec["month"]).split("-"))
        return format_skeleton("yMMMM", datetime.date(year, month, 1), locale=locale)
    raise ValueError(f"values.yaml: cannot format {spec!r}")


def is_word_list(key: str) -> bool:
    """Keyword lines are matched against, never shown."""
    return key.endswith(".keywords") or key.startswith(("commands.", "matching.", "voice_words."))


def locale_of(lang: str) -> Locale:
    """The Babel locale for a language code (English when the code is unknown)."""
    try:
        return Locale.parse(lang)
    except (ValueError, UnknownLocaleError):
        return Locale.parse("en")


class _Blank(dict):
    """Placeholders nobody fills come out empty rather than failing."""

    def __missing__(self, key: str) -> str:
        return ""


def default_content() -> Content:
    """The content shipped in this repository's messages/ and locales/."""
    root = Path(__file__).resolve().parent.parent
    return Content(root / "messages", root / "locales")
