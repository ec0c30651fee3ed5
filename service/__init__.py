"""HSCT Line: an SMS, WhatsApp and phone information line about aHSCT for MS."""

from __future__ import annotations

import gc
import logging
import sys
from pathlib import Path

from flask import Flask
from flask.sessions import SessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config, readiness
from .audio.clips import Clips
from .channels import limits, messaging, signature, voice
from .channels.outbound import Outbound, Simulated
from .channels.voices import VoiceTable
from .core.content import Content, default_content
from .core.helpline import Helpline, parse_hours
from .core.line import Line
from .core.phone.menu import PhoneMenu
from .core.replies import SMS, WHATSAPP
from .core.state import Settings
from .core.texting import TextDialogue
from .services import Services
from .store import OptOutJournal, Store, open_store
from .tools import cli
from .web import pages, stats, try_it

log = logging.getLogger(__name__)


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure the app (for commands, tests and `flask run`)."""
    instance = (test_config or {}).get("INSTANCE_PATH") or _environ("INSTANCE_PATH")
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=instance or None,
        template_folder="web/templates",
    )
    config.load(app, test_config)
    logging.basicConfig(
        level=app.config["LOG_LEVEL"], format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    hops = int(app.config["PROXY_FIX_HOPS"])
    if hops:
        # Only behind a proxy: otherwise clients could forge X-Forwarded-* headers.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)  # type: ignore[method-assign]
    # No cookies, no sessions: state lives in the store, keyed by the hashed number.
    app.session_interface = NoSessions()
    if app.config["DEV_MODE"] and app.config["TWILIO_AUTH_TOKEN"] and not app.config.get("TESTING"):
        raise RuntimeError(
            "DEV_MODE is on with a real TWILIO_AUTH_TOKEN: DEV_MODE is for local trials only. "
            "Unset DEV_MODE to serve real callers, or unset the token to try the line locally."
        )
    signature.init_app(app)

    content: Content = app.config.get("CONTENT") or default_content()
    line = Line(content, settings_from(app))
    store = open_store(app.config["DATABASE_URL"], float(app.config["DATABASE_TIMEOUT"]))
    journal = OptOutJournal(Path(app.instance_path) / "optout-journal.jsonl")
    outbound = Outbound(
        app.config["TWILIO_ACCOUNT_SID"],
        app.config["TWILIO_AUTH_TOKEN"],
        app.config["TWILIO_MESSAGING_SERVICE_SID"],
        app.config["WHATSAPP_SENDER"],
        http_client=app.config.get("TWILIO_HTTP_CLIENT"),
    )
    app.extensions["hsct"] = build_services(app, line, store, journal, outbound)
    if app.config["TRY_PAGE"]:
        # The try-it page's own database and sender: it never touches real callers.
        sandbox_url = "sqlite:///" + str(Path(app.instance_path, "try-it.sqlite"))
        sandbox_store = open_store(sandbox_url, float(app.config["DATABASE_TIMEOUT"]))
        sandbox_journal = OptOutJournal(Path(app.instance_path) / "try-it-journal.jsonl")
        app.extensions["hsct_sandbox"] = build_services(
            app, line, sandbox_store, sandbox_journal, Simulated(), sandbox=True
        )

    for blueprint in (messaging.bp, voice.bp, pages.bp, stats.bp, try_it.bp):
        app.register_blueprint(blueprint)
    cli.init_app(app)
    return app


def serve() -> Flask:
    """The production entry point (the Procfile's gunicorn): refuses to start on a setting
    that would put callers at risk, and names what is not ready."""
    app = create_app()
    problems = readiness.static_findings(app.config)
    blocking = [finding for finding in problems if finding.level == "blocker"]
    if blocking:
        print("HSCT Line cannot start:", *map(str, blocking), sep="\n", file=sys.stderr)
        raise SystemExit(3)
    for finding in problems:
        log.warning("%s: %s", finding.what, finding.fix or "see flask doctor")
    svc: Services = app.extensions["hsct"]
    unreviewed = [code for code in svc.line.settings.languages if not svc.line.pack(code).reviewed]
    if unreviewed:
        log.warning(
            "languages enabled without a native and clinical review: %s (LANGUAGES setting)",
            ", ".join(unreviewed),
        )
    try:
        svc.journal.replay(svc.store)  # opt-outs the database missed while it was down
    except Exception:
        log.exception("the opt-out journal could not be replayed yet; it is kept")
    finally:
        svc.store.close()  # connections are per process: each worker opens its own
    settle(svc)
    return app


def settle(svc: Services) -> None:
    """Build every index now (with gunicorn --preload: once, shared by the workers), then
    put all that lives as long as the process out of the garbage collector's reach: its
    full scans no longer walk every index (about 60 µs a text), and after the fork the
    workers do not write to those pages, so they stay shared."""
    svc.line.warm()
    gc.collect()
    gc.freeze()


def build_services(
    app: Flask,
    line: Line,
    store: Store,
    journal: OptOutJournal,
    outbound: Outbound,
    sandbox: bool = False,
) -> Services:
    """Everything a request needs, on one store."""
    cfg = app.config
    voices = VoiceTable.load()
    clips = Clips(Path(cfg["AUDIO_DIR"]))

    def can_speak(lang: str) -> bool:
        """A language can be spoken with a Twilio voice, or with its pre-built clips."""
        if voices.say(lang):
            return True
        pack = line.pack(lang)
        greeting = pack.speakable(pack.fill("voice.greeting_new"))
        return clips.find(greeting, lang, slow=False) is not None

    default_floor, floors = config.speech_confidence(cfg["SPEECH_CONFIDENCE"])
    phone = PhoneMenu(
        line,
        _helpline(cfg),
        can_speak,
        lambda lang: voices.speech(lang) is not None,
        {code: floors.get(code, default_floor) for code in line.settings.languages},
    )
    redis = cfg.get("REDIS_URL") if not sandbox else None
    hit = limits.redis_hits(redis) if redis else limits.store_hits(store.hit)
    rules = {
        "sms": cfg["RATE_LIMIT_SMS"],
        "whatsapp": cfg["RATE_LIMIT_WHATSAPP"],
        "calls": cfg["RATE_LIMIT_CALLS"],
        "steps": cfg["RATE_LIMIT_STEPS"],
    }
    caller_limits: dict[str, limits.CallerLimit | limits.NoLimit] = {
        name: limits.CallerLimit(f"hsct-{name}", rule, hit)
        if cfg["RATE_LIMIT_ENABLED"]
        else limits.NoLimit()
        for name, rule in rules.items()
    }
    caps = limits.TextCaps(
        cfg["TEXT_ME_PER_CALL"], cfg["TEXT_ME_PER_NUMBER_PER_DAY"], cfg["TEXT_ME_PER_DAY"]
    )
    return Services(
        line=line,
        sms=TextDialogue(line, SMS),
        whatsapp=TextDialogue(line, WHATSAPP),
        phone=phone,
        store=store,
        journal=journal,
        limits=caller_limits,
        limits_use_store=not redis,
        quota=limits.TextQuota(store.hit, caps),
        clips=clips,
        outbound=outbound,
        voices=voices,
        secret=cfg["SECRET_KEY"] or "",
        keep_unanswered=bool(cfg["KEEP_UNANSWERED"]) and not sandbox,
        sandbox=sandbox,
        problems=[f.what for f in readiness.static_findings(cfg) if f.level != "ok"],
    )


def settings_from(app: Flask) -> Settings:
    """The deployer's settings the channel-free core needs."""
    cfg = app.config
    return Settings(
        org_name=cfg["ORG_NAME"],
        helpline=cfg["HELPLINE_NUMBER"],
        emergency=cfg["EMERGENCY_NUMBER"],
        languages=tuple(cfg["LANGUAGES"]),
        default_language=cfg["DEFAULT_LANGUAGE"],
        website=cfg["WEBSITE"],
        centres=cfg["LOCAL_CENTRES"],
        speech_input=bool(cfg["SPEECH_INPUT"]),
        can_text=bool(cfg["LINE_CAN_TEXT"]),
        plain_latin=bool(cfg["SMS_PLAIN_LATIN"]),
    )


def _helpline(cfg: dict) -> Helpline:
    """The helpline, dialled in E.164; without a readable number or hours, no person is
    offered (and `flask doctor` and the production start say why)."""
    try:
        dial = readiness.dialable(cfg, "HELPLINE_NUMBER")
        parse_hours(cfg["HELPLINE_HOURS"])
    except ValueError:
        return Helpline()
    if not dial:
        return Helpline()
    return Helpline.from_settings(
        cfg["HELPLINE_NUMBER"], cfg["HELPLINE_HOURS"], cfg["HELPLINE_TIMEZONE"], dial
    )


def _environ(name: str) -> str | None:
    import os

    return os.environ.get(name)


class NoSessions(SessionInterface):
    """Skip Flask's signed-cookie sessions: the line never sets a cookie."""

    def open_session(self, app: Flask, request: object) -> None:
        return None  # Flask then uses its empty, read-only null session

    def save_session(self, app: Flask, session: object, response: object) -> None:
        return None
