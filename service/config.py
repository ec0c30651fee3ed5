"""Settings: defaults, then the environment, then test overrides."""

from __future__ import annotations

import hashlib
import os
import secrets
import time
from pathlib import Path

from flask import Flask

# Every setting a deployer may change, with its default. The README's table mirrors this.
DEFAULTS: dict[str, object] = {
    "SECRET_KEY": None,  # keys the caller-number hashes; generated once if unset
    "TWILIO_AUTH_TOKEN": None,  # validates X-Twilio-Signature on every webhook
    "PUBLIC_BASE_URL": None,  # e.g. https://line.example.org, the URL Twilio calls
    "PROXY_FIX_HOPS": 0,  # proxies in front of the app that set X-Forwarded-*
    "DATABASE_URL": None,  # default: sqlite file under instance/
    "DATABASE_TIMEOUT": 5.0,  # seconds to wait for another worker's write
    "RETENTION_DAYS": 365,  # forget callers idle this long (opt-outs are kept); 0: never
    "REDIS_URL": None,  # shared rate-limit counters for several instances
    "RATE_LIMIT_ENABLED": True,
    "RATE_LIMIT_SMS": "30/hour",  # texts from one number, then one notice, then silence
    "RATE_LIMIT_CALLS": "10/hour",  # calls from one number
    "DEV_MODE": False,  # local development: a throwaway token, the try-it page
    "TRY_PAGE": None,  # the browser simulator on /; default: on in DEV_MODE only
    "ORG_NAME": "",  # the charity running this number
    "HELPLINE_NUMBER": "",  # a number people can call to talk to someone
    "HELPLINE_HOURS": "",  # e.g. "mon-fri 09:00-17:00, sat 10:00-13:00"; empty: always
    "HELPLINE_TIMEZONE": "Europe/London",  # the time zone of those hours
    "TWILIO_ACCOUNT_SID": None,  # with the auth token: sends "text me this" from calls
    "TWILIO_MESSAGING_SERVICE_SID": None,  # send through a Messaging Service instead
    "AUDIO_DIR": None,  # pre-built clips; default: instance/audio
    "AUDIO_ENGINE": "auto",  # auto (gTTS, then offline eSpeak NG), gtts or espeak
    "EMERGENCY_NUMBER": "999 / 112 / 911",
    "WEBSITE": "",  # the charity's web page, given in HELP
    "LOCAL_CENTRES": "",  # accredited centres near you, added to the centres topic
    "SPEECH_INPUT": True,  # phone menus also take spoken answers  # said in the urgent-help answer
    "LANGUAGES": "all",  # enabled languages, comma-separated, or "all" shipped ones
    "DEFAULT_LANGUAGE": "en",
    "STATS_TOKEN": None,  # the usage page /stats?token=...; unset: no page
    "KEEP_UNANSWERED": True,  # keep questions nobody could answer, scrubbed of numbers
    "LOG_LEVEL": "INFO",
}

_INTEGERS = {"PROXY_FIX_HOPS", "RETENTION_DAYS"}
_FLOATS = {"DATABASE_TIMEOUT"}
_BOOLEANS = {"DEV_MODE", "TRY_PAGE", "RATE_LIMIT_ENABLED", "KEEP_UNANSWERED", "SPEECH_INPUT"}


def _parse(name: str, raw: str) -> object:
    """Turn an environment string into the setting's type."""
    if name in _INTEGERS:
        return int(raw)
    if name in _FLOATS:
        return float(raw)
    if name in _BOOLEANS:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    return raw


def load(app: Flask, test_config: dict | None) -> None:
    """Fill app.config from defaults, the environment and test overrides."""
    app.config.from_mapping(DEFAULTS)
    if test_config is None:
        for name in DEFAULTS:
            raw = os.environ.get(name)
            if raw is not None and raw != "":
                app.config[name] = _parse(name, raw)
    else:
        app.config.from_mapping(test_config)

    if not app.config["AUDIO_DIR"]:
        app.config["AUDIO_DIR"] = str(Path(app.instance_path, "audio"))
    if app.config["TRY_PAGE"] is None:
        app.config["TRY_PAGE"] = bool(app.config["DEV_MODE"])
    if not app.config["DATABASE_URL"]:
        app.config["DATABASE_URL"] = "sqlite:///" + str(Path(app.instance_path, "hsct.sqlite"))
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))
    if not app.config["TWILIO_AUTH_TOKEN"] and app.config["DEV_MODE"]:
        # A local token so the try-it page can sign its requests like Twilio does; made from
        # the secret, so every gunicorn worker has the same one.
        digest = hashlib.sha256(b"dev-token:" + app.config["SECRET_KEY"].encode()).hexdigest()
        app.config["TWILIO_AUTH_TOKEN"] = "dev-" + digest[:32]
    app.config["LANGUAGES"] = _language_list(app.config["LANGUAGES"], Path(app.root_path).parent)
    if app.config["DEFAULT_LANGUAGE"] not in app.config["LANGUAGES"]:
        app.config["LANGUAGES"].insert(0, app.config["DEFAULT_LANGUAGE"])


# The order languages are listed in (LANG), when all are enabled.
LANGUAGE_ORDER = ["en", "es", "fr", "de", "it", "pt", "pl", "cy", "ar", "ur", "hi", "zh_Hans"]


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
    items = value.split(",") if isinstance(value, str) else list(value)  # type: ignore[arg-type]
    available = set(shipped_languages(root))
    return [item.strip() for item in items if item.strip() in available]


def _instance_secret(instance: Path) -> str:
    """Read, or create once, a random key kept under instance/.

    The key must outlive restarts: caller hashes (and so opt-outs) depend on it.
    """
    path = instance / "secret_key"
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
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
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
