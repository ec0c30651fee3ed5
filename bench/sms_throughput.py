"""Throughput of POST /sms under the Procfile's gunicorn, against a bare Flask app.

    .venv/bin/python bench/sms_throughput.py [--rounds 2] [--duration 10] [--concurrency 8]
    .venv/bin/python bench/sms_throughput.py --load      # 60 s at concurrency 32, 4 workers
    .venv/bin/python bench/sms_throughput.py --mix keywords --worker-class sync --threads 1

``--mix keywords`` sends the texts of the 2026-11-21 benchmark and ``--worker-class`` and
``--threads`` set gunicorn's, so older code can be measured like for like (gunicorn runs
gthread whenever threads are more than 1, whatever the worker class).

Both servers run with the same gunicorn settings (gthread workers), on loopback, driven
by wrk (Debian's `wrk` package: required) with pre-signed Twilio webhooks: a mix of
greetings, menu numbers, commands and real questions answered from the answer bank.
The real app runs with a high rate limit, so every request costs what a texter's does
(the signature check, the store, the answer) without being cut short. Rounds alternate
the order of the two servers. It prints one table and writes bench/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "bench-token"
TO = "+15005550006"
# What people text: greetings, numbers, commands, and questions (most of the traffic).
BODIES = [
    "hi",
    "5",
    "risks",
    "MORE",
    "MENU",
    "is hsct a cure for ms",
    "will my hair fall out",
    "how long till i can go back to work",
    "how much does it cost in the us",
    "what was the mist trial",
    "can i have kids after hsct",
    "HELP",
    "purple elephants",
]
# The texts of the 2026-11-21 benchmark (before the answer bank): mostly keywords, one
# question, a typo and nonsense; kept so old and new code can be compared like for like.
KEYWORD_BODIES = [
    "hi",
    "4",
    "risks",
    "MORE",
    "MENU",
    "how long till i can go back to work",
    "rsks",
    "HELP",
    "purple elephants",
]
MIXES = {"answers": BODIES, "keywords": KEYWORD_BODIES}


def signed_requests(port: int, count: int, bodies: list[str] = BODIES) -> list[tuple[str, str]]:
    """Form bodies and signatures as Twilio sends them, from many callers."""
    validator = RequestValidator(TOKEN)
    url = f"http://127.0.0.1:{port}/sms"
    requests = []
    for index in range(count):
        params = {
            "From": f"+4477009{index % 5000:05d}",
            "To": TO,
            "Body": bodies[index % len(bodies)],
            "MessageSid": f"SM{index:032d}",
            "AccountSid": "AC" + "0" * 32,
        }
        requests.append((urlencode(params), validator.compute_signature(url, params)))
    return requests


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """One gunicorn, with the Procfile's worker settings, on loopback."""

    def __init__(
        self,
        app: str,
        workers: int,
        threads: int,
        env: dict[str, str],
        worker_class: str = "gthread",
    ) -> None:
        self.port = free_port()
        command = [
            str(Path(sys.executable).parent / "gunicorn"),
            app,
            "--bind", f"127.0.0.1:{self.port}",
            "--preload",
            "--worker-class", worker_class,
            "--workers", str(workers),
            "--threads", str(threads),
            "--timeout", "30",
            "--log-level", "warning",
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1)
                return
            except urllib.error.HTTPError:
                return  # the bare app has no /healthz: it answers, so it is up
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise SystemExit(f"{app} did not start")

    def rss_mb(self) -> float:
        """Memory of the workers (not the master), in MB: each one's proportional share
        (Pss), so pages the workers share after --preload are counted once, not per worker."""
        total = 0
        for child in Path(f"/proc/{self.process.pid}/task").glob("*/children"):
            for pid in child.read_text().split():
                for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
        return total / 1024

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)


