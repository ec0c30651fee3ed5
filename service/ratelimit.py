"""Rate limits per caller (the hashed number, never the IP, which is Twilio's).

Counters live in the database by default, in fixed windows, so every gunicorn worker and
instance sharing it sees the same counts; or in Redis (REDIS_URL), through `limits`, the
library under Flask-Limiter. (Flask-Limiter's decorators would count before the view
checks Twilio's signature; these limits count only signed requests. And `limits`' own
in-memory storage sweeps every key every 10 ms, which grows costly with many numbers.)
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Literal

from flask import Flask
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from .store import Store

log = logging.getLogger(__name__)

Verdict = Literal["ok", "notice", "silent"]
Hit = Callable[[RateLimitItem, str], bool]  # (limit, bucket) -> still within it


def redis_hits(url: str) -> Hit:
    """Counters in Redis, moving windows."""
    limiter = MovingWindowRateLimiter(storage_from_string(url))
    return lambda item, bucket: limiter.hit(item, bucket)


def store_hits(store: Store) -> Hit:
    """Counters in the line's own database, fixed windows."""
    return lambda item, bucket: store.hit(bucket, item.amount, item.get_expiry())


class CallerLimit:
    """At most ``rule`` requests per caller; past it, one notice per window, then silence."""

    def __init__(self, name: str, rule: str, hit: Hit) -> None:
        self.name = name
        self.rate: RateLimitItem = parse(rule)
        # One notice per window of the same length.
        self.notice = type(self.rate)(1, self.rate.multiples, namespace=self.rate.namespace)
        self.hit = hit

    def check(self, caller: str) -> Verdict:
        """Count one request from ``caller`` (a hashed number)."""
        try:
            if self.hit(self.rate, f"{self.name}:{caller}"):
                return "ok"
            if self.hit(self.notice, f"{self.name}-notice:{caller}"):
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
    """One limit for texts and one for calls, sharing the configured counters."""
    if not app.config["RATE_LIMIT_ENABLED"]:
        app.extensions["hsct_limits"] = {"sms": NoLimit(), "voice": NoLimit()}
        return
    redis = app.config.get("REDIS_URL")
    hit = redis_hits(redis) if redis else store_hits(app.extensions["hsct_store"])
    app.extensions["hsct_limits"] = {
        "sms": CallerLimit("hsct-sms", app.config["RATE_LIMIT_SMS"], hit),
        "voice": CallerLimit("hsct-voice", app.config["RATE_LIMIT_CALLS"], hit),
    }
