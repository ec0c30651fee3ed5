"""Babel extractor for messages/*.yaml: each string becomes a msgid, its key the msgctxt."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO

from ..core.source import is_word_list, translatable_strings


def extract(
    fileobj: IO[bytes], keywords: object, comment_tags: object, options: dict
) -> Iterator[tuple[int, str, tuple[str, ...], list[str]]]:
    """Yield (line, "pgettext", (key, English), comments) for pybabel extract.

    Strings with plural forms come as (line, "npgettext", (key, singular, plural), ...).
    """
    for key, text, line in translatable_strings(Path(fileobj.name)):
        if isinstance(text, tuple):
            yield line, "npgettext", (key, *text), [_hint(key)]
        else:
            yield line, "pgettext", (key, text), [_hint(key)]


def _hint(key: str) -> str:
    """A note for translators, shown above each entry in the .po file."""
    if is_word_list(key):
        return "Comma-separated words people might text. Not shown to anyone: add local words."
    if ".pages." in key:
        return "One SMS page. Short sentences. Keep {placeholders} as they are."
    if key.startswith("answers.") and key.endswith(".text"):
        return "One short answer, one SMS with its footer. Short sentences. Keep {placeholders}."
    if key.startswith("answers.") and key.endswith(".question"):
        return "The question this answer answers, as a short label for a numbered list."
    return "Keep {placeholders} as they are."
