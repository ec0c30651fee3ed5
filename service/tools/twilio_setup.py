"""`flask --app service twilio ...`: point the line's Twilio number at this app, and print
the fallback TwiML to keep in a TwiML Bin for when the app cannot answer."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

import click
from flask import current_app
from flask.cli import AppGroup
from twilio.rest import Client

from ..core.paging import sentences
from ..services import services

twilio_cli = AppGroup("twilio", help="Set up the line's Twilio number.")


def twilio_client() -> Client:
    """A REST client from the settings (tests put a fake HTTP client in TWILIO_HTTP_CLIENT)."""
    config = current_app.config
    return Client(
        config["TWILIO_ACCOUNT_SID"],
        config["TWILIO_AUTH_TOKEN"],
        http_client=config.get("TWILIO_HTTP_CLIENT"),
    )


def number_resource(client: Client, phone_number: str) -> Any:
    """The account's incoming number resource for this E.164 number, or None."""
    found = client.incoming_phone_numbers.list(phone_number=phone_number, limit=2)
    return found[0] if found else None


def wanted_settings(
    base: str, fallback_url: str | None, sms_fallback_url: str | None
) -> dict[str, str]:
    """Where Twilio should send the line's texts and calls."""
    settings = {
        "sms_url": f"{base}/sms",
        "sms_method": "POST",
        "voice_url": f"{base}/voice",
        "voice_method": "POST",
        "status_callback": f"{base}/voice/status",
        "status_callback_method": "POST",
    }
    if fallback_url:
        settings.update(voice_fallback_url=fallback_url, voice_fallback_method="POST")
    if sms_fallback_url:
        settings.update(sms_fallback_url=sms_fallback_url, sms_fallback_method="POST")
    return settings


@twilio_cli.command("connect")
@click.option("--dry-run", is_flag=True, help="Show what would change; change nothing.")
@click.option("--fallback-url", default=None, help="The voice TwiML Bin's URL (app down).")
@click.option("--sms-fallback-url", default=None, help="The messaging TwiML Bin's URL.")
def connect(dry_run: bool, fallback_url: str | None, sms_fallback_url: str | None) -> None:
    """Point TWILIO_PHONE_NUMBER's webhooks at PUBLIC_BASE_URL, and say what it can do."""
    config = current_app.config
    missing = [
        name
        for name in (
            "TWILIO_ACCOUNT_SID",
            "TWILIO_AUTH_TOKEN",
            "TWILIO_PHONE_NUMBER",
            "PUBLIC_BASE_URL",
        )
        if not config.get(name)
    ]
    if missing:
        raise click.ClickException(f"set {', '.join(missing)} first (see .env.example)")
    base = config["PUBLIC_BASE_URL"].rstrip("/")
    if not base.startswith("https://"):
        raise click.ClickException("PUBLIC_BASE_URL must be https:// (Twilio signs that address)")
    client = twilio_client()
    number = number_resource(client, config["TWILIO_PHONE_NUMBER"])
    if number is None:
        raise click.ClickException(f"{config['TWILIO_PHONE_NUMBER']} is not on this account")
    capabilities = number.capabilities or {}
    click.echo(
        f"{number.phone_number}: voice {'yes' if capabilities.get('voice') else 'NO'}, "
        f"SMS {'yes' if capabilities.get('sms') else 'NO'}"
    )
    if not capabilities.get("sms"):
        click.echo("This number cannot text: set LINE_CAN_TEXT=0 so no prompt offers texts.")
    wanted = wanted_settings(base, fallback_url, sms_fallback_url)
    changes = {
        name: value for name, value in wanted.items() if getattr(number, name, None) != value
    }
    for name, value in changes.items():
        click.echo(f"  {name}: {getattr(number, name, None) or '(none)'} -> {value}")
    if not changes:
        click.echo("already pointed at this app: nothing to change")
        return
    if dry_run:
        click.echo(f"dry run: {len(changes)} setting(s) would change")
        return
    number.update(**changes)
    click.echo(f"updated {len(changes)} setting(s)")
    if not (fallback_url and sms_fallback_url):
        click.echo("No fallback: run `flask twilio fallback`, paste each part into a TwiML Bin")
        click.echo("(Console > TwiML Bins), then connect again with --fallback-url and")
        click.echo("--sms-fallback-url set to the two bins' URLs.")


@twilio_cli.command("fallback")
def fallback() -> None:
    """Print the TwiML to paste into two TwiML Bins: what callers and texters get when the
    app cannot answer (down, mid-deploy, a 403 after a token change), with the urgent action."""
    voice_bin, messaging_bin = fallback_twiml()
    click.echo("Voice TwiML Bin (for --fallback-url):")
    click.echo(voice_bin)
    click.echo("Messaging TwiML Bin (for --sms-fallback-url):")
    click.echo(messaging_bin)


def fallback_twiml() -> tuple[str, str]:
    """One short apology in the default language, with the urgent action, for each channel."""
    svc = services()
    pack = svc.line.pack(svc.line.settings.default_language)
    urgent = sentences(pack.text("rate_limited"))[-1]  # "If you are unwell ... call ... now."
    language, voice = svc.voices.say(pack.lang) or ("en-GB", "Polly.Amy")
    said = escape(f"{pack.fill('voice.error')} {urgent}")
    head = '<?xml version="1.0" encoding="UTF-8"?>\n<Response>'
    voice_bin = f'{head}<Say language="{language}" voice="{voice}">{said}</Say><Hangup/></Response>'
    message = escape(f"{pack.text('error')} {urgent}")
    return voice_bin, f"{head}<Message>{message}</Message></Response>"
