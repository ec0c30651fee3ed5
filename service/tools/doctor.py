"""`flask --app service doctor`: everything a launch needs, each problem with its fix."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from .. import readiness
from ..audio.build import wanted_clips
from ..readiness import Finding
from ..services import Services, services
from .twilio_setup import number_resource, twilio_client


@click.command("doctor")
@click.option("--offline", is_flag=True, help="Skip the checks that ask Twilio's API.")
@with_appcontext
def doctor(offline: bool) -> None:
    """Check this configuration before launch; exit 1 on anything that would stop it."""
    svc = services()
    findings = readiness.static_findings(current_app.config)
    findings += live_findings(svc)
    if not offline:
        findings += twilio_findings()
    for finding in findings:
        click.echo(str(finding))
    blockers = [finding for finding in findings if finding.level == "blocker"]
    warnings = [finding for finding in findings if finding.level == "warning"]
    click.echo(f"doctor: {len(blockers)} blocker(s), {len(warnings)} warning(s)")
    if blockers:
        raise SystemExit(1)


def live_findings(svc: Services) -> list[Finding]:
    """The database, Redis, the clips and the reviews, as they are now."""
    found = []
    try:
        svc.store.ping()
        found.append(Finding("ok", "the database takes reads and writes"))
    except Exception as error:
        found.append(
            Finding("blocker", f"the database fails: {type(error).__name__}", "check DATABASE_URL")
        )
    redis_url = current_app.config.get("REDIS_URL")
    if redis_url:
        try:
            import redis

            redis.Redis.from_url(redis_url, socket_timeout=1, socket_connect_timeout=1).ping()
            found.append(Finding("ok", "Redis answers"))
        except Exception as error:
            found.append(
                Finding("warning", f"Redis fails: {type(error).__name__}", "check REDIS_URL")
            )
    for lang in svc.line.settings.languages:
        wanted = wanted_clips(svc.phone, [lang])
        missing = sum(1 for text, said, slow in wanted if not svc.clips.find(text, said, slow))
        if missing:
            found.append(
                Finding(
                    "warning",
                    f"{lang}: {missing} of {len(wanted)} clips not built",
                    "run `flask --app service audio build` (flask prepare starts it too)",
                )
            )
        review = svc.line.pack(lang).review
        if not svc.line.pack(lang).reviewed:
            found.append(
                Finding(
                    "warning",
                    f"{lang} is enabled but not reviewed (native speaker: {review['native']}; "
                    f"clinician: {review['clinical']})",
                    "have it reviewed, or leave it out of LANGUAGES",
                )
            )
    if svc.journal.has_pending():
        found.append(
            Finding(
                "warning", "opt-outs are waiting in the journal", "check the database; they replay"
            )
        )
    return found


def twilio_findings() -> list[Finding]:
    """The line's number as Twilio has it: can it text and call, do its webhooks point here."""
    config = current_app.config
    if not (config.get("TWILIO_ACCOUNT_SID") and config.get("TWILIO_AUTH_TOKEN")):
        return [Finding("warning", "TWILIO_ACCOUNT_SID is not set: Twilio not checked", "set it")]
    if not config.get("TWILIO_PHONE_NUMBER"):
        return [
            Finding("warning", "TWILIO_PHONE_NUMBER is not set: the number not checked", "set it")
        ]
    try:
        number = number_resource(twilio_client(), config["TWILIO_PHONE_NUMBER"])
    except Exception as error:
        return [
            Finding("blocker", f"Twilio could not be asked: {error}", "check the SID and token")
        ]
    if number is None:
        return [Finding("blocker", "TWILIO_PHONE_NUMBER is not a number on this account")]
    found = []
    capabilities = number.capabilities or {}
    if not capabilities.get("voice"):
        found.append(Finding("warning", "the number cannot take calls"))
    if not capabilities.get("sms"):
        level = "blocker" if config.get("LINE_CAN_TEXT") else "warning"
        found.append(
            Finding(level, "the number cannot send or receive texts", "set LINE_CAN_TEXT=0")
        )
    base = (config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    for name, path in (("sms_url", "/sms"), ("voice_url", "/voice")):
        if getattr(number, name, None) != base + path:
            found.append(
                Finding(
                    "warning",
                    f"the number's {name} is not {base + path}",
                    "run flask twilio connect",
                )
            )
    return found or [Finding("ok", "the number texts and calls, and its webhooks point here")]
