"""Is this configuration ready to serve real callers? Every problem named with its fix.

The production entry point refuses to start on a blocker; `flask doctor` prints every
finding; /healthz lists the warnings (never a secret).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from limits import parse as parse_rate

from .channels.identity import country_of, e164
from .core.helpline import parse_hours


@dataclass(frozen=True)
class Finding:
    """One thing checked: a blocker stops a launch, a warning is worth fixing."""

    level: str  # "blocker", "warning" or "ok"
    what: str
    fix: str = ""

    def __str__(self) -> str:
        return f"{self.level.upper():8} {self.what}" + (
            f"\n         fix: {self.fix}" if self.fix else ""
        )


def region(config: Mapping[str, Any]) -> str | None:
    """The country of numbers written without a country code: DEFAULT_REGION, else the
    country of the line's own number."""
    if config.get("DEFAULT_REGION"):
        return str(config["DEFAULT_REGION"]).upper()
    own = e164(config.get("TWILIO_PHONE_NUMBER") or "")
    return country_of(own) if own else None


def dialable(config: Mapping[str, Any], name: str) -> str | None:
    """A number setting in E.164 form, as Twilio dials it; None when empty.

    Raises ValueError with the fix when it is set but cannot be read.
    """
    written = (config.get(name) or "").strip()
    if not written:
        return None
    number = e164(written, region(config))
    if number is None:
        raise ValueError(
            f"{name}={written!r} is not a phone number Twilio can dial: write it with its "
            "country code (+44 300 500 8084), or set DEFAULT_REGION (GB) or TWILIO_PHONE_NUMBER"
        )
    return number


def static_findings(config: Mapping[str, Any]) -> list[Finding]:
    """What can be told from the settings alone, without touching anything."""
    found: list[Finding] = []
    production = not config.get("DEV_MODE") and not config.get("TESTING")
    if not config.get("SECRET_KEY"):
        found.append(
            Finding(
                "blocker", "SECRET_KEY is not set", "run `flask new-secret` and set it for good"
            )
        )
    elif len(str(config["SECRET_KEY"])) < 32:
        found.append(
            Finding("warning", "SECRET_KEY is short", "use `flask new-secret` (64 hex digits)")
        )
    if config.get("DEV_MODE") and config.get("TWILIO_AUTH_TOKEN"):
        found.append(
            Finding(
                "blocker",
                "DEV_MODE is on with a real TWILIO_AUTH_TOKEN",
                "unset DEV_MODE in production",
            )
        )
    elif config.get("DEV_MODE"):
        found.append(Finding("warning", "DEV_MODE is on", "unset DEV_MODE on a live number"))
    if not config.get("TWILIO_AUTH_TOKEN"):
        found.append(
            Finding(
                "warning",
                "TWILIO_AUTH_TOKEN is not set: webhooks get 403",
                "copy the Auth Token from the Twilio Console (Account > API keys & tokens)",
            )
        )
    base = config.get("PUBLIC_BASE_URL") or ""
    if production and not base.startswith("https://"):
        found.append(
            Finding(
                "warning",
                "PUBLIC_BASE_URL is not an https:// address",
                "set it to the https address Twilio calls (signatures and clip links use it)",
            )
        )
    for name in ("HELPLINE_NUMBER", "HELPLINE_CALLER_ID", "TWILIO_PHONE_NUMBER"):
        try:
            dialable(config, name)
        except ValueError as error:
            found.append(Finding("blocker", str(error)))
    try:
        parse_hours(config.get("HELPLINE_HOURS") or "")
    except ValueError as error:
        found.append(Finding("blocker", str(error)))
    days = config.get("RETENTION_DAYS")
    if not isinstance(days, int) or days < 0:
        found.append(
            Finding(
                "blocker",
                f"RETENTION_DAYS={days!r}",
                "a whole number of days; 0 keeps callers for ever",
            )
        )
    for name in ("RATE_LIMIT_SMS", "RATE_LIMIT_WHATSAPP", "RATE_LIMIT_CALLS", "RATE_LIMIT_STEPS"):
        try:
            parse_rate(str(config.get(name)))
        except ValueError:
            found.append(
                Finding("blocker", f"{name}={config.get(name)!r} cannot be read", "like 30/hour")
            )
    if "/" in str(config.get("EMERGENCY_NUMBER", "")):
        found.append(
            Finding(
                "warning",
                "EMERGENCY_NUMBER lists several numbers",
                "set your country's one number (999)",
            )
        )
    if production and config.get("TRY_PAGE"):
        found.append(
            Finding("warning", "TRY_PAGE is on: the simulator is public (on its own sandbox)")
        )
    return found


def blockers(config: Mapping[str, Any]) -> list[Finding]:
    """The findings that must stop a production start."""
    return [finding for finding in static_findings(config) if finding.level == "blocker"]
