"""Send a text message during a call, through Twilio's REST API."""

from __future__ import annotations

import logging

from flask import Flask, current_app
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from .phone_numbers import is_phone_number

log = logging.getLogger(__name__)

OPTED_OUT = 21610  # Twilio: "Attempt to send to unsubscribed recipient"
TIMEOUT_SECONDS = 5  # the caller is waiting on the line


def send_text(to: str, sender: str, body: str) -> str:
    """Send ``body`` to ``to``; return "sent", "opted_out", "no_number" or "failed"."""
    if not is_phone_number(to):
        return "no_number"
    config = current_app.config
    if not config.get("TWILIO_ACCOUNT_SID") or not config.get("TWILIO_AUTH_TOKEN"):
        log.warning("cannot send a text: TWILIO_ACCOUNT_SID is not set")
        return "failed"
    client = Client(
        config["TWILIO_ACCOUNT_SID"],
        config["TWILIO_AUTH_TOKEN"],
        http_client=current_app.extensions.get("twilio_http_client")
        or TwilioHttpClient(timeout=TIMEOUT_SECONDS),
    )
    via = (
        {"messaging_service_sid": config["TWILIO_MESSAGING_SERVICE_SID"]}
        if config.get("TWILIO_MESSAGING_SERVICE_SID")
        else {"from_": sender}
    )
    try:
        client.messages.create(to=to, body=body, smart_encoded=True, **via)
    except TwilioRestException as error:
        if error.code == OPTED_OUT:
            return "opted_out"
        log.warning("text not sent: Twilio error %s", error.code)
        return "failed"
    except (TwilioException, OSError) as error:
        log.warning("text not sent: %s", type(error).__name__)
        return "failed"
    return "sent"


def init_app(app: Flask) -> None:
    """Nothing to open: a client is made per message (tests put a fake HTTP client here)."""
    app.extensions.setdefault("twilio_http_client", None)
