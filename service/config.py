"""Settings: each declared once with its default and meaning; read from the environment
(and a .env file), then test overrides; checked before the line serves anyone."""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def _boolean(raw: str) -> bool:
    return raw.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Setting:
    """One setting a deployer may change: its default, how to read it, what it means."""

    name: str
    default: Any
    meaning: str
    parse: Callable[[str], Any] = str


SETTINGS = [
    Setting(
        "SECRET_KEY",
        None,
        "keys the hashes of callers' numbers: set it once, keep it (flask new-secret)",
    ),
    Setting(
        "TWILIO_AUTH_TOKEN",
        None,
        "checks X-Twilio-Signature on every webhook; without it, webhooks get 403",
    ),
    Setting(
        "TWILIO_AUTH_TOKEN_PREVIOUS", None, "the old token, still accepted while you rotate it"
    ),
    Setting(
        "TWILIO_SHARED_KEYS", None, "Twilio webhook SharedKey secrets, as id=secret,id2=secret2"
    ),
    Setting(
        "TWILIO_ACCOUNT_SID",
        None,
        "with the token: sends 'text me this' and runs flask twilio connect",
    ),
    Setting(
        "TWILIO_MESSAGING_SERVICE_SID", None, "send 'text me this' through a Messaging Service"
    ),
    Setting("TWILIO_PHONE_NUMBER", None, "the line's own number (E.164), for flask twilio connect"),
    Setting("WHATSAPP_SENDER", None, "the line's WhatsApp sender, e.g. whatsapp:+14155238886"),
    Setting("WHATSAPP_VOICE_NOTES", "on request", "on request (VOICE ON), always, or off"),
    Setting(
        "PUBLIC_BASE_URL", None, "the https address Twilio calls, e.g. https://line.example.org"
    ),
    Setting("PROXY_FIX_HOPS", 0, "proxies in front of the app that set X-Forwarded-*", int),
    Setting("DATABASE_URL", None, "default: a SQLite file under instance/; or postgres://..."),
    Setting(
        "DATABASE_TIMEOUT",
        2.0,
        "seconds a webhook waits for the database before answering without it",
        float,
    ),
    Setting(
        "RETENTION_DAYS",
        365,
        "forget callers idle this long (flask store purge); opt-outs are kept; 0: never",
        int,
    ),
    Setting("REDIS_URL", None, "shared rate-limit counters in Redis instead of the database"),
    Setting(
        "RATE_LIMIT_ENABLED", True, "limits per number on texts, calls and menu steps", _boolean
    ),
    Setting("RATE_LIMIT_SMS", "30/hour", "texts from one number, then one notice, then silence"),
    Setting("RATE_LIMIT_WHATSAPP", "30/hour", "WhatsApp messages from one number, likewise"),
    Setting(
        "RATE_LIMIT_CALLS",
        "10/hour",
        "calls from one number (past it, calls are rejected unbilled)",
    ),
    Setting("RATE_LIMIT_STEPS", "200/hour", "phone menu steps from one number"),
    Setting("TEXT_ME_PER_CALL", 3, "'text me this' sends in one call (each thing once)", int),
    Setting("TEXT_ME_PER_NUMBER_PER_DAY", 3, "'text me this' sends to one number a day", int),
    Setting("TEXT_ME_PER_DAY", 500, "'text me this' sends from the whole line a day", int),
    Setting(
        "TEXT_ME_COUNTRIES",
        "",
        "countries 'text me this' may text (GB,IE); default: the line's own",
    ),
    Setting(
        "DEV_MODE",
        False,
        "local trials: the try-it page, a generated secret; refused with a real token",
        _boolean,
    ),
    Setting(
        "TRY_PAGE",
        None,
        "the browser simulator on / (on a sandbox); default: on in DEV_MODE",
        _boolean,
    ),
    Setting("ORG_NAME", "", "the charity running this number, named in HELP"),
    Setting(
        "HELPLINE_NUMBER", "", "a number people can call to talk to someone, as people write it"
    ),
    Setting("HELPLINE_HOURS", "", "e.g. mon-fri 09:00-17:00, sat 10:00-13:00; empty: always open"),
    Setting("HELPLINE_TIMEZONE", "Europe/London", "the time zone of those hours"),
    Setting(
        "HELPLINE_CALLER_ID", "", "the number shown to the helpline when a call is put through"
    ),
    Setting(
        "DEFAULT_REGION", "", "country of numbers written without +44 (GB); default: the line's"
    ),
    Setting(
        "EMERGENCY_NUMBER", "999 / 112 / 911", "the local emergency number, said in urgent help"
    ),
    Setting("WEBSITE", "", "the charity's web page, given in HELP"),
    Setting("LOCAL_CENTRES", "", "accredited centres near you, added to the centres topic"),
    Setting(
        "SPEECH_INPUT",
        True,
        "phone menus also take spoken answers (billed per step by Twilio)",
        _boolean,
    ),
    Setting(
        "SPEECH_CONFIDENCE", "0.4", "below this, speech is asked again; per language: en=0.4,ar=0.3"
    ),
    Setting(
        "LINE_CAN_TEXT",
        True,
        "the line's number sends and receives texts (say so in prompts)",
        _boolean,
    ),
    Setting(
        "SMS_PLAIN_LATIN",
        False,
        "send Latin-script languages without accents, as cheaper GSM-7",
        _boolean,
    ),
    Setting("AUDIO_DIR", None, "pre-built clips; default: instance/audio"),
    Setting("AUDIO_ENGINE", "auto", "auto (gTTS, then offline eSpeak NG), gtts or espeak"),
    Setting("AUDIO_BUILD_AT_START", True, "flask prepare builds missing clips meanwhile", _boolean),
    Setting("LANGUAGES", "all", "enabled languages, comma-separated, or all shipped ones"),
    Setting("DEFAULT_LANGUAGE", "en", "the language when nothing else tells"),
    Setting("STATS_TOKEN", None, "the usage page /stats?token=...; unset: no page"),
    Setting(
        "KEEP_UNANSWERED", True, "keep questions nobody could answer, scrubbed of numbers", _boolean
    ),
    Setting("LOG_LEVEL", "INFO", "DEBUG, INFO, WARNING"),
]
DEFAULTS = {setting.name: setting.default for setting in SETTINGS}