def wrk(port: int, requests: list[tuple[str, str]], duration: int, concurrency: int) -> dict:
    """Run wrk with the pre-signed requests; return its BENCH_RESULT."""
    threads = min(4, concurrency)
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as handle:
        handle.writelines(f"{body}\t{signature}\n" for body, signature in requests)
    command = [
        "wrk", "-t", str(threads), "-c", str(concurrency), "-d", f"{duration}s",
        "-s", str(ROOT / "bench" / "wrk_signed.lua"), f"http://127.0.0.1:{port}/sms",
        "--", handle.name, f"127.0.0.1:{port}", str(threads),
    ]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    os.unlink(handle.name)
    line = next(line for line in output.splitlines() if line.startswith("BENCH_RESULT "))
    result = json.loads(line.removeprefix("BENCH_RESULT "))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def measure(args: argparse.Namespace) -> dict[str, list[dict]]:
    """Alternate the two servers over the rounds; each round: warm up, then time."""
    data = tempfile.mkdtemp(prefix="hsct-bench-")
    env = {
        "TWILIO_AUTH_TOKEN": TOKEN,
        "SECRET_KEY": "bench-secret-" + "0" * 40,
        "DATABASE_URL": f"sqlite:///{data}/bench.sqlite",
        "INSTANCE_PATH": data,
        "RATE_LIMIT_SMS": "1000000/hour",  # the cost of counting stays; no cutting short
        "LOG_LEVEL": "WARNING",
        "LANGUAGES": "all",
    }
    results: dict[str, list[dict]] = {"real": [], "bare": []}
    apps = {"real": "service:serve()", "bare": "bench.bare_app:create_app()"}
    for round_number in range(args.rounds):
        order = ["real", "bare"] if round_number % 2 == 0 else ["bare", "real"]
        for name in order:
            server = Gunicorn(apps[name], args.workers, args.threads, env, args.worker_class)
            try:
                requests = signed_requests(server.port, 2000, MIXES[args.mix])
                wrk(server.port, requests, 2, args.concurrency)  # warm up
                result = wrk(server.port, requests, args.duration, args.concurrency)
                result["rss_mb"] = server.rss_mb()
                results[name].append(result)
            finally:
                server.stop()
    shutil.rmtree(data, ignore_errors=True)
    return results


def table(results: dict[str, list[dict]]) -> str:
    """One Markdown table: requests per second, latency, errors, memory, and the ratio."""
    rows = [
        "| app | req/s (median) | p50 ms | p99 ms | errors | not 200 | workers' MB (Pss) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    medians = {}
    for name, runs in results.items():
        medians[name] = statistics.median(run["rps"] for run in runs)
        errors = sum(sum(run["errors"].values()) for run in runs)
        not_200 = sum(run["checked"]["not_200"] for run in runs)
        p50 = statistics.median(run["latency_us"]["p50"] for run in runs) / 1000
        p99 = max(run["latency_us"]["p99"] for run in runs) / 1000
        rss = max(run["rss_mb"] for run in runs)
        figures = f"{medians[name]:.0f} | {p50:.1f} | {p99:.1f} | {errors} | {not_200} | {rss:.0f}"
        rows.append(f"| {name} | {figures} |")
    ratio = medians["real"] / medians["bare"]
    rows.append(f"\nratio real / bare: {ratio:.2f}")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--duration", type=int, default=10, help="seconds per timed run")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")
    parser.add_argument("--worker-class", default="gthread", help="gunicorn worker class")
    parser.add_argument(
        "--mix", choices=sorted(MIXES), default="answers", help="which texts (see MIXES)"
    )
    parser.add_argument("--load", action="store_true", help="60 s at concurrency 32, 4 workers")
    args = parser.parse_args()
    if args.load:
        args.duration, args.concurrency, args.workers, args.rounds = 60, 32, 4, 1
    if not shutil.which("wrk"):
        raise SystemExit("wrk is required: apt-get install wrk")
    subprocess.run(
        [str(Path(sys.executable).parent / "flask"), "--app", "service", "i18n", "compile"],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    results = measure(args)
    print(table(results))
    settings = {key: value for key, value in vars(args).items()}
    (ROOT / "bench" / "results.json").write_text(
        json.dumps({"settings": settings, "results": results}, indent=2)
    )


if __name__ == "__main__":
    main()
