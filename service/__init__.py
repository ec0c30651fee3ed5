"""HSCT Line: an SMS and phone information line about aHSCT for MS."""

from __future__ import annotations

import logging
import os

from flask import Flask
from flask.sessions import SessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

from . import cli, config, ratelimit, signature, sms, sms_sender, stats, store, voice, web
from .content import default_content
from .conversation import Conversation, Settings


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure the app."""
    # INSTANCE_PATH: where the SQLite file and the generated secret live (a volume, say).
    instance = (test_config or {}).get("INSTANCE_PATH") or os.environ.get("INSTANCE_PATH")
    app = Flask(__name__, instance_relative_config=True, instance_path=instance or None)
    config.load(app, test_config)
    logging.basicConfig(
        level=app.config["LOG_LEVEL"], format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )

    hops = int(app.config["PROXY_FIX_HOPS"])
    if hops:
        # Only behind a proxy: otherwise clients could forge X-Forwarded-* headers.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)

    # No cookies, no sessions: state lives in the store, keyed by the hashed number.
    app.session_interface = NoSessions()
    store.init_app(app)
    ratelimit.init_app(app)
    signature.init_app(app)
    content = app.config.get("CONTENT") or default_content()
    conversation = Conversation(content, settings_from(app))
    app.extensions["hsct_conversation"] = conversation
    voice.init_app(app, conversation)
    sms_sender.init_app(app)

    app.register_blueprint(sms.bp)
    app.register_blueprint(voice.bp)
    app.register_blueprint(web.bp)
    app.register_blueprint(stats.bp)
    cli.init_app(app)
    return app


class NoSessions(SessionInterface):
    """Skip Flask's signed-cookie sessions: the line never sets a cookie."""

    def open_session(self, app: Flask, request: object) -> None:
        return None  # Flask then uses its empty, read-only null session

    def save_session(self, app: Flask, session: object, response: object) -> None:
        return None


def settings_from(app: Flask) -> Settings:
    """The deployer's settings the conversation core needs."""
    return Settings(
        org_name=app.config["ORG_NAME"],
        helpline=app.config["HELPLINE_NUMBER"],
        emergency=app.config["EMERGENCY_NUMBER"],
        languages=tuple(app.config["LANGUAGES"]),
        default_language=app.config["DEFAULT_LANGUAGE"],
        website=app.config["WEBSITE"],
        centres=app.config["LOCAL_CENTRES"],
        speech_input=bool(app.config["SPEECH_INPUT"]),
    )
