"""The `flask --app service ...` commands, registered on the app."""

from __future__ import annotations

import secrets
import subprocess
import sys
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from ..audio.build import build, engines_for, wanted_clips
from ..services import services
from ..web.stats import csv_text, summarise
from .chat import chat
from .content_check import check
from .costs import costs
from .doctor import doctor
from .evaluation import evaluate
from .i18n import i18n_cli
from .settings_doc import settings_command
from .twilio_setup import twilio_cli

content_cli = AppGroup("content", help="Check the line's content and how well it is understood.")
audio_cli = AppGroup("audio", help="Build the read-aloud clips.")
store_cli = AppGroup("store", help="Look after the callers' state.")


@store_cli.command("purge")
@click.option(
    "--days", type=click.IntRange(min=1), default=None, help="Idle days (default: RETENTION_DAYS)."
)
def store_purge(days: int | None) -> None:
    """Forget callers idle that long (opt-outs are kept): run it daily from cron."""
    days = days if days is not None else int(current_app.config["RETENTION_DAYS"])
    if days == 0:
        click.echo("RETENTION_DAYS is 0: callers are kept for ever; nothing purged")
        return
    forgotten = services().store.purge(days * 86400)
    click.echo(f"forgot {forgotten} caller(s) idle over {days} days; opt-outs kept")


@content_cli.command("check")
@click.option("--report", is_flag=True, help="List every message with its encoding and segments.")
def content_check(report: bool) -> None:
    """Fail on a message over budget, an orphan text, a missing key figure, a never-say
    claim, a number not isolated in right-to-left text, or raw symbols in speech."""
    line = services().line
    sent, problems = check(line, services().phone)
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
        f"content check: {len(sent)} messages in {len(line.settings.languages)} language(s), "
        f"at most {worst} segments, {len(problems)} problem(s)"
    )
    if problems:
        raise SystemExit(1)


@content_cli.command("eval")
@click.option("--lang", "languages", multiple=True, help="Only these languages.")
@click.option("--verbose", is_flag=True, help="List every text not answered as expected.")
def content_eval(languages: tuple[str, ...], verbose: bool) -> None:
    """How well the line understands people: the evaluation set (tests/eval/) per language:
    top-1 accuracy, urgent recall, false alarms, confusions. Fails below the bar."""
    line = services().line
    results = [evaluate(line, lang) for lang in languages or line.settings.languages]
    click.echo(
        f"{'lang':8}{'texts':>6}{'top-1':>8}{'needed':>8}{'direct':>8}{'urgent':>9}"
        f"{'false alarms':>14}{'language read':>15}"
    )
    for r in results:
        click.echo(
            f"{r.lang:8}{r.total:6}{r.top1:8.1%}{r.required:8.0%}{r.direct / max(r.total, 1):8.0%}"
            f"{r.urgent_found:5}/{r.urgent_expected:<3}{r.false_alarms:14}"
            f"{r.language_right / max(r.total, 1):15.0%}"
        )
        confusions = ", ".join(f"{e}->{g} {n}" for (e, g), n in r.confusions.most_common(3))
        if confusions:
            click.echo(f"        most confused: {confusions}")
        if verbose:
            for text, expected, got in r.misses:
                click.echo(f"        {expected:>20} <- {got:20} {text}")
    failing = [r.lang for r in results if not r.passes]
    if failing:
        raise click.ClickException(f"below the bar: {', '.join(failing)}")


@audio_cli.command("build")
@click.option(
    "--engine",
    type=click.Choice(["auto", "gtts", "espeak"]),
    default=None,
    help="auto: gTTS, then the offline eSpeak NG where gTTS fails (default: AUDIO_ENGINE).",
)
@click.option("--lang", "languages", multiple=True, help="Only these languages (repeatable).")
@click.option("--upgrade", is_flag=True, help="Remake offline clips with the natural voice.")
@click.option("--quiet", is_flag=True, help="No progress bar (for background builds).")
def audio_build(engine: str | None, languages: tuple[str, ...], upgrade: bool, quiet: bool) -> None:
    """Build every clip the line can play into AUDIO_DIR, skipping those already built."""
    svc = services()
    chosen = languages or tuple(svc.line.settings.languages)
    engines = engines_for(engine or current_app.config["AUDIO_ENGINE"], svc.voices.languages)
    wanted = wanted_clips(svc.phone, chosen)
    click.echo(f"{len(wanted)} clips for {', '.join(chosen)} in {svc.clips.directory}")
    if quiet:
        report = build(svc.clips, wanted, engines, upgrade=upgrade)
    else:
        bar: Any
        with click.progressbar(length=len(wanted), label="Building clips") as bar:
            report = build(svc.clips, wanted, engines, upgrade=upgrade, step=lambda: bar.update(1))
    for (text, lang, slow), why in report.failed[:20]:
        click.echo(f"FAILED {lang}{' slow' if slow else ''}: {text[:50]!r}: {why}", err=True)
    click.echo(report.summary())


@click.command("stats")
@with_appcontext
@click.option("--days", type=int, default=30, show_default=True)
@click.option("--csv", "as_csv", is_flag=True, help="Print the counts as CSV.")
def stats_command(days: int, as_csv: bool) -> None:
    """Usage over the last days: by day, channel, language and topic, and unanswered questions."""
    store = services().store
    rows = store.counts(days)
    if as_csv:
        header = ("day", "channel", "lang", "intent", "topic", "hits")
        click.echo(csv_text([header, *rows]), nl=False)
        return
    summary = summarise(rows, store.unanswered_questions(days, 20), days)
    click.echo(f"{summary.total} answers in the last {days} days")
    for day, texts, whatsapp, calls in summary.by_day:
        click.echo(f"  {day}  texts {texts:6}  whatsapp {whatsapp:6}  call steps {calls:6}")
    for title, counter in (("languages", summary.by_language), ("topics", summary.by_topic)):
        click.echo(f"{title}: " + ", ".join(f"{k} {v}" for k, v in counter.most_common()))
    for day, channel, lang, question in summary.unanswered:
        click.echo(f"unanswered {day} {channel} {lang}: {question}")


@click.command("prepare")
@with_appcontext
def prepare() -> None:
    """Before serving (the Procfile runs it): compile the catalogues, and build any missing
    clips in the background so AUDIO and the phone have them soon after a fresh deploy."""
    from .i18n import compile_catalogues

    compile_catalogues()
    if not current_app.config["AUDIO_BUILD_AT_START"]:
        return
    command = [sys.executable, "-m", "flask", "--app", "service", "audio", "build", "--quiet"]
    engine = current_app.config["AUDIO_ENGINE"]
    if engine == "auto":
        command += ["--engine", "espeak"]  # offline and quick; `audio build --upgrade` later
    subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # outlives this command; gunicorn starts meanwhile
    )
    click.echo("building missing clips in the background")


@click.command("new-secret")
def new_secret() -> None:
    """Print a new random SECRET_KEY (set it once and keep it: opt-outs depend on it)."""
    click.echo(secrets.token_hex(32))


def init_app(app: Flask) -> None:
    """Register the command groups."""
    for command in (content_cli, audio_cli, store_cli, stats_command, chat, i18n_cli):
        app.cli.add_command(command)
    for command in (new_secret, prepare, doctor, twilio_cli, costs, settings_command):
        app.cli.add_command(command)
