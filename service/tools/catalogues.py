"""Check the translation catalogues against the template: complete, current, honest."""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from ..core.content import OPTIONAL_PLACEHOLDERS as OPTIONAL
from .content_check import placeholder_names


def read_catalogue(path: Path) -> Catalog:
    """Parse a .po or .pot file."""
    with path.open("rb") as handle:
        return read_po(handle)


def catalogue_problems(template_path: Path, locales: Path) -> list[str]:
    """Stale, untranslated, fuzzy or mis-placeholdered entries, and headers without a
    review status, in every locales/<lang>/LC_MESSAGES/messages.po."""
    template = read_catalogue(template_path)
    wanted = {(message.context, _msgid(message.id)) for message in template if message.id}
    problems = []
    for path in sorted(locales.glob("*/LC_MESSAGES/messages.po")):
        lang = path.parent.parent.name
        catalogue = read_catalogue(path)
        have = {(message.context, _msgid(message.id)) for message in catalogue if message.id}
        if wanted - have:
            problems.append(f"{lang}: {len(wanted - have)} entries missing: run `i18n update`")
        if have - wanted:
            problems.append(f"{lang}: {len(have - wanted)} entries no longer in the template")
        if "Review status:" not in (catalogue.header_comment or ""):
            problems.append(f"{lang}: the header does not state its review status")
        for message in catalogue:
            if not message.id:
                continue
            where = f"{lang} {message.context}"
            forms = message.string if isinstance(message.string, tuple) else (message.string,)
            if message.fuzzy:
                problems.append(f"{where}: fuzzy")
            if not all(forms):
                problems.append(f"{where}: untranslated")
                continue
            source = str(message.id[-1] if isinstance(message.id, tuple | list) else message.id)
            for form in forms:
                try:
                    names, expected = placeholder_names(str(form)), placeholder_names(source)
                except ValueError:
                    problems.append(f"{where}: broken braces")
                    continue
                if not names <= expected or not expected - OPTIONAL - {"count"} <= names:
                    problems.append(f"{where}: placeholders {sorted(names)} not {sorted(expected)}")
    return problems


def _msgid(msgid: str | tuple | list) -> str | tuple:
    return tuple(msgid) if isinstance(msgid, list | tuple) else msgid
