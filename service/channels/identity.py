"""Who is writing or calling: the sender's address, what it tells, and its keyed hash.

A caller's number is personal data: it is never stored or logged. The line keeps only an
HMAC of it (SECRET_KEY), the same for texts and calls from one number, and a separate
one for WhatsApp ("whatsapp:+44...") so each channel's opt-out stands on its own.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from functools import cached_property

import phonenumbers

# How Twilio shows a withheld caller ID: words, or numbers that spell them on a keypad.
WITHHELD = {
    "",
    "anonymous",
    "restricted",
    "unavailable",
    "unknown",
    "private",
    "blocked",
    "+266696687",  # ANONYMOUS
    "+7378742833",  # RESTRICTED
    "+86282452253",  # UNAVAILABLE
    "+2562533",  # BLOCKED
}
WHATSAPP_PREFIX = "whatsapp:"


@dataclass(frozen=True)
class Sender:
    """One sender, as the webhook named them."""

    channel: str  # "sms", "whatsapp" or "voice"
    number: str | None  # E.164, when the address is a real, reachable phone number
    withheld: bool  # no caller ID, or a pseudo-number standing for none
    country_hint: str | None = None  # Twilio's FromCountry, when the number tells none

    @cached_property
    def country(self) -> str | None:
        """The ISO region of the number ("GB"), worked out only when asked: it is the
        dearest part of reading a number, and only a caller with no language needs it."""
        if self.number is None:
            return None
        return _region(self.number) or self.country_hint or None

    @property
    def replyable(self) -> bool:
        """A person's phone: not a short code or a name like "VODAFONE" (auto-responders
        on those would answer back, and back again)."""
        return self.number is not None

    @property
    def address(self) -> str | None:
        """The address to write back to: "+44...", or "whatsapp:+44..."."""
        if self.number is None:
            return None
        return WHATSAPP_PREFIX + self.number if self.channel == "whatsapp" else self.number


def sender_of(address: str, channel: str, country_hint: str | None = None) -> Sender:
    """Read a webhook's From: withheld, a short code or name, or a phone number."""
    raw = (address or "").strip()
    if raw.lower().startswith(WHATSAPP_PREFIX):
        raw = raw[len(WHATSAPP_PREFIX) :]
    if raw.lower() in WITHHELD:
        return Sender(channel, None, withheld=True)
    number = e164(raw)
    if number is None:
        return Sender(channel, None, withheld=False)
    return Sender(channel, number, withheld=False, country_hint=country_hint)


def e164(text: str, region: str | None = None) -> str | None:
    """A phone number in E.164 ("+447700900123"), or None when it is not one.

    Without a region, only international numbers (+44..., 0044...) are read.
    """
    text = (text or "").strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    if not region and not text.startswith("+"):
        return None
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def caller_key(sender: Sender, secret: str) -> str | None:
    """The keyed hash the line knows a sender by; None for a withheld or non-phone sender.

    Texts and calls from one number share a key (a language chosen by text is spoken on
    the phone); WhatsApp has its own.
    """
    if sender.number is None:
        return None
    name = sender.address if sender.channel == "whatsapp" else sender.number
    return hmac.new(secret.encode(), (name or "").encode(), hashlib.sha256).hexdigest()


def log_id(key: str | None) -> str:
    """A short, stable label for logs that reveals nothing about the number."""
    return key[:10] if key else "-"


def country_of(address: str, fallback: str | None = None) -> str | None:
    """The ISO region of a number ("GB"); else Twilio's FromCountry, given as ``fallback``."""
    number = e164(address.removeprefix(WHATSAPP_PREFIX) if address else "")
    if number is None:
        return fallback or None
    return _region(number) or fallback or None


def _region(number: str) -> str | None:
    """The country of an E.164 number; for a number the plan does not list (UK drama
    numbers, new ranges), the main country of its calling code."""
    parsed = phonenumbers.parse(number, None)
    region = phonenumbers.region_code_for_number(parsed)
    if (not region or region == "ZZ") and parsed.country_code:
        region = phonenumbers.region_code_for_country_code(parsed.country_code)
    return None if region == "ZZ" else region
