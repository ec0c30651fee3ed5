"""Requests per second and p99 latency of POST /sms, against a bare Flask app, over loopback.

    .venv/bin/python bench/sms_throughput.py [--duration S | --requests N]
                                             [--concurrency C] [--workers W]

Serves the real app ("service:create_app()") and then the bare app in bench/bare_app.py
(fixed TwiML, no signature check, no store) with gunicorn, one at a time and with identical
settings, drives each with the same mix of pre-signed Twilio webhooks, and reports req/s,
p50 and p99 latency, errors, and the ratio real/bare. The aim is a ratio of at least 0.8.

The load generator is wrk when installed (`apt-get install wrk`), else a Python one
(processes of threads using http.client). Everything stays on 127.0.0.1. Results are
printed as a Markdown table and written to bench/results/sms_throughput.json.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import http.client
import json
import multiprocessing
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from twilio.request_validator import RequestValidator

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
LUA_SCRIPT = BENCH / "wrk_signed.lua"
RESULTS = BENCH / "results" / "sms_throughput.json"

HOST = "127.0.0.1"  # loopback only, never anything else
TOKEN = "bench-token"
SECRET = "bench-secret"
REAL_TARGET = "service:create_app()"
BARE_TARGET = "bench.bare_app:create_app()"
AIM = 0.8

# What texters send: menu numbers, commands, topics, a typo, a question, nonsense.
BODIES = [
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
TO = "+15005550006"
ACCOUNT_SID = "AC" + "0" * 32


# Requests ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Signed:
    """One webhook ready to send: the url-encoded form and its X-Twilio-Signature."""

    body: str
    signature: str


def caller_numbers(first: int, count: int) -> list[str]:
    """Distinct UK mobile numbers, from Ofcom's drama range onwards."""
    return [f"+4477009{first + index:05d}" for index in range(count)]


def signed_requests(
    url: str, numbers: list[str], count: int, seed: int, stream: int
) -> list[Signed]:
    """A realistic stream: callers at random, each texting its way through BODIES.

    A number's first text is from a new caller (it gets the welcome); later ones are from a
    returning caller. Each number starts at its own place in BODIES.
    """
    rng = random.Random(seed)
    validator = RequestValidator(TOKEN)
    sent = dict.fromkeys(numbers, 0)
    offset = {number: rng.randrange(len(BODIES)) for number in numbers}
    requests = []
    for index in range(count):
        number = rng.choice(numbers)
        params = {
            "From": number,
            "To": TO,
            "Body": BODIES[(offset[number] + sent[number]) % len(BODIES)],
            "MessageSid": f"SM{stream:02x}{index:030x}",
            "AccountSid": ACCOUNT_SID,
        }
        sent[number] += 1
        signature = validator.compute_signature(url, params)
        requests.append(Signed(urllib.parse.urlencode(params), signature))
    return requests


def write_requests(path: Path, requests: list[Signed]) -> None:
    """One request a line for wrk_signed.lua: form body, tab, signature."""
    path.write_text("".join(f"{r.body}\t{r.signature}\n" for r in requests), encoding="ascii")


def headers_for(signed: Signed) -> dict[str, str]:
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": signed.signature,
    }


def post(port: int, signed: Signed, signature: str | None = None) -> tuple[int, str, str]:
    """Send one webhook on a fresh connection; return status, content type and body."""
    headers = headers_for(signed)
    if signature is not None:
        headers["X-Twilio-Signature"] = signature
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        conn.request("POST", "/sms", signed.body, headers)
        response = conn.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read().decode()
    finally:
        conn.close()


