"""Load the English source in messages/ and its translations in locales/, one language at a time."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from babel.support import NullTranslations, Translations

from .pack import LRI, NUMBER_PLACEHOLDERS, PDI, Answer, LanguagePack, Topic, locale_of
from .source import read_yaml, translatable_strings

__all__ = [
    "LRI",
    "NUMBER_PLACEHOLDERS",
    "OPTIONAL_PLACEHOLDERS",
    "PDI",
    "PLACEHOLDERS",
    "Answer",
    "Content",
    "LanguagePack",
    "Topic",
    "default_content",
    "locale_of",
]

log = logging.getLogger(__name__)

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
    "celsius",
    "fahrenheit",
    "question",
}
# Placeholders a translation may leave out: Fahrenheit, where nobody reads it.
OPTIONAL_PLACEHOLDERS = {"fahrenheit"}


class Content:
    """The English source and every language made from it."""

    def __init__(self, messages_dir: Path, locales_dir: Path) -> None:
        self.messages_dir = Path(messages_dir)
        self.locales_dir = Path(locales_dir)
        self.source: dict[str, str] = {}
        self.plurals: dict[str, tuple[str, str]] = {}
        data: dict[str, Any] = {}
        for path in sorted(self.messages_dir.glob("*.yaml")):
            for key, text, _line in translatable_strings(path):
                if isinstance(text, tuple):
                    self.plurals[key] = text
                else:
                    self.source[key] = text
            data.update(read_yaml(path) or {})
        self.values: dict[str, dict] = data.get("values", {})
        self.phone_menu: list[dict] = data.get("phone_menu", [])
        topics = data.get("topics", [])
        self.topic_ids: list[str] = [topic["id"] for topic in topics]
        self.page_counts = {topic["id"]: len(topic.get("pages", [])) for topic in topics}
        self.key_figures = {topic["id"]: list(topic.get("key_figures", [])) for topic in topics}
        answers = data.get("answers", [])
        self.answer_ids: list[str] = [answer["id"] for answer in answers]
        self.answer_topics = {answer["id"]: answer["topic"] for answer in answers}
        self.urgent_answers = frozenset(a["id"] for a in answers if a.get("urgent"))
        self.english_examples = {a["id"]: list(a.get("examples", [])) for a in answers}
        keywords = data.get("twilio_keywords", {})
        self.opt_out_words = frozenset(word.lower() for word in keywords.get("opt_out", []))
        self.opt_in_words = frozenset(word.lower() for word in keywords.get("opt_in", []))
        self._packs: dict[str, LanguagePack] = {}

    def pack(self, lang: str) -> LanguagePack:
        """The content in one language, built on first use (English where a string is missing)."""
        if lang not in self._packs:
            self._packs[lang] = LanguagePack(self, lang, self._translations(lang))
        return self._packs[lang]

    def examples(self, lang: str) -> dict[str, list[str]]:
        """A language's own example questions per answer (locales/<lang>/examples.yaml)."""
        if lang == "en":
            return self.english_examples
        path = self.locales_dir / lang / "examples.yaml"
        if not path.exists():
            return {}
        data = read_yaml(path) or {}
        return {key: list(value or []) for key, value in (data.get("examples") or {}).items()}

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


def default_content() -> Content:
    """The content shipped in this repository's messages/ and locales/."""
    root = Path(__file__).resolve().parents[2]
    return Content(root / "messages", root / "locales")
