"""Fixtures: an app on a temporary database, and a texter that signs like Twilio."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

import pytest
from twilio.request_validator import RequestValidator

from service import create_app

TOKEN = "test-auth-token"
NUMBER = "+447700900123"


@pytest.fixture
def config(tmp_path):
    """Settings for a test app; tests may change them before asking for `app`."""
    return {
        "TESTING": True,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'line.sqlite'}",
        "AUDIO_DIR": str(tmp_path / "audio"),
        "RATE_LIMIT_ENABLED": False,  # tests text a lot; test_reliability turns it on
    }


@pytest.fixture
def app(config):
    return create_app(config)


@pytest.fixture
def client(app):
    return app.test_client()


def sign(url: str, params: dict, token: str = TOKEN) -> str:
    """The X-Twilio-Signature Twilio would send for this URL and form."""
    return RequestValidator(token).compute_signature(url, params)


@dataclass
class Answer:
    """A webhook response, parsed."""

    status: int
    xml: str

    @property
    def messages(self) -> list[str]:
        root = ET.fromstring(self.xml)
        return [element.text or "" for element in root.iter("Message")]

    @property
    def text(self) -> str | None:
        """The one message sent back, or None when the reply is empty TwiML."""
        messages = self.messages
        assert len(messages) <= 1, messages
        return messages[0] if messages else None


class Texter:
    """A phone that texts the line through the test client, signed like Twilio."""

    def __init__(self, client, number: str = NUMBER) -> None:
        self.client = client
        self.number = number

    def send(self, body: str | None, **extra: str) -> Answer:
        params = {
            "MessageSid": "SM" + "0" * 32,
            "AccountSid": "AC" + "0" * 32,
            "To": "+15005550006",
        }
        if self.number is not None:
            params["From"] = self.number
        if body is not None:
            params["Body"] = body
        params.update(extra)
        response = self.client.post(
            "/sms",
            data=params,
            headers={"X-Twilio-Signature": sign("http://localhost/sms", params)},
        )
        assert response.status_code == 200, response.status_code
        assert response.mimetype == "text/xml"
        return Answer(response.status_code, response.get_data(as_text=True))

    def __call__(self, body: str | None, **extra: str) -> str | None:
        return self.send(body, **extra).text


@pytest.fixture
def texter(client):
    """A phone that has already texted once, so it is past the welcome."""
    phone = Texter(client)
    phone("hi")
    return phone


@pytest.fixture
def new_phone(client):
    """A phone that has never texted the line."""
    return Texter(client, "+447700900999")