def twiml_messages(text: str) -> list[str] | None:
    """The <Message> texts of a TwiML document, or None when it is not TwiML."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError:
        return None
    if root.tag != "Response":
        return None
    return [element.text or "" for element in root.iter("Message")]


# Servers -------------------------------------------------------------------------------


@dataclass
class Server:
    """One app to serve and how to tell it is up."""

    name: str
    label: str
    target: str
    health_path: str | None  # GET this until 200; None: a TCP connect is enough
    port: int = 0
    process: subprocess.Popen | None = None
    log_path: Path | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/sms"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def gunicorn_options(args: argparse.Namespace) -> list[str]:
    """The settings both servers get, word for word. No --access-logfile: no access log."""
    return [
        "--worker-class",
        args.worker_class,
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--backlog",
        "2048",
        "--timeout",
        "60",
        "--log-level",
        "warning",
    ]


def server_env(db_dir: Path) -> dict[str, str]:
    """The environment for both servers: the caller's, minus any app setting, plus ours."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from service.config import DEFAULTS  # needs REPO on sys.path

    env = {name: value for name, value in os.environ.items() if name not in DEFAULTS}
    env.pop("GUNICORN_CMD_ARGS", None)  # would change the settings behind our back
    env.update(
        TWILIO_AUTH_TOKEN=TOKEN,
        SECRET_KEY=SECRET,
        DATABASE_URL=f"sqlite:///{db_dir / 'bench.sqlite'}",
        LOG_LEVEL="WARNING",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


@contextlib.contextmanager
def serving(server: Server, args: argparse.Namespace, workdir: Path) -> Iterator[Server]:
    """Run gunicorn for one app until the block ends, however it ends."""
    server.port = free_port()
    db_dir = workdir / f"{server.name}-db"
    db_dir.mkdir(exist_ok=True)
    server.log_path = workdir / f"{server.name}-gunicorn.log"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        server.target,
        "--bind",
        f"{HOST}:{server.port}",
        "--chdir",
        str(REPO),
        *gunicorn_options(args),
    ]
    with open(server.log_path, "wb") as log:
        server.process = subprocess.Popen(
            command,
            cwd=REPO,
            env=server_env(db_dir),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so workers go with it
        )
    try:
        wait_ready(server, args.ready_timeout)
        yield server
    finally:
        stop(server.process)


def stop(process: subprocess.Popen) -> None:
    """Stop gunicorn and its workers: TERM (graceful), then KILL after 10 s."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def wait_ready(server: Server, timeout: float) -> None:
    """Poll until the server answers, or fail with the end of its log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.label} exited early:\n{log_tail(server)}")
        try:
            if server.health_path is None:
                with socket.create_connection((HOST, server.port), timeout=1):
                    return
            conn = http.client.HTTPConnection(HOST, server.port, timeout=2)
            try:
                conn.request("GET", server.health_path)
                response = conn.getresponse()
                body = response.read()
            finally:
                conn.close()
            if response.status == 200:
                if b'"webhooks":"enabled"' not in body.replace(b" ", b""):
                    raise RuntimeError(f"{server.label} refuses webhooks: {body!r}")
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{server.label} not ready after {timeout:.0f} s:\n{log_tail(server)}")


