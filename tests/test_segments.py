"""Segment counting matches what carriers bill (vectors from Twilio's segment calculator)."""

from __future__ import annotations

import pytest

from service.core.segments import encoding_of, is_gsm7, smart_encode


@pytest.mark.parametrize(
    ("text", "name", "units", "segments"),
    [
        ("", "GSM-7", 0, 1),
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),
        ("a" * 307, "GSM-7", 307, 3),
        ("€" * 80, "GSM-7", 160, 1),  # extension characters take two septets
        ("a" * 152 + "€" + "a" * 10, "GSM-7", 164, 2),
        ("a" * 152 + "€" + "a" * 153, "GSM-7", 307, 3),  # the pair is not split
        ("é" * 160, "GSM-7", 160, 1),
        ("ç" * 70, "UCS-2", 70, 1),
        ("ç" * 71, "UCS-2", 71, 2),
        ("it\u2019s" + "a" * 100, "UCS-2", 104, 2),  # one curly quote makes it all UCS-2
        ("😀" * 35, "UCS-2", 70, 1),
        ("😀" * 36, "UCS-2", 72, 2),
    ],
)
def test_encoding_and_segments(text, name, units, segments):
    encoding = encoding_of(text)
    assert (encoding.name, encoding.units, encoding.segments) == (name, units, segments)


def test_smart_encode_keeps_settings_in_gsm7():
    text = "St John\u2019s \u201cMS\u201d line \u2013 call\u00a0us\u2026"
    assert not is_gsm7(text)
    assert smart_encode(text) == 'St John\'s "MS" line - call us...'
    assert is_gsm7(smart_encode(text))
