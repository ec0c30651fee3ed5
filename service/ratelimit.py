"""Rate limits per caller (the hashed number, never the IP, which is Twilio's).

Counters live in memory, or in Redis (REDIS_URL) so that several instances share them.
Uses `limits`, the library under Flask-Limiter: its decorators run before a view's own
checks, and these limits must count only requests whose Twilio signature is good.
"""

from __future__ import annotations

import logging
from typing import Literal

from flask import Flask
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

log = logging.getLogger(__name__)

Verdict = Literal["ok", "notice", "silent"]


class CallerLimit:
    """At most ``rule`` requests per caller; past it, one notice per window, then silence."""

    def __init__(self, name: str, rule: str, storage_uri: str) -> None:
        self.name = name
        self.rate: RateLimitItem = parse(rule)
        # One notice per window of the same length.
        self.notice = type(self.rate)(1, self.rate.multiples, namespace=self.rate.namespace)
        self.limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))

    def check(self, caller: str) -> Verdict:
        """Count one request from ``caller`` (a hashed number)."""
        try:
            if self.limiter.hit(self.rate, self.name, caller):
                return "ok"
            if self.limiter.hit(self.notice, self.name + "-notice", caller):
                return "notice"
            return "silent"
        except Exception:  # counters unreachable: answer people rather than refuse them
            log.exception("rate-limit storage unavailable; not limiting")
            return "ok"


class NoLimit:
    """Used when RATE_LIMIT_ENABLED is off."""

    def check(self, caller: str) -> Verdict:
        return "ok"


def init_app(app: Flask) -> None:
    """One limit for texts and one for calls, sharing the configured storage."""
    if not app.config["RATE_LIMIT_ENABLED"]:
        app.extensions["hsct_limits"] = {"sms": NoLimit(), "voice": NoLimit()}
        return
    storage = app.config.get("REDIS_URL") or "memory://"
    app.extensions["hsct_limits"] = {
        "sms": CallerLimit("hsct-sms", app.config["RATE_LIMIT_SMS"], storage),
        "voice": CallerLimit("hsct-voice", app.config["RATE_LIMIT_CALLS"], storage),
    }
