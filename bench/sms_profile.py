"""CPU cost of one POST /sms inside the app, without a server or a network, and of the
matching in it (reading a text: urgent or not, topic, the answers that fit).

    .venv/bin/python bench/sms_profile.py [--profile cumulative|tottime]

Calls the WSGI app directly with pre-signed requests (the same mix as
sms_throughput.py) and prints microseconds per request, then the matching alone per
kind of text; with --profile, the functions that cost most. Use it to see where the
time goes between the gunicorn runs of sms_throughput.py.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from twilio.request_validator import RequestValidator  # noqa: E402

from bench.sms_throughput import BODIES  # noqa: E402  (the same mix as the gunicorn runs)
from service import create_app, settle  # noqa: E402
from service.core.words import normalise  # noqa: E402

URL = "http://127.0.0.1:8000/sms"


def signed_requests(count: int) -> list[tuple[bytes, str]]:
    """Form bodies and signatures, as Twilio would send them, from count // 10 callers (ten texts
    each, so the rate limit never cuts in)."""
    validator = RequestValidator("bench-token")
    requests = []
    for index in range(count):
        params = {
            "From": f"+155500{index % max(1, count // 10):05d}",
            "To": "+15005550006",
            "Body": BODIES[index % len(BODIES)],
            "MessageSid": "SM1",
            "AccountSid": "AC1",
        }
        requests.append((urlencode(params).encode(), validator.compute_signature(URL, params)))
    return requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--profile", choices=["cumulative", "tottime"])
    args = parser.parse_args()
    app = create_app(
        {
            "TWILIO_AUTH_TOKEN": "bench-token",
            "SECRET_KEY": "bench-secret",
            "LOG_LEVEL": "WARNING",
            "DATABASE_URL": f"sqlite:///{tempfile.mktemp()}",
            "RATE_LIMIT_SMS": "1000000/hour",
        }
    )
    settle(app.extensions["hsct"])  # as serve() does before gunicorn forks
    requests = signed_requests(args.requests)

    def call(body: bytes, signature: str) -> None:
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/sms",
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "HTTP_HOST": "127.0.0.1:8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
            "CONTENT_TYPE": "application/x-www-form-urlencoded",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
            "HTTP_X_TWILIO_SIGNATURE": signature,
        }
        statuses: list[str] = []
        b"".join(app(environ, lambda status, headers, exc=None: statuses.append(status)))
        if not statuses[0].startswith("200"):
            raise SystemExit(f"unexpected {statuses[0]}: the benchmark's signing is off")

    def run(count: int) -> None:
        for index in range(count):
            call(*requests[index % len(requests)])

    run(300)  # warm caches, create callers
    start = time.perf_counter()
    run(args.requests)
    elapsed = time.perf_counter() - start
    print(
        f"{elapsed / args.requests * 1e6:.0f} µs per POST /sms inside the app "
        f"({args.requests} requests)"
    )
    line = app.extensions["hsct"].line
    print("matching alone (Line.understand), per text:")
    for body in BODIES:
        words = normalise(body)
        line.understand(words, "en")  # warm
        start = time.perf_counter()
        for _ in range(200):
            line.understand(words, "en")
        print(f"  {(time.perf_counter() - start) / 200 * 1e6:7.0f} µs  {body!r}")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        run(args.requests)
        profiler.disable()
        pstats.Stats(profiler).sort_stats(args.profile).print_stats(30)


if __name__ == "__main__":
    main()
