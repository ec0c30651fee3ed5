"""What the line remembers about a caller, and what a deployer sets: plain data."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class CallerState:
    """What the line remembers about one caller (one hashed number on one channel)."""

    lang: str | None = None  # language the caller chose (LANG, a name, the list)
    detected: str | None = None  # language read from their texts or their number
    topic: str | None = None  # last topic shown, for MORE
    page: int = 0  # last part of that topic sent (0-based); -1: an answer, MORE starts it
    answer: str | None = None  # last answer sent, for AUDIO
    menu: str = "topics"  # what a number picks: "topics", "languages" or "choices"
    choices: tuple[str, ...] = ()  # the answers last offered as "Did you mean: 1 ... 2 ..."
    opted_out: bool = False  # texted STOP: send nothing until START
    misses: int = 0  # messages in a row that matched nothing
    voice_notes: bool = False  # WhatsApp: answers come as voice notes too
    last_seen: int = 0  # when they last wrote (epoch seconds): WhatsApp's 24-hour window


@dataclass(frozen=True)
class Settings:
    """What a deployer sets that the channel-free core needs."""

    org_name: str = ""
    helpline: str = ""  # as people should read it: "0300 500 8084"
    emergency: str = "999 / 112 / 911"
    languages: tuple[str, ...] = ("en",)
    default_language: str = "en"
    website: str = ""
    centres: str = ""  # local accredited centres, added to the centres topic
    speech_input: bool = True  # phone menus also take spoken answers
    can_text: bool = True  # the line's number can send and receive texts
    plain_latin: bool = False  # send Latin-script languages without accents (GSM-7)
