"""The deployer's helpline: its number, and whether it is open now."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_interval, get_day_names

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_SPAN = re.compile(
    r"^\s*(\w{3})(?:\s*-\s*(\w{3}))?\s+(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$"
)


@dataclass(frozen=True)
class Opening:
    """One span of opening hours: days of the week (0 = Monday) and a time range."""

    days: tuple[int, ...]
    start: datetime.time
    end: datetime.time


@dataclass(frozen=True)
class Helpline:
    """A number people can call, its opening hours and the time zone they are in."""

    number: str = ""  # as people read it: "0300 500 8084"
    hours: tuple[Opening, ...] = ()
    timezone: str = "UTC"
    dial: str = ""  # as Twilio dials it (E.164): "+443005008084"

    @classmethod
    def from_settings(cls, number: str, hours: str, timezone: str, dial: str = "") -> Helpline:
        """Read HELPLINE_HOURS such as "mon-fri 09:00-17:00, sat 10:00-13:00"."""
        number = number.strip()
        return cls(number, parse_hours(hours), timezone or "UTC", dial or number)

    def is_open(self, now: datetime.datetime) -> bool:
        """True when a person should answer now. No hours set means no set hours: open."""
        if not self.number:
            return False
        if not self.hours:
            return True
        local = now.astimezone(ZoneInfo(self.timezone))
        return any(
            local.weekday() in span.days and span.start <= local.time() < span.end
            for span in self.hours
        )

    def describe(self, locale: Locale | str) -> str:
        """The opening hours in words of the caller's language: "Monday–Friday 09:00–17:00"."""
        names = get_day_names("wide", locale=locale)
        parts = []
        for span in self.hours:
            first, last = names[span.days[0]], names[span.days[-1]]
            days = first if first == last else f"{first}–{last}"
            times = format_interval(span.start, span.end, "Hm", locale=locale)
            parts.append(f"{days} {times}")
        return ", ".join(parts)


def parse_hours(text: str) -> tuple[Opening, ...]:
    """Parse "mon-fri 09:00-17:00, sat 10:00-13:00"; raise ValueError on anything else."""
    spans = []
    for part in filter(None, (piece.strip() for piece in (text or "").split(","))):
        match = _SPAN.match(part.lower())
        if not match or match.group(1) not in DAYS or (match.group(2) or "mon") not in DAYS:
            raise ValueError(f"HELPLINE_HOURS: cannot read {part!r} (like 'mon-fri 09:00-17:00')")
        first = DAYS.index(match.group(1))
        last = DAYS.index(match.group(2)) if match.group(2) else first
        start = datetime.time(int(match.group(3)), int(match.group(4)))
        end = datetime.time(int(match.group(5)), int(match.group(6)))
        spans.append(Opening(tuple(range(first, last + 1)), start, end))
    return tuple(spans)
