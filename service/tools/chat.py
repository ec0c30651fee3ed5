"""`flask --app service chat`: try the line in a terminal, through the real webhooks.

Only the conversation is printed: the app's own log lines are kept out of the way.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET

import click
from flask import current_app
from flask.cli import with_appcontext
from twilio.request_validator import RequestValidator

from ..channels.signature import Validators

TRIAL_TOKEN = "chat-trial"  # signs this process's own requests; never a real token


class Phone:
    """Posts signed webhooks to this app in-process, as Twilio would over the network."""

    def __init__(self, number: str) -> None:
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        self.client = app.test_client()
        self.number = number
        token = app.config.get("TWILIO_AUTH_TOKEN") or TRIAL_TOKEN
        if "twilio_validators" not in app.extensions:  # a local trial: this process only
            app.extensions["twilio_validators"] = Validators((RequestValidator(token),), {})
        self.validator = RequestValidator(token)
        self.base = (app.config.get("PUBLIC_BASE_URL") or "http://localhost").rstrip("/")

    def post(self, url: str, **fields: str) -> ET.Element:
        path = url.removeprefix(self.base)
        params = {"From": self.number, "To": "+15005550006", "CallSid": "CAchat", **fields}
        signature = self.validator.compute_signature(self.base + path, params)
        response = self.client.post(
            path, data=params, headers={"X-Twilio-Signature": signature}, base_url=self.base
        )
        return ET.fromstring(response.get_data(as_text=True))


def show(root: ET.Element, words: dict[str, str] | None = None) -> None:
    """Print what the caller would hear or the texter would read."""
    for element in root.iter():
        if element.tag in ("Message", "Body") and (element.text or "").strip():
            click.echo(click.style(element.text or "", fg="cyan"))
        elif element.tag == "Media":
            click.echo(click.style(f"(voice note) {element.text}", fg="cyan"))
        elif element.tag == "Say":
            click.echo(click.style("(says) " + "".join(element.itertext()), fg="cyan"))
        elif element.tag == "Play":
            click.echo(click.style(f"(plays a clip) {element.text}", fg="cyan"))
        elif element.tag == "Number":
            click.echo(click.style(f"(puts you through to {element.text})", fg="yellow"))
        elif element.tag in ("Hangup", "Reject"):
            click.echo(click.style("(hangs up)", fg="yellow"))


@click.command("chat")
@click.option("--call", is_flag=True, help="Try the phone menu instead of texts.")
@click.option("--whatsapp", is_flag=True, help="Try WhatsApp (voice notes show as links).")
@click.option("--number", default="+447700900000", show_default=True, help="Your pretend number.")
@click.option("--verbose", is_flag=True, help="Show the app's log lines too.")
@with_appcontext
def chat(call: bool, whatsapp: bool, number: str, verbose: bool) -> None:
    """Text (or call) the line from the terminal. Ctrl-D or 'quit' ends."""
    if not verbose:
        logging.getLogger().setLevel(logging.ERROR)
    phone = Phone(("whatsapp:" if whatsapp else "") + number)
    if not call:
        click.echo("Text the line. Try: hi, 4, risks, is it a cure, MORE, HELP, LANG es, STOP.")
        while (text := click.prompt("you", default="", show_default=False)) != "quit":
            root = phone.post("/sms", Body=text)
            show(root) if root.find("Message") is not None else click.echo("(no reply)")
        return
    click.echo("Calling. Type a key (0-9, *, #), 'say <words>', or press Enter to stay silent.")
    root = phone.post("/voice")
    show(root)
    while (gather := root.find("Gather")) is not None:
        entry = click.prompt("you", default="", show_default=False)
        if entry == "quit":
            return
        fields = (
            {"SpeechResult": entry[4:], "Confidence": "0.9"}
            if entry.startswith("say ")
            else ({"Digits": entry} if entry else {})
        )
        root = phone.post(gather.get("action") or "/voice/menu", **fields)
        show(root)
