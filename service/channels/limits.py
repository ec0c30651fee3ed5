"""Limits per caller (the hashed number, never the IP, which is Twilio's), and caps on texts
the line sends on its own ("text me this").

Counters live in the database by default, in fixed windows, so every gunicorn worker and
instance sharing it sees the same counts; or in Redis (REDIS_URL), through `limits`, the
library under Flask-Limiter. (Flask-Limiter's decorators would count before the view
checks Twilio's signature, and answer with a 429 where Twilio needs TwiML; these limits
count only signed requests. `limits`' own in-memory storage sweeps every key every 10 ms,
which grows costly with many numbers.)
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

log = logging.getLogger(__name__)

Verdict = Literal["ok", "notice", "silent"]
Hit = Callable[[RateLimitItem, str], bool]  # (limit, bucket) -> still within it
REDIS_TIMEOUT = 0.5  # seconds: a Redis that never answers must not stall a webhook


def redis_hits(url: str) -> Hit:
    """Counters in Redis, moving windows, with short socket timeouts."""
    storage = storage_from_string(
        url, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT
    )
    limiter = MovingWindowRateLimiter(storage)
    return lambda item, bucket: limiter.hit(item, bucket)


def store_hits(hit: Callable[[str, int, int], bool]) -> Hit:
    """Counters in the line's own database (``store.hit``), fixed windows."""
    return lambda item, bucket: hit(bucket, item.amount, item.get_expiry())


class CallerLimit:
    """At most ``rule`` requests per caller; past it, one notice per window, then silence."""

    def __init__(self, name: str, rule: str, hit: Hit) -> None:
        self.name = name
        self.rate: RateLimitItem = parse(rule)
        # One notice per window of the same length.
        self.notice = type(self.rate)(1, self.rate.multiples, namespace=self.rate.namespace)
        self.hit = hit

    def check(self, caller: str) -> Verdict:
        """Count one request from ``caller`` (a hashed number).

        Raises CountersUnavailable when the counters cannot be reached: the caller of
        this decides (the webhooks answer people rather than refuse them).
        """
        try:
            if self.hit(self.rate, f"{self.name}:{caller}"):
                return "ok"
            if self.hit(self.notice, f"{self.name}-notice:{caller}"):
                return "notice"
            return "silent"
        except Exception as error:
            raise CountersUnavailable(str(error)) from error


class CountersUnavailable(Exception):
    """The rate-limit counters could not be reached."""


class NoLimit:
    """Used when RATE_LIMIT_ENABLED is off."""

    def check(self, caller: str) -> Verdict:
        return "ok"


@dataclass(frozen=True)
class TextCaps:
    """How many texts the line sends on its own, so "text me this" cannot be pumped."""

    per_call: int = 3  # in one call, and never the same thing twice
    per_number_per_day: int = 3
    per_day: int = 500  # the whole line


class TextQuota:
    """Counts "text me" sends: per call and topic, per call, per number a day, per day."""

    def __init__(self, hit: Callable[[str, int, int], bool], caps: TextCaps) -> None:
        self.hit = hit
        self.caps = caps

    def allows(self, call: str, caller: str, what: str) -> bool:
        """Count one send; False (and nothing sent) once any cap is reached.

        A failure to count refuses: a text not sent costs nothing, a pumped one does.
        """
        day = 86400
        buckets = [
            (f"text-once:{call}:{what}", 1),
            (f"text-call:{call}", self.caps.per_call),
            (f"text-day:{caller}", self.caps.per_number_per_day),
            ("text-line", self.caps.per_day),
        ]
        try:
            return all(self.hit(bucket, limit, day) for bucket, limit in buckets)
        except Exception:
            log.exception("could not count a text; not sending it")
            return False
