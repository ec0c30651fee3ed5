"""What the app runs on, in one typed place: the line, its channels' dialogues, the store,
counters, clips and the outbound sender. Views and commands reach them through
``services()``, never through loose ``app.extensions`` keys."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app, g

from .audio.clips import Clips
from .channels.limits import TextQuota
from .channels.outbound import Outbound
from .channels.voices import VoiceTable
from .core.line import Line
from .core.phone.menu import PhoneMenu
from .core.texting import TextDialogue
from .store import OptOutJournal, Store


@dataclass
class Services:
    """Everything a request or a command needs, built once by the app factory."""

    line: Line
    sms: TextDialogue
    whatsapp: TextDialogue
    phone: PhoneMenu
    store: Store
    journal: OptOutJournal
    limits: dict[str, Any]  # "sms", "whatsapp", "calls", "steps": CallerLimit or NoLimit
    limits_use_store: bool  # counters in the database (not Redis)
    quota: TextQuota
    clips: Clips
    outbound: Outbound
    voices: VoiceTable
    secret: str  # keys the hashes of callers' numbers
    keep_unanswered: bool = True
    sandbox: bool = False  # the try-it page's own: its own database, no real texts
    problems: list[str] = field(default_factory=list)  # what the health check reports
    # Until when (time.monotonic) this process answers without the store, after it failed.
    store_resting_until: float = 0.0


def services() -> Services:
    """The services of this request: the try-it page's sandbox, or the real line."""
    return g.get("hsct_services") or current_app.extensions["hsct"]
