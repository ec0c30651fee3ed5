"""The app factory, settings, the health check and the try-it page's sandbox."""

from __future__ import annotations

import gc

import pytest

from service import create_app, serve

from .helpers import CONTENT, system


def test_config(config):
    assert not create_app({**config, "TESTING": False}).testing
    assert create_app(config).testing


def test_environment_settings_are_read(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no .env from the working tree
    monkeypatch.setenv("HELPLINE_NUMBER", "0800 123")
    monkeypatch.setenv("PROXY_FIX_HOPS", "1")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'env.sqlite'}")
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app()
    assert app.config["HELPLINE_NUMBER"] == "0800 123"
    assert app.config["PROXY_FIX_HOPS"] == 1
    assert app.config["SECRET_KEY"] == "from-env"


def test_a_dotenv_file_is_read_and_the_environment_wins(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("ORG_NAME=From Dotenv\nWEBSITE=https://dotenv.example\n")
    monkeypatch.setenv("WEBSITE", "https://environment.example")
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app()
    assert app.config["ORG_NAME"] == "From Dotenv"
    assert app.config["WEBSITE"] == "https://environment.example"


def test_a_generated_secret_is_only_for_trials(config, tmp_path):
    config.update(SECRET_KEY=None, DEV_MODE=True)
    first = create_app(config).config["SECRET_KEY"]
    assert first and first == create_app(config).config["SECRET_KEY"]
    assert (tmp_path / "instance" / "secret_key").read_text() == first


def test_production_refuses_to_start_without_a_secret_key(monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "token")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(SystemExit):
        serve()
    assert "SECRET_KEY is not set" in capsys.readouterr().err


def test_production_refuses_a_helpline_twilio_cannot_dial(monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "token")
    monkeypatch.setenv("SECRET_KEY", "s" * 64)
    monkeypatch.setenv("HELPLINE_NUMBER", "0300 500 8084")  # no country, no DEFAULT_REGION
    with pytest.raises(SystemExit):
        serve()
    assert "HELPLINE_NUMBER" in capsys.readouterr().err
    monkeypatch.setenv("DEFAULT_REGION", "GB")
    assert serve().config["HELPLINE_NUMBER"] == "0300 500 8084"


def test_healthz_says_what_holds(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["webhooks"] == "enabled" and body["store"] == "ok"
    assert "test-secret" not in response.get_data(as_text=True)  # problems named, never values


def test_home_page_without_try_page(client):
    page = client.get("/").get_data(as_text=True)
    assert "Text or call the number" in page
    assert client.post("/try/sms", json={"From": "+15550001111", "Body": "hi"}).status_code == 404


def test_try_page_uses_its_own_sandbox_never_the_real_line(config, tmp_path):
    config["TRY_PAGE"] = True
    app = create_app(config)
    client = app.test_client()
    assert 'id="thread"' in client.get("/").get_data(as_text=True)
    reply = client.post("/try/sms", json={"From": "+15550001111", "Body": "hi"}).get_json()
    assert system("welcome") in reply["twiml"]
    client.post("/try/sms", json={"From": "+15550001111", "Body": "STOP"})
    real = app.extensions["hsct"].store
    assert real.counts(1) == []  # the real line's usage and callers are untouched
    assert (tmp_path / "instance" / "try-it.sqlite").exists()


def test_try_page_only_takes_made_up_numbers(config):
    config["TRY_PAGE"] = True
    client = create_app(config).test_client()
    for number in ("+447700900123", "+15550001111x", "anonymous", ""):
        assert client.post("/try/sms", json={"From": number, "Body": "STOP"}).status_code == 400


def test_try_page_shows_text_me_in_the_thread(config):
    config["TRY_PAGE"] = True
    client = create_app(config).test_client()
    caller = {"From": "+15550002222", "CallSid": "CAtry"}
    first = client.post("/try/voice", json=caller).get_json()
    assert first["said"] and "press" in first["said"][-1]["text"]
    step = client.post("/try/voice/menu?n=topic%3Arisks%3A0", json={**caller, "Digits": "3"})
    assert step.get_json()["texts"][0].startswith(CONTENT.pack("en").by_id["risks"].pages[0][:30])


def test_serve_builds_the_indexes_before_the_fork_and_keeps_them_from_the_collector(
    monkeypatch, tmp_path
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "token")
    monkeypatch.setenv("SECRET_KEY", "s" * 64)
    monkeypatch.setenv("LANGUAGES", "en,cy")
    gc.unfreeze()
    try:
        app = serve()
        assert gc.get_freeze_count() > 0  # gunicorn --preload forks after this
        index = app.extensions["hsct"].line.index("cy")
        assert "_postings" in vars(index) and "_idf" in vars(index)  # built, not on first text
    finally:
        gc.unfreeze()  # the rest of the test run collects as usual
