"""Check that a webhook really comes from Twilio (X-Twilio-Signature)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

from flask import Flask, abort, current_app, request
from twilio.request_validator import (
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    compare,
    get_signature_algorithm,
)

log = logging.getLogger(__name__)


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
        validator: RequestValidator | None = current_app.extensions.get("twilio_validator")
        if validator is None:
            log.error("webhook refused: TWILIO_AUTH_TOKEN is not set")
            abort(403)
        signature = request.headers.get("X-Twilio-Signature", "")
        if not signature or not is_valid(validator, request_public_url(), signature):
            log.warning("webhook refused: bad or missing signature on %s", request.path)
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def is_valid(validator: RequestValidator, url: str, signature: str) -> bool:
    """Check the signature for this URL, trying the exact URL first (one HMAC, the usual
    case) and then the library's full check (with and without the port)."""
    algorithm = get_signature_algorithm(request.headers.get(SIGNATURE_SETTINGS_HEADER))
    form = request.form
    if compare(validator.compute_signature(url, form, algorithm), signature):
        return True
    return validator.validate(url, form, signature, algorithm)


def init_app(app: Flask) -> None:
    """Make the validator once; without a token, webhooks are refused, not served unsigned."""
    token = app.config.get("TWILIO_AUTH_TOKEN")
    if token:
        app.extensions["twilio_validator"] = RequestValidator(token)
    else:
        log.warning(
            "TWILIO_AUTH_TOKEN is not set: every webhook will be refused (403). "
            "Set it, or set DEV_MODE=1 for local trials."
        )
