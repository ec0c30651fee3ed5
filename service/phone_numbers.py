"""What a caller's number tells us, with the phonenumbers library: is it one, which country."""

from __future__ import annotations

import phonenumbers


def country_of(number: str, fallback: str | None = None) -> str | None:
    """The ISO region of a number ("GB"); else Twilio's FromCountry, given as ``fallback``."""
    try:
        region = phonenumbers.region_code_for_number(phonenumbers.parse(number, None))
    except phonenumbers.NumberParseException:
        region = None
    return region or fallback or None


def is_phone_number(number: str) -> bool:
    """Only real numbers can get a text: not "anonymous", not "client:..."."""
    try:
        return phonenumbers.is_possible_number(phonenumbers.parse(number, None))
    except phonenumbers.NumberParseException:
        return False
