"""The baseline for bench/sms_throughput.py: Flask answering POST /sms with fixed TwiML.

No signature check, no store, no conversation: what the same gunicorn settings can serve
when the app itself costs next to nothing.
"""

from __future__ import annotations

from flask import Flask, Response

TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Hello</Message></Response>'


def create_app() -> Flask:
    """A Flask app with one route, POST /sms, that always sends the same TwiML."""
    app = Flask(__name__)

    @app.post("/sms")
    def sms() -> Response:
        return Response(TWIML, mimetype="text/xml")

    return app