def cpu_seconds(process_group: int) -> float:
    """User plus system CPU time so far of every live process in a group (master, workers)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:  # gone meanwhile
            continue
        if int(fields[2]) == process_group:
            total += int(fields[11]) + int(fields[12])  # utime, stime in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def log_tail(server: Server, lines: int = 30) -> str:
    if server.log_path is None or not server.log_path.exists():
        return "(no log)"
    return "\n".join(server.log_path.read_text(errors="replace").splitlines()[-lines:])


# Checks before timing ------------------------------------------------------------------


def check_real(server: Server, requests: list[Signed]) -> dict:
    """Prove the real app answers signed webhooks with TwiML and refuses unsigned ones.

    Sends `requests` (their own callers, not the timed run's) from four threads so both
    workers warm up, and fails unless every one is 200, text/xml, one non-empty <Message>.
    """
    failures: list[str] = []
    replies: list[str] = []
    lock = threading.Lock()

    def one(signed: Signed) -> None:
        status, ctype, text = post(server.port, signed)
        messages = twiml_messages(text) if status == 200 else None
        with lock:
            if status != 200 or not ctype.startswith("text/xml") or messages is None:
                failures.append(f"{status} {ctype} {text[:120]!r}")
            elif len(messages) != 1 or not messages[0].strip():
                failures.append(f"expected one message: {text[:120]!r}")
            else:
                replies.append(messages[0])

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        list(pool.map(one, requests))
    if failures:
        raise RuntimeError(
            f"{len(failures)} of {len(requests)} signed webhooks failed, e.g. {failures[0]}\n"
            f"{log_tail(server)}"
        )

    # The 200s mean something only if a wrong signature is refused.
    probe = requests[0]
    wrong = ("B" if probe.signature[0] == "A" else "A") + probe.signature[1:]
    refused = {
        "wrong_signature": post(server.port, probe, signature=wrong)[0],
        "no_signature": post(server.port, probe, signature="")[0],
    }
    if set(refused.values()) != {403}:
        raise RuntimeError(f"the real app did not refuse bad signatures: {refused}")
    return {
        "signed_ok": len(replies),
        "distinct_replies": len(set(replies)),
        "refused": refused,
    }


def check_bare(server: Server, requests: list[Signed], timeout: float) -> dict:
    """Wait for a bare-app worker to answer (TCP connect only proves the master is up)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            status, ctype, text = post(server.port, requests[0])
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    if status != 200 or not ctype.startswith("text/xml") or twiml_messages(text) != ["Hello"]:
        raise RuntimeError(f"bare app answered {status} {ctype} {text[:120]!r}")
    return {"answered_ok": 1}


# Load: wrk -----------------------------------------------------------------------------


def run_wrk(
    server: Server,
    requests_file: Path,
    args: argparse.Namespace,
    duration: float,
) -> dict:
    """Drive the server with wrk for `duration` seconds; return its figures."""
    threads = max(1, min(args.wrk_threads, args.concurrency))
    command = [
        "wrk",
        "--threads",
        str(threads),
        "--connections",
        str(args.concurrency),
        "--duration",
        f"{max(1, round(duration))}s",
        "--timeout",
        "10s",
        "--script",
        str(LUA_SCRIPT),
        server.url,
        "--",
        str(requests_file),
        f"{HOST}:{server.port}",
        str(threads),
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=duration + 60, check=False
    )
    match = re.search(r"^BENCH_RESULT (\{.*\})$", done.stdout, re.MULTILINE)
    if done.returncode != 0 or match is None:
        raise RuntimeError(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    raw = json.loads(match.group(1))
    errors = raw["errors"]
    checked = raw["checked"]
    socket_errors = errors["connect"] + errors["read"] + errors["write"] + errors["timeout"]
    # wrk's own "status" counts only >= 400; the Lua check counts every non-200.
    bad = checked["not_200"] + checked["not_xml"] + checked["not_twiml"]
    seconds = raw["duration_us"] / 1e6
    return {
        "requests": raw["requests"],
        "seconds": seconds,
        "rps": raw["requests"] / seconds,
        "p50_ms": raw["latency_us"]["p50"] / 1000,
        "p90_ms": raw["latency_us"]["p90"] / 1000,
        "p99_ms": raw["latency_us"]["p99"] / 1000,
        "max_ms": raw["latency_us"]["max"] / 1000,
        "mean_ms": raw["latency_us"]["mean"] / 1000,
        "errors": socket_errors + bad,
        "error_detail": {**errors, **checked},
    }


# Load: Python fallback -----------------------------------------------------------------


def _drive_thread(
    port: int,
    prepared: list[tuple[bytes, dict[str, str]]],
    start: int,
    deadline: float,
    limit: int,
    out: dict,
) -> None:
    """One client: keep one connection (re-opened whenever the server closes it) busy."""
    latencies: list[float] = []
    counts = {"not_200": 0, "not_xml": 0, "not_twiml": 0, "socket": 0}
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    index = start
    while time.monotonic() < deadline and (not limit or len(latencies) < limit):
        body, headers = prepared[index % len(prepared)]
        index += 1
        began = time.perf_counter()
        try:
            conn.request("POST", "/sms", body, headers)
            response = conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            counts["socket"] += 1
            conn.close()
            conn = http.client.HTTPConnection(HOST, port, timeout=10)
            continue
        latencies.append(time.perf_counter() - began)
        if response.status != 200:
            counts["not_200"] += 1
        elif not (response.getheader("Content-Type") or "").startswith("text/xml"):
            counts["not_xml"] += 1
        elif b"<Response" not in data:
            counts["not_twiml"] += 1
        if response.will_close:
            conn.close()  # http.client re-opens it on the next request
    conn.close()
    out["latencies"] = latencies
    out["counts"] = counts


def _drive_process(
    port: int,
    requests: list[Signed],
    first: int,
    threads: int,
    clients: int,
    start_at: float,
    duration: float,
    limit: int,
) -> dict:
    """One load process: `threads` clients, starting together at `start_at` (monotonic)."""
    prepared = [(r.body.encode(), headers_for(r)) for r in requests]
    while (wait := start_at - time.monotonic()) > 0:
        time.sleep(wait)
    began = time.monotonic()
    outs = [{} for _ in range(threads)]
    workers = [
        threading.Thread(
            target=_drive_thread,
            args=(
                port,
                prepared,
                (first + n) * len(requests) // clients,
                start_at + duration,
                limit,
                outs[n],
            ),
        )
        for n in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    ended = time.monotonic()
    counts: dict[str, int] = {}
    for out in outs:
        for name, value in out["counts"].items():
            counts[name] = counts.get(name, 0) + value
    return {
        "began": began,
        "ended": ended,
        "latencies": [x for out in outs for x in out["latencies"]],
        "counts": counts,
    }


def run_python(
    server: Server,
    requests: list[Signed],
    args: argparse.Namespace,
    duration: float,
    limit: int,
) -> dict:
    """Drive the server from a few processes of threads; same figures as run_wrk."""
    processes = max(1, min(args.load_processes, args.concurrency))
    base, extra = divmod(args.concurrency, processes)
    shares = [base + (n < extra) for n in range(processes)]
    per_client = -(-limit // args.concurrency) if limit else 0
    context = multiprocessing.get_context("fork")
    start_at = time.monotonic() + 0.5
    firsts = [sum(shares[:n]) for n in range(processes)]
    with concurrent.futures.ProcessPoolExecutor(processes, mp_context=context) as pool:
        futures = [
            pool.submit(
                _drive_process,
                server.port,
                requests,
                firsts[n],
                shares[n],
                args.concurrency,
                start_at,
                duration,
                per_client,
            )
            for n in range(processes)
        ]
        parts = [future.result(timeout=duration + 120) for future in futures]
    latencies = sorted(x for part in parts for x in part["latencies"])
    counts: dict[str, int] = {}
    for part in parts:
        for name, value in part["counts"].items():
            counts[name] = counts.get(name, 0) + value
    seconds = max(p["ended"] for p in parts) - min(p["began"] for p in parts)
    if not latencies:
        raise RuntimeError(f"no responses from {server.label}: {counts}")
    return {
        "requests": len(latencies),
        "seconds": seconds,
        "rps": len(latencies) / seconds,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p90_ms": percentile(latencies, 90) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "max_ms": latencies[-1] * 1000,
        "mean_ms": statistics.fmean(latencies) * 1000,
        "errors": sum(counts.values()),
        "error_detail": counts,
    }


def percentile(ordered: list[float], pct: float) -> float:
    """Nearest-rank percentile of a sorted list."""
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


# One server, one round -----------------------------------------------------------------


@dataclass
class Plan:
    """What every round sends."""

    timed_callers: list[str]
    warm_callers: list[str]
    check_callers: list[str]


def measure(
    server: Server, plan: Plan, args: argparse.Namespace, workdir: Path, loadgen: str, seed: int
) -> dict:
    """Serve one app, check it, warm it up, then time it."""
    with serving(server, args, workdir):
        url = server.url
        checks = signed_requests(url, plan.check_callers, 200, seed + 1, 1)
        warm = signed_requests(url, plan.warm_callers, args.presigned // 4, seed + 2, 2)
        timed = signed_requests(url, plan.timed_callers, args.presigned, seed + 3, 3)
        if server.health_path is None:
            checked = check_bare(server, checks, args.ready_timeout)
        else:
            checked = check_real(server, checks)

        if loadgen == "wrk":
            warm_file = workdir / f"{server.name}-warm.txt"
            timed_file = workdir / f"{server.name}-timed.txt"
            write_requests(warm_file, warm)
            write_requests(timed_file, timed)
            if args.warmup > 0:
                run_wrk(server, warm_file, args, args.warmup)
            cpu_before = cpu_seconds(server.process.pid)
            result = run_wrk(server, timed_file, args, args.duration)
        else:
            if args.warmup > 0:
                run_python(server, warm, args, args.warmup, 0)
            duration = args.max_duration if args.requests else args.duration
            cpu_before = cpu_seconds(server.process.pid)
            result = run_python(server, timed, args, duration, args.requests)
        # The server's own CPU per request: steadier than req/s when the host is busy.
        cpu = cpu_seconds(server.process.pid) - cpu_before
        result["server_cpu_s"] = cpu
        result["cpu_us_per_request"] = cpu / max(1, result["requests"]) * 1e6
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.label} died during the run:\n{log_tail(server)}")
    result["checks"] = checked
    return result


# Report --------------------------------------------------------------------------------


def median_round(rounds: list[dict]) -> dict:
    """The round with the median ratio (the lower middle one for an even count)."""
    return sorted(rounds, key=lambda one: one["ratio_rps"])[(len(rounds) - 1) // 2]


def table(servers: list[Server], picked: dict[str, dict], ratio: float, p99_ratio: float) -> str:
    rows = [
        "| server | req/s | p50 ms | p99 ms | errors | server CPU µs/req |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for server in servers:
        r = picked[server.name]
        rows.append(
            f"| {server.label} | {r['rps']:.0f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} "
            f"| {r['errors']} of {r['requests']} | {r['cpu_us_per_request']:.0f} |"
        )
    verdict = "met" if ratio >= AIM else "NOT met"
    cpu_ratio = picked["bare"]["cpu_us_per_request"] / picked["real"]["cpu_us_per_request"]
    rows.append("")
    rows.append(
        f"Ratio real/bare: **{ratio:.2f}** of the bare app's req/s (aim >= {AIM}: "
        f"{verdict}); p99 latency {p99_ratio:.2f}x the bare app's; "
        f"server CPU per request: bare/real {cpu_ratio:.2f}."
    )
    return "\n".join(rows)


def tool_version(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=10, check=False)
    except OSError:
        return "unavailable"
    text = (done.stdout or done.stderr).strip().splitlines()
    return text[0] if text else "unknown"


# Main ----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--duration", type=float, default=10.0, help="seconds of timed load per server (default 10)"
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=0,
        help="instead of --duration: stop after about N requests per server",
    )
    parser.add_argument(
        "--max-duration",
        type=float,
        default=120.0,
        help="with --requests: stop anyway after this many seconds",
    )
    parser.add_argument("--concurrency", type=int, default=8, help="open connections (default 8)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn --workers (default 2)")
    parser.add_argument(
        "--worker-class",
        default="sync",
        choices=["sync", "gthread"],
        help="gunicorn --worker-class (default sync)",
    )
    parser.add_argument(
        "--threads", type=int, default=1, help="gunicorn --threads (default 1; use with gthread)"
    )
    parser.add_argument(
        "--warmup",
        type=float,
        default=2.0,
        help="untimed seconds of load before each timed run (default 2)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="measure both servers this many times (default 3); report the median ratio",
    )
    parser.add_argument(
        "--callers",
        type=int,
        default=500,
        help="distinct From numbers in the timed run (default 500)",
    )
    parser.add_argument(
        "--presigned",
        type=int,
        default=20000,
        help="pre-signed requests the timed run cycles through",
    )
    parser.add_argument(
        "--loadgen",
        default="auto",
        choices=["auto", "wrk", "python"],
        help="load generator (default: wrk if installed, else python)",
    )
    parser.add_argument("--wrk-threads", type=int, default=1, help="wrk --threads (default 1)")
    parser.add_argument(
        "--load-processes",
        type=int,
        default=2,
        help="processes of the Python load generator (default 2)",
    )
    parser.add_argument(
        "--ready-timeout", type=float, default=30.0, help="seconds to wait for a server to come up"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if args.worker_class == "sync" and args.threads != 1:
        parser.error("--threads > 1 makes gunicorn switch to gthread; say --worker-class gthread")
    if args.callers < 1 or args.callers > 500:
        parser.error("--callers must be 1..500")
    if args.concurrency < 1 or args.workers < 1 or args.rounds < 1 or args.presigned < 1:
        parser.error("--concurrency, --workers, --rounds and --presigned must be positive")
    return args


def choose_loadgen(wanted: str, requests: int) -> str:
    if wanted == "python":
        return "python"
    if requests:
        # wrk only runs for a duration: a thread that stops early still waits out -d.
        if wanted == "wrk":
            sys.exit("wrk runs for a fixed time: use --duration with it, or --loadgen python")
        print("--requests: using the Python load generator (wrk only runs for a duration).\n")
        return "python"
    if shutil.which("wrk"):
        return "wrk"
    hint = "wrk is not installed (sudo apt-get update && sudo apt-get install -y wrk)"
    if wanted == "wrk":
        sys.exit(hint)
    print(f"{hint}; using the Python load generator, which needs far more CPU.\n")
    return "python"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    loadgen = choose_loadgen(args.loadgen, args.requests)
    # Ctrl-C raises KeyboardInterrupt; make SIGTERM unwind the same way, so servers stop.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    servers = [
        Server("bare", "bare Flask, fixed TwiML", BARE_TARGET, None),
        Server("real", "HSCT Line POST /sms", REAL_TARGET, "/healthz"),
    ]
    plan = Plan(
        timed_callers=caller_numbers(0, args.callers),
        warm_callers=caller_numbers(500, 250),
        check_callers=caller_numbers(750, 40),  # five texts each: new, then returning
    )
    cores = os.cpu_count() or 1
    load_desc = (
        f"wrk, {min(args.wrk_threads, args.concurrency)} thread(s)"
        if loadgen == "wrk"
        else f"Python, {min(args.load_processes, args.concurrency)} process(es)"
    )
    bound = f"{args.requests} requests" if args.requests else f"{args.duration:g} s"
    print(
        f"gunicorn {' '.join(gunicorn_options(args))}\n"
        f"load: {load_desc}, {args.concurrency} connections, {bound} per server "
        f"after {args.warmup:g} s warm-up, {args.callers} callers, {args.rounds} round(s)\n"
        f"note: {cores} CPU core(s) shared by the server ({args.workers} workers) and the load "
        f"generator on {HOST}; absolute figures are lower than on a dedicated host, the ratio "
        "is what to compare."
    )
    busy = os.getloadavg()[0]
    if busy > 0.5:
        print(
            f"note: load average {busy:.2f} before starting: other processes use the CPU, "
            "so figures will be noisy; more --rounds help."
        )
    print()

    rounds: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="hsct-bench-") as tmp:
        for round_no in range(args.rounds):
            workdir = Path(tmp) / f"round{round_no + 1}"
            workdir.mkdir()
            this: dict = {"round": round_no + 1}
            # Alternate which server goes first, so drift on the host does not favour one.
            for server in servers if round_no % 2 == 0 else servers[::-1]:
                result = measure(server, plan, args, workdir, loadgen, args.seed + 10 * round_no)
                this[server.name] = result
                print(
                    f"round {round_no + 1} {server.label}: {result['rps']:.0f} req/s, "
                    f"p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms, "
                    f"{result['errors']} errors in {result['requests']} requests",
                    flush=True,
                )
            this["ratio_rps"] = this["real"]["rps"] / this["bare"]["rps"]
            this["ratio_p99"] = this["real"]["p99_ms"] / this["bare"]["p99_ms"]
            print(f"round {round_no + 1} ratio real/bare: {this['ratio_rps']:.2f}", flush=True)
            rounds.append(this)

    picked = median_round(rounds)
    ratio, p99_ratio = picked["ratio_rps"], picked["ratio_p99"]
    print()
    if len(rounds) > 1:
        print(f"Round {picked['round']} of {len(rounds)}, the one with the median ratio:\n")
    print(table(servers, picked, ratio, p99_ratio))

    checks = picked["real"]["checks"]
    refused = checks["refused"]
    print(
        f"\nChecked before timing: {checks['signed_ok']} signed webhooks to the real app all "
        f"got 200 TwiML ({checks['distinct_replies']} distinct replies); a wrong signature "
        f"got {refused['wrong_signature']}, a missing one got {refused['no_signature']}."
    )

    report = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "host": {
            "cpu_count": cores,
            "load_average_before": busy,
            "python": platform.python_version(),
            "platform": platform.platform(),
            "gunicorn": tool_version([sys.executable, "-m", "gunicorn", "--version"]),
            "wrk": tool_version(["wrk", "--version"]) if loadgen == "wrk" else None,
            "note": "server and load generator share the CPU cores over loopback",
        },
        "settings": {
            "gunicorn": gunicorn_options(args),
            "app_env": {"TWILIO_AUTH_TOKEN": TOKEN, "SECRET_KEY": SECRET, "LOG_LEVEL": "WARNING"},
            "loadgen": loadgen,
            "concurrency": args.concurrency,
            "duration_s": None if args.requests else args.duration,
            "requests": args.requests or None,
            "warmup_s": args.warmup,
            "callers": args.callers,
            "bodies": BODIES,
            "rounds": args.rounds,
        },
        "servers": {s.name: {"label": s.label, "target": s.target} for s in servers},
        "rounds": rounds,
        "result": {
            "round": picked["round"],
            "bare": picked["bare"],
            "real": picked["real"],
            "ratio_rps": ratio,
            "ratio_p99": p99_ratio,
            "ratio_rps_all_rounds": [one["ratio_rps"] for one in rounds],
            "aim": AIM,
            "aim_met": ratio >= AIM,
        },
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"\nWrote {args.output}")

    errors = sum(one[server.name]["errors"] for one in rounds for server in servers)
    if errors:
        print(f"\n{errors} bad responses or socket errors: see error_detail in the JSON.")
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # the servers are already stopped by then
        sys.exit("\ninterrupted")
