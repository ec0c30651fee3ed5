"""`flask --app service chat`: try the line in a terminal, through the real webhooks."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from twilio.request_validator import RequestValidator

from .audio import Clips


class Phone:
    """Posts signed webhooks to this app in-process, as Twilio would over the network."""

    def __init__(self, number: str) -> None:
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        self.client = app.test_client()
        self.number = number
        token = app.config.get("TWILIO_AUTH_TOKEN")
        if not token:  # a local trial with no token: sign with a throwaway one, this process only
            token = "chat-trial"
            app.extensions["twilio_validator"] = RequestValidator(token)
        self.validator = RequestValidator(token)
        self.base = (app.config.get("PUBLIC_BASE_URL") or "http://localhost").rstrip("/")
        # Show words, not clip addresses: in this process only, speak as if no clip was built.
        app.extensions["hsct_clips"] = Clips(Path(app.instance_path) / "no-clips-in-chat")

    def post(self, path: str, **fields: str) -> ET.Element:
        params = {"From": self.number, "To": "+15005550006", "CallSid": "CAchat", **fields}
        signature = self.validator.compute_signature(self.base + path, params)
        response = self.client.post(
            path, data=params, headers={"X-Twilio-Signature": signature}, base_url=self.base
        )
        return ET.fromstring(response.get_data(as_text=True))


def show(root: ET.Element) -> None:
    """Print what the caller would hear or the texter would read."""
    for element in root.iter():
        if element.tag == "Message":
            click.echo(click.style(element.text or "", fg="cyan"))
        elif element.tag == "Say":
            click.echo(click.style("(says) " + "".join(element.itertext()), fg="cyan"))
        elif element.tag == "Play":
            click.echo(click.style(f"(plays a clip) {element.text}", fg="cyan"))
        elif element.tag == "Dial":
            click.echo(click.style(f"(puts you through to {element.text})", fg="yellow"))
        elif element.tag == "Hangup":
            click.echo(click.style("(hangs up)", fg="yellow"))


@click.command("chat")
@click.option("--call", is_flag=True, help="Try the phone menu instead of texts.")
@click.option("--number", default="+447700900000", show_default=True, help="Your pretend number.")
@with_appcontext
def chat(call: bool, number: str) -> None:
    """Text (or call) the line from the terminal. Ctrl-D or 'quit' ends."""
    phone = Phone(number)
    if not call:
        click.echo("Text the line. Try: hi, 4, risks, MORE, HELP, LANG es, STOP.")
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
        root = phone.post(gather.get("action"), **fields)
        show(root)
