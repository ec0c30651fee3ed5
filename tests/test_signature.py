"""Only Twilio gets in: X-Twilio-Signature on every webhook, behind proxies too."""

from __future__ import annotations

import pytest
from twilio.request_validator import RequestValidator

from service import create_app

from .conftest import TOKEN, sign

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
    assert client.get("/healthz").get_json()["webhooks"].startswith("refused")


def test_dev_mode_without_token_makes_a_throwaway_one(config):
    config.update(TWILIO_AUTH_TOKEN=None, DEV_MODE=True)
    app = create_app(config)
    assert app.config["TWILIO_AUTH_TOKEN"].startswith("dev-")
    assert app.config["TRY_PAGE"] is True


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


def test_sha256_signatures_named_in_the_settings_header(client):
    signature = RequestValidator(TOKEN).compute_signature(
        "http://localhost/sms", PARAMS, algorithm="HMAC_SHA256"
    )
    settings = {"X-Twilio-Webhooks-Signature-Settings": "algorithm=HMAC_SHA256"}
    assert post(client, signature, headers=settings).status_code == 200
    assert post(client, signature).status_code == 403  # without the header it is SHA-1


def test_url_signed_with_an_explicit_port_is_accepted(config):
    config["PUBLIC_BASE_URL"] = "https://line.example.org"
    client = create_app(config).test_client()
    assert post(client, sign("https://line.example.org:443/sms", PARAMS)).status_code == 200
