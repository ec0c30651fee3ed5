"""Fixtures: an app on a temporary database (content built once), a texter and a caller
that sign like Twilio, and a fake Twilio REST API."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from service import create_app

from .helpers import CONTENT, TOKEN, Caller, FakeTwilio, Texter


@pytest.fixture
def config(tmp_path):
    """Settings for a test app; tests may change them before asking for `app`."""
    return {
        "TESTING": True,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'line.sqlite'}",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "AUDIO_DIR": str(tmp_path / "audio"),
        "RATE_LIMIT_ENABLED": False,  # tests text a lot; the limit tests turn it on
        "CONTENT": CONTENT,
    }


@pytest.fixture
def app(config):
    return create_app(config)


@pytest.fixture
def client(app):
    return app.test_client()


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


@pytest.fixture
def caller(client):
    return Caller(client)


@pytest.fixture
def twilio(app):
    """Twilio's REST API, faked, with an account to send from."""
    return fake_twilio(app)


def fake_twilio(app, fake: FakeTwilio | None = None) -> FakeTwilio:
    """Point an app's outbound texts at a fake Twilio."""
    fake = fake or FakeTwilio()
    outbound = app.extensions["hsct"].outbound
    outbound.account_sid, outbound.http_client = "AC" + "0" * 32, fake
    return fake


POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


@dataclass
class PostgresSchema:
    """A fresh schema on the machine's PostgreSQL: the URL the app uses, and an admin
    connection that can see (and end) the app's sessions by their application_name."""

    url: str
    name: str
    admin: Any


@pytest.fixture
def postgres():
    """A fresh schema on the machine's PostgreSQL server, dropped afterwards."""
    psycopg = pytest.importorskip("psycopg")
    try:
        admin = psycopg.connect(POSTGRES, autocommit=True, connect_timeout=2)
    except psycopg.OperationalError:
        pytest.skip("no PostgreSQL server on 127.0.0.1:5432 (this machine kind starts one)")
    name = "hsct_" + uuid.uuid4().hex[:10]
    admin.execute(f"CREATE SCHEMA {name}")
    yield PostgresSchema(
        f"{POSTGRES}?options=-csearch_path%3D{name}&application_name={name}", name, admin
    )
    admin.execute(f"DROP SCHEMA {name} CASCADE")
    admin.close()
