"""Texts the line sends on its own ("text me this" during a call), through Twilio's REST API."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

log = logging.getLogger(__name__)

OPTED_OUT = 21610  # Twilio: "Attempt to send to unsubscribed recipient"
NOT_MOBILE = {21614}  # "'To' number is not a valid mobile number"
SENDER_CANNOT_TEXT = {21606, 21659}  # the line's number cannot send SMS
TIMEOUT_SECONDS = 3.0  # the caller is waiting on the line


@dataclass
class Outbound:
    """Sends through the REST API: by SMS from the called number (or a Messaging Service),
    or by WhatsApp from the line's WhatsApp sender."""

    account_sid: str | None
    auth_token: str | None
    messaging_service_sid: str | None = None
    whatsapp_sender: str | None = None  # "whatsapp:+14155238886"
    http_client: object | None = None  # tests put a fake here

    def send(self, to: str, sender: str, body: str, status_callback: str | None = None) -> str:
        """Send ``body`` to ``to``; return "sent", "opted_out", "no_number" or "failed"."""
        if not self.account_sid or not self.auth_token:
            log.warning("cannot send a text: TWILIO_ACCOUNT_SID is not set")
            return "failed"
        client = Client(
            self.account_sid,
            self.auth_token,
            http_client=self.http_client or TwilioHttpClient(timeout=TIMEOUT_SECONDS),
        )
        via: dict[str, str] = {"from_": sender}
        if to.startswith("whatsapp:"):
            if not self.whatsapp_sender:
                return "failed"
            via = {"from_": self.whatsapp_sender}
        elif self.messaging_service_sid:
            via = {"messaging_service_sid": self.messaging_service_sid}
        extra = {"status_callback": status_callback} if status_callback else {}
        try:
            client.messages.create(to=to, body=body, smart_encoded=True, **via, **extra)
        except TwilioRestException as error:
            if error.code == OPTED_OUT:
                return "opted_out"
            if error.code in NOT_MOBILE:
                return "no_number"
            if error.code in SENDER_CANNOT_TEXT:
                log.error("the line's number cannot send texts (Twilio error %s)", error.code)
            else:
                log.warning("text not sent: Twilio error %s", error.code)
            return "failed"
        except (TwilioException, OSError) as error:
            log.warning("text not sent: %s", type(error).__name__)
            return "failed"
        return "sent"


class Simulated(Outbound):
    """The try-it page's sender: keeps the text for the simulated phone, sends nothing."""

    def __init__(self) -> None:
        super().__init__(None, None)

    def send(self, to: str, sender: str, body: str, status_callback: str | None = None) -> str:
        from flask import g

        g.setdefault("try_texts", []).append(body)  # shown in the page's text thread
        return "sent"
