"""Command-line tools: `flask --app service content ...` and `flask --app service i18n ...`."""

from __future__ import annotations

import contextlib
import difflib
import tempfile
from pathlib import Path

import click
from babel.messages.frontend import CommandLineInterface
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from .audio_build import build, engines_for, wanted_clips
from .catalogues import catalogue_problems
from .chat import chat
from .content_check import check
from .stats import csv_text, summarise
from .voice import VOICES

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
TEMPLATE = LOCALES / "messages.pot"

content_cli = AppGroup("content", help="Check the line's content.")
audio_cli = AppGroup("audio", help="Build the read-aloud clips.")
store_cli = AppGroup("store", help="Look after the callers' state.")


@store_cli.command("purge")
@click.option("--days", type=int, default=None, help="Idle days (default: RETENTION_DAYS).")
def store_purge(days: int | None) -> None:
    """Forget callers idle that long (opt-outs are kept): run it daily from cron."""
    days = days if days is not None else int(current_app.config["RETENTION_DAYS"])
    forgotten = current_app.extensions["hsct_store"].purge(days * 86400)
    click.echo(f"forgot {forgotten} caller(s) idle over {days} days; opt-outs kept")


i18n_cli = AppGroup("i18n", help="Keep the translation catalogues in step with messages/.")


@content_cli.command("check")
@click.option("--report", is_flag=True, help="List every message with its encoding and segments.")
def content_check(report: bool) -> None:
    """Fail on a missing topic, a message over budget, non-GSM-7 English or a never-say claim."""
    conversation = current_app.extensions["hsct_conversation"]
    languages = current_app.config["LANGUAGES"]
    sent, problems = check(conversation.content, conversation.settings, languages)
    if report:
        click.echo(f"{'lang':5} {'encoding':8} {'units':>5} {'seg':>3}/{'max':<3} message")
        for message in sent:
            enc = message.encoding
            click.echo(
                f"{message.lang:5} {enc.name:8} {enc.units:5} {enc.segments:3}/{message.budget:<3} "
                f"{message.name}"
            )
    for problem in problems:
        click.echo(f"PROBLEM {problem}", err=True)
    worst = max((m.encoding.segments for m in sent), default=0)
    click.echo(
        f"content check: {len(sent)} messages in {len(languages)} language(s), "
        f"at most {worst} segments, {len(problems)} problem(s)"
    )
    if problems:
        raise SystemExit(1)


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
    """Write locales/messages.pot from messages/ and the Python sources."""
    _extract(TEMPLATE)
    click.echo(f"wrote {TEMPLATE.relative_to(ROOT)}")


@i18n_cli.command("check")
def i18n_check() -> None:
    """Fail when the template or any catalogue is stale, incomplete, fuzzy or broken."""
    problems = catalogue_problems(TEMPLATE, LOCALES)
    for problem in problems:
        click.echo(f"PROBLEM {problem}", err=True)
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp, "messages.pot")
        _extract(fresh)
        stale = _without_dates(TEMPLATE) != _without_dates(fresh)
        if stale:
            diff = difflib.unified_diff(
                _without_dates(TEMPLATE), _without_dates(fresh), "committed", "fresh", n=0
            )
            click.echo("".join(list(diff)[:40]), err=True)
            raise click.ClickException(
                "locales/messages.pot is stale: run `flask --app service i18n update`"
            )
    if problems:
        raise click.ClickException(f"{len(problems)} catalogue problem(s)")
    languages = sorted(path.parent.parent.name for path in LOCALES.glob("*/LC_MESSAGES/*.po"))
    click.echo(f"catalogue template is up to date; catalogues complete: {', '.join(languages)}")


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
    if any(LOCALES.glob("*/LC_MESSAGES/messages.po")):
        pybabel("compile", "-d", str(LOCALES), "--statistics")
    click.echo("catalogues compiled")


@audio_cli.command("build")
@click.option(
    "--engine",
    type=click.Choice(["auto", "gtts", "espeak"]),
    default=None,
    help="auto: gTTS, then the offline eSpeak NG where gTTS fails (default: AUDIO_ENGINE).",
)
@click.option("--lang", "languages", multiple=True, help="Only these languages (repeatable).")
@click.option("--upgrade", is_flag=True, help="Remake offline clips with the natural voice.")
def audio_build(engine: str | None, languages: tuple[str, ...], upgrade: bool) -> None:
    """Build every clip the phone menu can play into AUDIO_DIR, skipping those already built."""
    menu = current_app.extensions["hsct_phone"]
    clips = current_app.extensions["hsct_clips"]
    chosen = languages or tuple(current_app.config["LANGUAGES"])
    engines = engines_for(engine or current_app.config["AUDIO_ENGINE"], VOICES)
    with current_app.test_request_context():
        wanted = wanted_clips(menu, chosen)
    click.echo(f"{len(wanted)} clips for {', '.join(chosen)} in {clips.directory}")
    with click.progressbar(length=len(wanted), label="Building clips") as bar:
        report = build(clips, wanted, engines, upgrade=upgrade, step=lambda: bar.update(1))
    for (text, lang, slow), why in report.failed[:20]:
        click.echo(f"FAILED {lang}{' slow' if slow else ''}: {text[:50]!r}: {why}", err=True)
    click.echo(report.summary())


@click.command("stats")
@with_appcontext
@click.option("--days", type=int, default=30, show_default=True)
@click.option("--csv", "as_csv", is_flag=True, help="Print the counts as CSV.")
def stats_command(days: int, as_csv: bool) -> None:
    """Usage over the last days: by day, language and topic, and unanswered questions."""
    store = current_app.extensions["hsct_store"]
    rows = store.counts(days)
    if as_csv:
        header = ("day", "channel", "lang", "intent", "topic", "hits")
        click.echo(csv_text([header, *rows]), nl=False)
        return
    summary = summarise(rows, store.unanswered_questions(days, 20), days)
    click.echo(f"{summary.total} answers in the last {days} days")
    for day, texts, calls in summary.by_day:
        click.echo(f"  {day}  texts {texts:6}  calls {calls:6}")
    for title, counter in (("languages", summary.by_language), ("topics", summary.by_topic)):
        click.echo(f"{title}: " + ", ".join(f"{k} {v}" for k, v in counter.most_common()))
    for day, channel, lang, question in summary.unanswered:
        click.echo(f"unanswered {day} {channel} {lang}: {question}")


def init_app(app: Flask) -> None:
    """Register the command groups."""
    app.cli.add_command(content_cli)
    app.cli.add_command(audio_cli)
    app.cli.add_command(store_cli)
    app.cli.add_command(stats_command)
    app.cli.add_command(chat)
    app.cli.add_command(i18n_cli)
