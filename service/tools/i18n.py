"""`flask --app service i18n ...`: keep the translation catalogues in step with messages/."""

from __future__ import annotations

import contextlib
import difflib
import io
import tempfile
from pathlib import Path

import click
from babel.messages.frontend import CommandLineInterface
from flask.cli import AppGroup

from ..config import ROOT
from ..services import services
from .catalogues import catalogue_problems

LOCALES = ROOT / "locales"
TEMPLATE = LOCALES / "messages.pot"

i18n_cli = AppGroup("i18n", help="Keep the translation catalogues in step with messages/.")


def pybabel(*args: str) -> None:
    """Run a pybabel command in-process, from the repository root (where babel.cfg lives)."""
    CommandLineInterface().run(["pybabel", "-q", *args])


def _extract(output: Path) -> None:
    # From the root, so the .pot names files by relative path, the same on every machine.
    with contextlib.chdir(ROOT):
        pybabel(
            "extract",
            "-F",
            "babel.cfg",
            "--sort-by-file",
            "--no-wrap",
            "--project",
            "HSCT Line",
            "--copyright-holder",
            "HSCT Line contributors",
            "-o",
            str(output),
            ".",
        )


@i18n_cli.command("extract")
def i18n_extract() -> None:
    """Write locales/messages.pot from messages/."""
    _extract(TEMPLATE)
    click.echo(f"wrote {TEMPLATE.relative_to(ROOT)}")


@i18n_cli.command("check")
def i18n_check() -> None:
    """Fail when the template or any catalogue is stale, incomplete, fuzzy or broken; list
    the enabled languages that no native speaker and clinician have reviewed yet."""
    problems = catalogue_problems(TEMPLATE, LOCALES)
    for problem in problems:
        click.echo(f"PROBLEM {problem}", err=True)
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp, "messages.pot")
        _extract(fresh)
        if _without_dates(TEMPLATE) != _without_dates(fresh):
            diff = difflib.unified_diff(
                _without_dates(TEMPLATE), _without_dates(fresh), "committed", "fresh", n=0
            )
            click.echo("".join(list(diff)[:40]), err=True)
            raise click.ClickException(
                "locales/messages.pot is stale: run `flask --app service i18n update`"
            )
    if problems:
        raise click.ClickException(f"{len(problems)} catalogue problem(s)")
    line = services().line
    languages = sorted(path.parent.parent.name for path in LOCALES.glob("*/LC_MESSAGES/*.po"))
    click.echo(f"catalogue template is up to date; catalogues complete: {', '.join(languages)}")
    unreviewed = [code for code in line.settings.languages if not line.pack(code).reviewed]
    for code in unreviewed:
        review = line.pack(code).review
        native, clinical = review["native"], review["clinical"]
        click.echo(f"NOT REVIEWED {code}: native speaker {native}; clinician {clinical}")


def _without_dates(path: Path) -> list[str]:
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    return [line for line in lines if not line.startswith('"POT-Creation-Date')]


@i18n_cli.command("update")
def i18n_update() -> None:
    """Re-extract, then merge new and changed strings into every language's .po file."""
    _extract(TEMPLATE)
    if any(LOCALES.glob("*/LC_MESSAGES/messages.po")):
        pybabel("update", "--no-wrap", "-i", str(TEMPLATE), "-d", str(LOCALES))
    click.echo("catalogues updated")


@i18n_cli.command("init")
@click.argument("lang")
def i18n_init(lang: str) -> None:
    """Start a catalogue for a new language, e.g. `i18n init es`."""
    pybabel("init", "--no-wrap", "-i", str(TEMPLATE), "-d", str(LOCALES), "-l", lang)
    click.echo(f"created locales/{lang}/LC_MESSAGES/messages.po")


@i18n_cli.command("compile")
def i18n_compile() -> None:
    """Build the .mo files the service loads (they are not committed)."""
    click.echo(f"catalogues compiled ({compile_catalogues()})")


def compile_catalogues() -> int:
    """Compile every catalogue quietly; return how many .mo files there are."""
    if any(LOCALES.glob("*/LC_MESSAGES/messages.po")):
        quiet = io.StringIO()
        with contextlib.redirect_stdout(quiet):  # pybabel prints a line per catalogue
            pybabel("compile", "-d", str(LOCALES))
    return len(list(LOCALES.glob("*/LC_MESSAGES/messages.mo")))