# Twilio's webhooks are a few kilobytes: anything bigger is refused before it is parsed.
MAX_CONTENT_LENGTH = 64 * 1024
MAX_FORM_PARTS = 200
# The order languages are listed in (LANG), when all are enabled.
LANGUAGE_ORDER = ["en", "es", "fr", "de", "it", "pt", "pl", "cy", "ar", "ur", "hi", "zh_Hans"]


def load(app: Flask, test_config: dict | None) -> None:
    """Fill app.config from defaults, the environment (and .env) and test overrides."""
    app.config.from_mapping(DEFAULTS)
    if test_config is None:
        _read_dotenv()
        for setting in SETTINGS:
            raw = os.environ.get(setting.name)
            if raw is not None and raw != "":
                app.config[setting.name] = setting.parse(raw)
    else:
        app.config.from_mapping(test_config)
    app.config["MAX_CONTENT_LENGTH"] = MAX_CONTENT_LENGTH
    app.config["MAX_FORM_PARTS"] = MAX_FORM_PARTS

    if not app.config["AUDIO_DIR"]:
        app.config["AUDIO_DIR"] = str(Path(app.instance_path, "audio"))
    if app.config["TRY_PAGE"] is None:
        app.config["TRY_PAGE"] = bool(app.config["DEV_MODE"])
    if not app.config["DATABASE_URL"]:
        app.config["DATABASE_URL"] = "sqlite:///" + str(Path(app.instance_path, "hsct.sqlite"))
    if not app.config["SECRET_KEY"] and (app.config["DEV_MODE"] or app.config.get("TESTING")):
        app.config["SECRET_KEY"] = instance_secret(Path(app.instance_path))
    app.config["LANGUAGES"] = _language_list(app.config["LANGUAGES"], ROOT)
    if app.config["DEFAULT_LANGUAGE"] not in app.config["LANGUAGES"]:
        app.config["LANGUAGES"].insert(0, app.config["DEFAULT_LANGUAGE"])
    countries = app.config["TEXT_ME_COUNTRIES"]
    if isinstance(countries, str):
        app.config["TEXT_ME_COUNTRIES"] = [
            c.strip().upper() for c in countries.split(",") if c.strip()
        ]


def _read_dotenv() -> None:
    """Read .env from the working directory, as the flask command does (never overriding
    the real environment). gunicorn and python scripts get the same settings."""
    try:
        from dotenv import load_dotenv
    except ImportError:
        return
    load_dotenv(Path.cwd() / ".env", override=False)


def shipped_languages(root: Path) -> list[str]:
    """English plus every language with a catalogue under locales/."""
    found = {path.parent.parent.name for path in (root / "locales").glob("*/LC_MESSAGES/*.po")}
    found.add("en")
    ordered = [code for code in LANGUAGE_ORDER if code in found]
    return ordered + sorted(found - set(ordered))


def _language_list(value: object, root: Path) -> list[str]:
    """Accept "all", "en,es" or a list; keep only languages the line has content for."""
    if value == "all":
        return shipped_languages(root)
    items = value.split(",") if isinstance(value, str) else list(value)  # type: ignore[call-overload]
    available = set(shipped_languages(root))
    return [item.strip() for item in items if item.strip() in available]


def speech_confidence(value: str) -> tuple[float, dict[str, float]]:
    """SPEECH_CONFIDENCE: "0.4", or "0.4,cy=0.3": the default and any per-language floors."""
    default, per_language = 0.4, {}
    for part in str(value).split(","):
        name, separator, number = part.strip().partition("=")
        if separator:
            per_language[name.strip()] = float(number)
        elif name:
            default = float(name)
    return default, per_language


def instance_secret(instance: Path) -> str:
    """Read, or create once, a random key kept under instance/ (DEV_MODE and tests only).

    In production SECRET_KEY must be set: a key on one machine's disk is not shared by a
    second instance, and is lost with a fresh disk, and opt-outs would go with it.
    """
    path = instance / "secret_key"
    instance.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: when several workers start at once, the first one's key wins.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(100):  # the winner may still be writing it
            existing = path.read_text().strip()
            if existing:
                return existing
            time.sleep(0.01)
        raise RuntimeError(f"{path} is empty: delete it or set SECRET_KEY") from None
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
