"""The steps every webhook shares: who is it, what do we remember, are they over the limit,
then save, count, and keep an opt-out that the database could not take.

Each webhook has a time budget (Twilio waits 15 s; the line answers within 5 s). A store
that fails or runs slow once in a request is not asked again in that request: the line
answers without memory rather than late. After a failure, the other requests of this
process skip the store for a moment too, so a queue of texts behind a locked database
does not wait in turn (an opt-out still goes to the journal).
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from ..core.state import CallerState
from ..services import Services
from .identity import Sender, caller_key, log_id, sender_of
from .limits import CountersUnavailable, Verdict

log = logging.getLogger(__name__)
T = TypeVar("T")
BUDGET_SECONDS = 4.0  # store and counter work in one webhook, all together
MIN_STEP_SECONDS = 0.25  # do not start a store step with less time than this left
REST_SECONDS = 1.0  # after a store failure, how long this process answers without it


@dataclass
class Usage:
    """One thing to count: what kind of answer, in which language, about which topic."""

    lang: str
    intent: str
    topic: str | None = None


@dataclass
class Visit:
    """One webhook's view of its caller."""

    channel: str
    sender: Sender
    key: str | None  # the hashed identity; None for withheld or non-phone senders
    state: CallerState | None  # None: never seen before
    services: Services
    deadline: float = field(default_factory=lambda: time.monotonic() + BUDGET_SECONDS)
    store_ok: bool = True
    journal_waiting: bool = False  # opt-outs wait in the journal (looked at once a webhook)

    @property
    def label(self) -> str:
        """What the logs may say about the caller."""
        return log_id(self.key)

    @property
    def country(self) -> str | None:
        """The number's country, which picks the language of a caller the line has no
        language for yet; for everyone else it is not worked out at all."""
        if self.state is not None and (self.state.lang or self.state.detected):
            return None
        return self.sender.country

    def store_step(self, what: str, step: Callable[[], T]) -> T | None:
        """Run one store step within the budget; after one failure, skip the rest."""
        now = time.monotonic()
        if (
            not self.store_ok
            or now < self.services.store_resting_until
            or now + MIN_STEP_SECONDS > self.deadline
        ):
            self.store_ok = False
            return None
        try:
            return step()
        except Exception:
            self.store_ok = False
            self.services.store_resting_until = time.monotonic() + REST_SECONDS
            log.exception("store unavailable while %s for caller %s", what, self.label)
            return None


def _count(visit: Visit, usage: Usage) -> None:
    visit.services.store.count(visit.channel, usage.lang, usage.intent, usage.topic)


def open_visit(
    services: Services, channel: str, address: str, country_hint: str | None = None
) -> Visit:
    """Who is writing, and what the line remembers of them (blank when the store fails)."""
    sender = sender_of(address, channel, country_hint)
    key = caller_key(sender, services.secret)
    visit = Visit(channel, sender, key, None, services)
    visit.journal_waiting = services.journal.has_pending()
    if key is None:
        visit.state = CallerState()  # no identity: answer the question, not the welcome
        return visit
    loaded = visit.store_step("loading", lambda: services.store.load(key))
    visit.state = loaded if visit.store_ok else CallerState()
    waiting = services.journal.pending().get(key) if visit.journal_waiting else None
    if waiting is not None:  # an opt-out the database has not taken yet still holds
        visit.state = dataclasses.replace(visit.state or CallerState(), opted_out=waiting)
    return visit


def check_limit(visit: Visit, name: str, bucket: str | None = None) -> Verdict:
    """Count one request against a limit (per hashed caller, or the bucket given)."""
    who = visit.key or bucket
    if who is None:
        return "ok"
    limit = visit.services.limits[name]
    in_store = visit.services.limits_use_store
    if in_store and not visit.store_ok:
        return "ok"  # the counters live in a store that is failing: answer people
    try:
        return limit.check(who)
    except CountersUnavailable:
        # Counters unreachable: answer people rather than refuse them (and, when they
        # live in the database, ask it nothing more in this webhook).
        log.exception("rate-limit storage unavailable; not limiting")
        visit.store_ok = visit.store_ok and not in_store
        return "ok"


def close_visit(
    visit: Visit,
    state: CallerState,
    usage: list[Usage],
    unanswered: tuple[str, str] | None = None,
    opt_command: bool = False,
) -> None:
    """Save what changed, count usage, keep unanswered questions; never lose an opt-out.

    ``opt_command``: the message was STOP or START (or Twilio's OptOutType): kept in the
    journal if the store cannot take it, even when the caller's state could not be read.
    """
    services, key = visit.services, visit.key
    before = visit.state
    if key and (state != before or opt_command):
        opt_changed = opt_command or (before.opted_out if before else False) != state.opted_out
        visit.store_step("saving", lambda: services.store.save(key, state, durable=opt_changed))
        if opt_changed and not visit.store_ok:
            services.journal.record(key, state.opted_out)
    for item in usage:
        visit.store_step("counting", functools.partial(_count, visit, item))
    if unanswered and services.keep_unanswered:
        lang, text = unanswered
        keep = services.store.unanswered
        visit.store_step("keeping a question", lambda: keep(visit.channel, lang, text))
    # Replayed by the first webhook that finds the store working again. (One written by
    # another worker during this webhook is found by the next.)
    if visit.store_ok and visit.journal_waiting:
        replay = services.journal.replay
        visit.store_step("replaying the opt-out journal", lambda: replay(services.store))
