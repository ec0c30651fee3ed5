"""Read the English source in messages/*.yaml as keyed strings (for the loader and pybabel)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

# Mapping keys whose values are never shown to people as they are, so never translated.
UNTRANSLATED_KEYS = {
    "id",
    "topic",
    "urgent",
    "examples",
    "key_figures",
    "twilio_keywords",
    "values",
    "phone_menu",
}

# A string with plural forms is written as a mapping with exactly these keys.
PLURAL_KEYS = {"one", "other"}

Text = str | tuple[str, str]  # a plain string, or (singular, plural)

# libyaml's loader when PyYAML was built with it: about ten times faster than pure Python.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> Any:
    """A YAML file's data (safe types only)."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)  # noqa: S506


def translatable_strings(path: Path) -> Iterator[tuple[str, Text, int]]:
    """Yield (key, English text, line) for every translatable string in a content file.

    Keys are dotted paths such as ``topics.risks.pages.1``: list items that have an
    ``id`` are named by it, others by their 1-based position. The loader and the
    gettext extractor both use this, so they always agree on keys. A mapping with
    ``one`` and ``other`` is one string with plural forms: its text is a pair.
    """
    node = yaml.compose(path.read_text(encoding="utf-8"), Loader=_LOADER)
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


def is_word_list(key: str) -> bool:
    """Keyword lines are matched against, never shown."""
    return key.endswith(".keywords") or key.startswith(("commands.", "matching.", "voice_words."))
