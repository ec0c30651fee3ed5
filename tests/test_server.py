"""The real thing: the Procfile's gunicorn command on loopback, texted over HTTP."""

from __future__ import annotations

import os
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from service.config import LANGUAGE_ORDER
from service.content import default_content
from service.conversation import CallerState, Conversation, Settings
from service.segments import encoding_of

from .conftest import TOKEN, sign

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def procfile_web_line() -> str:
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith("web:"):
            return line.removeprefix("web:").strip()
    raise AssertionError("Procfile has no web: line")


class Server:
    """Start the Procfile web line with a given environment; stop it on exit."""

    def __init__(self, tmp_path: Path, **env: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        environment = {
            **os.environ,
            "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
            "PORT": str(self.port),
            "TWILIO_AUTH_TOKEN": TOKEN,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'server.sqlite'}",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            **env,
        }
        # Bind loopback only in tests: the Procfile binds 0.0.0.0 for hosts like Heroku.
        command = procfile_web_line().replace("0.0.0.0", "127.0.0.1")
        self.log = tmp_path / f"server-{self.port}.log"
        self.log_file = self.log.open("w")
        self.process = subprocess.Popen(
            ["bash", "-c", command],
            cwd=ROOT,
            env=environment,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def __enter__(self) -> Server:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=1) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
            if self.process.poll() is not None:
                break
        self.__exit__()
        raise AssertionError("server did not start:\n" + self.log.read_text())

    def __exit__(self, *exc: object) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=15)
        self.log_file.close()

    def text(self, number: str, body: str, signature: str | None = None) -> tuple[int, str | None]:
        """POST /sms like Twilio; return the status and the message sent back (if any)."""
        params = {"From": number, "To": "+15005550006", "Body": body, "MessageSid": "SM1"}
        url = self.base + "/sms"
        request = urllib.request.Request(
            url,
            data=urllib.parse.urlencode(params).encode(),
            method="POST",
            headers={"X-Twilio-Signature": signature or sign(url, params)},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                assert response.headers["Content-Type"].startswith("text/xml")
                body_xml = response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, None
        message = ET.fromstring(body_xml).find("Message")
        return 200, None if message is None else message.text


def test_procfile_server_answers_a_signed_text(tmp_path):
    with Server(tmp_path) as server:
        status, reply = server.text("+447700900111", "hi")
        assert status == 200 and reply.startswith("HSCT Line:")
        status, reply = server.text("+447700900111", "can u die from hsct")
        assert reply.startswith("aHSCT has serious risks.")
        assert server.text("+447700900111", "risks", signature="forged")[0] == 403


def test_opt_out_holds_across_workers_and_restarts(tmp_path):
    number = "+447700900222"
    with Server(tmp_path) as server:
        server.text(number, "hi")
        assert server.text(number, "STOP") == (200, None)
        for _ in range(6):  # whichever worker answers, it knows
            assert server.text(number, "risks") == (200, None)
    with Server(tmp_path) as server:
        assert server.text(number, "menu") == (200, None)
        status, reply = server.text(number, "START")
        assert reply.startswith("Welcome back")
    logs = "".join(path.read_text() for path in tmp_path.glob("server-*.log"))
    assert "sms caller=" in logs  # the app logged each message...
    assert number not in logs and number[1:] not in logs  # ...without the number


def test_without_a_token_the_server_refuses_webhooks(tmp_path):
    with Server(tmp_path, TWILIO_AUTH_TOKEN="") as server:
        assert server.text("+447700900333", "hi")[0] == 403


def test_procfile_binds_port_from_environment():
    line = procfile_web_line()
    assert "$PORT" in line or "${PORT" in line
    assert "gunicorn" in shlex.split(line.replace("&&", " "))


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """One real server for the per-language checks."""
    with Server(tmp_path_factory.mktemp("live")) as server:
        yield server


@pytest.mark.parametrize("lang", LANGUAGE_ORDER)
def test_each_language_menu_and_an_answer_through_the_real_server(live, lang):
    number = f"+4477009{LANGUAGE_ORDER.index(lang):05d}"
    line = Conversation(default_content(), Settings(languages=tuple(LANGUAGE_ORDER)))
    live.text(number, "hi")
    status, confirmed = live.text(number, f"LANG {lang}")
    assert status == 200 and confirmed == line.reply(f"LANG {lang}", CallerState())[0].text
    status, menu = live.text(number, "MENU")
    assert menu == line.menu_text(CallerState(lang=lang))
    status, answer = live.text(number, "4")
    assert answer == line.topic_messages(lang, "risks")[0]
    limit = 3 if lang in {"en", "de", "it"} else 4
    assert encoding_of(answer).segments <= limit and encoding_of(menu).segments <= limit


def test_a_phone_call_through_the_real_server(live):
    params = {"From": "+447700900444", "To": "+15005550006", "CallSid": "CA1"}
    url = live.base + "/voice"
    request = urllib.request.Request(
        url,
        data=urllib.parse.urlencode(params).encode(),
        method="POST",
        headers={"X-Twilio-Signature": sign(url, params)},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        root = ET.fromstring(response.read().decode())
    gather = root.find("Gather")
    assert gather.get("input") == "dtmf speech" and gather.get("language") == "en-GB"
    assert "press 1" in "".join(gather.itertext())


def test_opt_outs_and_languages_survive_concurrent_writes_from_four_workers(tmp_path):
    """gunicorn -w 4, 16 threads at once, 40 numbers: nothing lost, nothing personal logged."""
    import concurrent.futures

    numbers = [f"+4477009{index:05d}" for index in range(40)]
    choices = {number: LANGUAGE_ORDER[index % 12] for index, number in enumerate(numbers)}

    def conversation(number: str) -> None:
        index = numbers.index(number)
        server.text(number, "hi")
        server.text(number, f"LANG {choices[number]}")
        server.text(number, "4")
        if index % 2:
            server.text(number, "STOP")

    with (
        Server(tmp_path, WEB_CONCURRENCY="4", RATE_LIMIT_ENABLED="0") as server,
        concurrent.futures.ThreadPoolExecutor(16) as pool,
    ):
        list(pool.map(conversation, numbers))
    with Server(tmp_path) as server:  # a restart: everything was written
        line = Conversation(default_content(), Settings(languages=tuple(LANGUAGE_ORDER)))
        for index, number in enumerate(numbers):
            status, reply = server.text(number, "MENU")
            if index % 2:
                assert reply is None, number
            else:
                assert reply == line.menu_text(CallerState(lang=choices[number])), number
    logs = "".join(path.read_text() for path in tmp_path.glob("server-*.log"))
    assert "sms caller=" in logs
    assert not any(number in logs or number[1:] in logs for number in numbers)
