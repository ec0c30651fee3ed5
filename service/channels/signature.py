"""Check that a webhook really comes from Twilio (X-Twilio-Signature).

Twilio signs with the account's Auth Token (HMAC-SHA1), or, when a Webhook Rule names a
SharedKey, with that key's secret and the algorithm in X-Twilio-Webhooks-Signature-Settings.
During a token rotation the previous token is accepted too, so no webhook is refused.
"""

from __future__ import annotations

import functools
import hmac
import logging
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, abort, current_app, request
from twilio.request_validator import (
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    get_signature_algorithm,
)

log = logging.getLogger(__name__)
ALGORITHMS = {"HMAC_SHA1", "HMAC_SHA256"}


@dataclass(frozen=True)
class Validators:
    """The secrets a webhook may be signed with."""

    tokens: tuple[RequestValidator, ...]  # the Auth Token, then the previous one
    shared_keys: dict[str, RequestValidator]  # SharedKey id -> its secret ("*": any id)

    def for_request(self, settings_header: str | None) -> tuple[RequestValidator, ...]:
        """Auth Tokens without the settings header; the named SharedKey with it."""
        if not settings_header:
            return self.tokens
        key_id = ""
        for part in settings_header.split(","):
            name, _, value = part.partition("=")
            if name.strip() == "key":
                key_id = value.strip()
        found = self.shared_keys.get(key_id) or self.shared_keys.get("*")
        return (found,) if found else ()


def public_url(path_and_query: str) -> str:
    """The URL Twilio used for this path: PUBLIC_BASE_URL when set, else this request's host.

    Twilio signs the exact public URL. Behind a proxy the app sees another one, so
    deployers either set PUBLIC_BASE_URL or let ProxyFix (PROXY_FIX_HOPS) restore it.
    """
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return base.rstrip("/") + path_and_query
    # scheme + host from the WSGI environ (ProxyFix has already applied X-Forwarded-*).
    return f"{request.scheme}://{request.host}{request.root_path}{path_and_query}"


def request_public_url() -> str:
    """The public URL of the current request, query string included."""
    query = request.query_string.decode("latin-1")
    return public_url(request.path + (f"?{query}" if query else ""))


def twilio_signed(view: Callable) -> Callable:
    """Refuse (403) a webhook whose signature is missing or wrong, or when no token is set."""

    @functools.wraps(view)
    def wrapper(*args: object, **kwargs: object) -> object:
        limit = current_app.config.get("MAX_CONTENT_LENGTH")
        if limit and (request.content_length or 0) > limit:
            abort(413)  # Twilio's webhooks are a few kilobytes: refused before it is read
        validators: Validators | None = current_app.extensions.get("twilio_validators")
        if validators is None:
            log.error("webhook refused: TWILIO_AUTH_TOKEN is not set")
            abort(403)
        signature = request.headers.get("X-Twilio-Signature", "")
        if not signature or not is_valid(validators, request_public_url(), signature):
            log.warning("webhook refused: bad or missing signature on %s", request.path)
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def is_valid(validators: Validators, url: str, signature: str) -> bool:
    """Check the signature with each secret that may have made it (with and without the
    port, as Twilio's validator does). An algorithm Twilio does not use is refused."""
    settings = request.headers.get(SIGNATURE_SETTINGS_HEADER)
    algorithm = get_signature_algorithm(settings)
    if algorithm.upper() not in ALGORITHMS:
        return False
    form = request.form
    candidates = validators.for_request(settings)
    # The URL as this request reached it first (one HMAC: nearly every webhook); then the
    # library's full check, which also tries the URL with and without its port.
    if any(
        hmac.compare_digest(v.compute_signature(url, form, algorithm), signature)
        for v in candidates
    ):
        return True
    return any(v.validate(url, form, signature, algorithm) for v in candidates)


def init_app(app: Flask) -> None:
    """Make the validators once; without a token, webhooks are refused, not served unsigned."""
    token = app.config.get("TWILIO_AUTH_TOKEN")
    if not token:
        return  # /healthz and `flask doctor` say why webhooks are refused
    tokens = [RequestValidator(token)]
    if app.config.get("TWILIO_AUTH_TOKEN_PREVIOUS"):
        tokens.append(RequestValidator(app.config["TWILIO_AUTH_TOKEN_PREVIOUS"]))
    shared: dict[str, RequestValidator] = {}
    for entry in (app.config.get("TWILIO_SHARED_KEYS") or "").split(","):
        key_id, separator, secret = entry.strip().partition("=")
        if entry.strip():
            shared[key_id if separator else "*"] = RequestValidator(secret if separator else key_id)
    app.extensions["twilio_validators"] = Validators(tuple(tokens), shared)
