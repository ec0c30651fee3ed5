"""The helpline's opening hours: read from settings, checked in their time zone, said locally."""

from __future__ import annotations

import datetime

import pytest

from service.core.helpline import Helpline, parse_hours

UTC = datetime.UTC


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_parse_spans_and_single_days():
    spans = parse_hours("mon-fri 09:00-17:00, sat 10:00-13:00")
    assert spans[0].days == (0, 1, 2, 3, 4) and spans[1].days == (5,)
    assert spans[0].start == datetime.time(9) and spans[1].end == datetime.time(13)


@pytest.mark.parametrize(
    "bad", ["weekdays 9-5", "mon-fri 9am-5pm", "xyz 09:00-17:00", "mon 25:00-26:00"]
)
def test_unreadable_hours_are_refused(bad):
    with pytest.raises(ValueError):
        parse_hours(bad)


def test_open_in_the_helplines_own_time_zone():
    line = Helpline.from_settings("+442079460999", "mon-fri 09:00-17:00", "Europe/London")
    assert line.is_open(at("2026-07-06T08:30"))  # Monday 09:30 in London (BST)
    assert not line.is_open(at("2026-07-06T16:30"))  # 17:30 in London
    assert not line.is_open(at("2026-07-04T12:00"))  # Saturday


def test_no_number_is_never_open_and_no_hours_is_always_open():
    assert not Helpline.from_settings("", "", "UTC").is_open(at("2026-07-06T12:00"))
    assert Helpline.from_settings("+1555", "", "UTC").is_open(at("2026-07-05T03:00"))


def test_hours_said_in_the_callers_language():
    line = Helpline.from_settings("+1555", "mon-fri 09:00-17:00", "UTC")
    assert line.describe("en") == "Monday–Friday 09:00\u2009–\u200917:00"  # CLDR spacing
    assert line.describe("es").startswith("lunes–viernes")
    assert "Montag" in line.describe("de")
