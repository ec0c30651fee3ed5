"""Only Twilio gets in: X-Twilio-Signature on every webhook, behind proxies too."""

from __future__ import annotations

import pytest
from twilio.request_validator import RequestValidator

from service import create_app

from .helpers import TOKEN, sign

PARAMS = {"From": "+447700900123", "Body": "risks", "MessageSid": "SM1", "AccountSid": "AC1"}


def post(client, signature: str | None, url: str = "/sms", **kwargs):
    headers = {} if signature is None else {"X-Twilio-Signature": signature}
    headers.update(kwargs.pop("headers", {}))
    return client.post(url, data=PARAMS, headers=headers, **kwargs)


def test_correct_signature_is_served(client):
    assert post(client, sign("http://localhost/sms", PARAMS)).status_code == 200


def test_missing_signature_is_refused(client):
    assert post(client, None).status_code == 403


def test_forged_signature_is_refused(client):
    assert (
        post(client, sign("http://localhost/sms", PARAMS, token="not-the-token")).status_code == 403
    )


def test_tampered_body_is_refused(client):
    signature = sign("http://localhost/sms", {**PARAMS, "Body": "menu"})
    assert post(client, signature).status_code == 403


def test_signature_for_another_url_is_refused(client):
    assert post(client, sign("http://localhost/voice", PARAMS)).status_code == 403


def test_query_string_is_part_of_the_signed_url(client):
    signature = sign("http://localhost/sms?lang=es", PARAMS)
    assert post(client, signature, url="/sms?lang=es").status_code == 200
    assert post(client, signature, url="/sms?lang=fr").status_code == 403


def test_no_token_refuses_every_webhook(config):
    config["TWILIO_AUTH_TOKEN"] = None
    client = create_app(config).test_client()
    assert post(client, sign("http://localhost/sms", PARAMS)).status_code == 403
    health = client.get("/healthz")
    assert health.status_code == 503 and health.get_json()["webhooks"].startswith("refused")


def test_dev_mode_signs_nothing_and_refuses_a_real_token(config):
    config.update(TWILIO_AUTH_TOKEN=None, DEV_MODE=True)
    app = create_app(config)
    assert not app.config["TWILIO_AUTH_TOKEN"] and app.config["TRY_PAGE"] is True
    client = app.test_client()
    assert client.post("/try/sign", json={"path": "/sms"}).status_code == 404  # no signer
    config.update(TWILIO_AUTH_TOKEN="a-real-token", TESTING=False)
    with pytest.raises(RuntimeError, match="DEV_MODE"):
        create_app(config)


def test_public_base_url_is_what_twilio_signed(config):
    config["PUBLIC_BASE_URL"] = "https://line.example.org/"
    client = create_app(config).test_client()
    assert post(client, sign("https://line.example.org/sms", PARAMS)).status_code == 200
    assert post(client, sign("http://localhost/sms", PARAMS)).status_code == 403


@pytest.mark.parametrize(
    ("hops", "expected"),
    [(1, 200), (0, 403)],
)
def test_proxy_fix_restores_the_https_url(config, hops, expected):
    """https outside, http inside: with one trusted hop the public URL is rebuilt."""
    config["PROXY_FIX_HOPS"] = hops
    client = create_app(config).test_client()
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "line.example.org"}
    signature = sign("https://line.example.org/sms", PARAMS)
    assert post(client, signature, headers=forwarded).status_code == expected


def test_signature_with_and_without_default_port(config):
    config["PUBLIC_BASE_URL"] = "https://line.example.org:443"
    client = create_app(config).test_client()
    assert post(client, sign("https://line.example.org/sms", PARAMS)).status_code == 200


def test_token_is_the_configured_one(app):
    assert app.config["TWILIO_AUTH_TOKEN"] == TOKEN


def test_shared_key_signatures_use_the_shared_key_and_its_algorithm(config):
    config["TWILIO_SHARED_KEYS"] = "webhooks_sharedkey_abc=the-shared-secret"
    client = create_app(config).test_client()
    signature = RequestValidator("the-shared-secret").compute_signature(
        "http://localhost/sms", PARAMS, algorithm="HMAC_SHA256"
    )
    settings = {
        "X-Twilio-Webhooks-Signature-Settings": "key=webhooks_sharedkey_abc,algorithm=HMAC_SHA256"
    }
    assert post(client, signature, headers=settings).status_code == 200
    assert post(client, signature).status_code == 403  # without the header: the Auth Token
    with_token = RequestValidator(TOKEN).compute_signature(
        "http://localhost/sms", PARAMS, algorithm="HMAC_SHA256"
    )
    assert post(client, with_token, headers=settings).status_code == 403


def test_shared_key_header_without_a_shared_key_is_refused(client):
    signature = RequestValidator(TOKEN).compute_signature(
        "http://localhost/sms", PARAMS, algorithm="HMAC_SHA256"
    )
    settings = {"X-Twilio-Webhooks-Signature-Settings": "key=k,algorithm=HMAC_SHA256"}
    assert post(client, signature, headers=settings).status_code == 403


@pytest.mark.parametrize("path", ["/sms", "/voice", "/voice/menu"])
def test_an_unknown_signature_algorithm_is_a_403_not_an_apology(client, path, caplog):
    settings = {"X-Twilio-Webhooks-Signature-Settings": "algorithm=MD5" + "x" * 8000}
    response = post(client, "anything", url=path, headers=settings)
    assert response.status_code == 403
    assert "Traceback" not in caplog.text and "x" * 100 not in caplog.text


def test_the_previous_token_works_during_a_rotation(config):
    config.update(TWILIO_AUTH_TOKEN="new-token", TWILIO_AUTH_TOKEN_PREVIOUS=TOKEN)
    client = create_app(config).test_client()
    assert post(client, sign("http://localhost/sms", PARAMS)).status_code == 200
    assert post(client, sign("http://localhost/sms", PARAMS, token="new-token")).status_code == 200
    assert post(client, sign("http://localhost/sms", PARAMS, token="other")).status_code == 403


def test_url_signed_with_an_explicit_port_is_accepted(config):
    config["PUBLIC_BASE_URL"] = "https://line.example.org"
    client = create_app(config).test_client()
    assert post(client, sign("https://line.example.org:443/sms", PARAMS)).status_code == 200
