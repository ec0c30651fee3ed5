"""The app factory, settings and the pages for people."""

from __future__ import annotations

from service import create_app


def test_config(config):
    assert not create_app({**config, "TESTING": False}).testing
    assert create_app(config).testing


def test_environment_settings_are_read(monkeypatch, tmp_path):
    monkeypatch.setenv("HELPLINE_NUMBER", "0800 123")
    monkeypatch.setenv("PROXY_FIX_HOPS", "1")
    monkeypatch.setenv("DEV_MODE", "true")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'env.sqlite'}")
    monkeypatch.setenv("SECRET_KEY", "from-env")
    app = create_app()
    assert app.config["HELPLINE_NUMBER"] == "0800 123"
    assert app.config["PROXY_FIX_HOPS"] == 1
    assert app.config["DEV_MODE"] is True
    assert app.config["SECRET_KEY"] == "from-env"


def test_secret_key_is_made_once_and_kept(config, tmp_path):
    config.update(SECRET_KEY=None, INSTANCE_PATH=str(tmp_path / "instance"))
    first = create_app(config).config["SECRET_KEY"]
    second = create_app(config).config["SECRET_KEY"]
    assert first and first == second
    assert (tmp_path / "instance" / "secret_key").read_text() == first


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "webhooks": "enabled"}


def test_home_page_without_try_page(client):
    page = client.get("/").get_data(as_text=True)
    assert "Text or call the number" in page
    assert "/try/sign" not in page
    assert client.post("/try/sign", json={}).status_code == 404


def test_try_page_signs_like_twilio_and_drives_the_real_webhook(config):
    config["TRY_PAGE"] = True
    client = create_app(config).test_client()
    assert 'id="thread"' in client.get("/").get_data(as_text=True)
    signed = client.post(
        "/try/sign", json={"path": "/sms", "params": {"From": "+15550001111", "Body": "hi"}}
    ).get_json()
    response = client.post(
        "/sms", data=signed["params"], headers={"X-Twilio-Signature": signed["signature"]}
    )
    assert response.status_code == 200
    assert "HSCT Line:" in response.get_data(as_text=True)


def test_try_sign_refuses_other_paths(config):
    config["TRY_PAGE"] = True
    client = create_app(config).test_client()
    assert client.post("/try/sign", json={"path": "/admin", "params": {}}).status_code == 400
