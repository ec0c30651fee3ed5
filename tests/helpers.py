"""What the tests share: a texter and a caller that sign like Twilio, a fake Twilio REST API,
a real gunicorn server on loopback, and the content the expected words come from."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shlex
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from twilio.http.http_client import HttpClient
from twilio.http.response import Response
from twilio.request_validator import RequestValidator

from service.core.content import default_content
from service.core.phone.positions import Place

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "test-auth-token"
NUMBER = "+447700900123"
LINE_NUMBER = "+447700900001"  # the line's own number (a UK mobile: it can text)
CONTENT = default_content()  # built once: every test app shares its language packs
EN = CONTENT.pack("en")


def sign(url: str, params: object, token: str = TOKEN) -> str:
    """The X-Twilio-Signature Twilio would send for this URL and form."""
    return RequestValidator(token).compute_signature(url, params)


def system(name: str, /, **values: object) -> str:
    """An English system text, as the content has it."""
    return EN.text(name, **values)


def voice(name: str, /, **values: object) -> str:
    """An English phone prompt, as a voice says it."""
    return EN.speakable(EN.fill(f"voice.{name}", **values))


def said(text: str, lang: str = "en") -> str:
    """Content as the phone says it (spoken forms of terms, "A H S C T")."""
    return CONTENT.pack(lang).speakable(text)


def first_page(topic_id: str, lang: str = "en") -> str:
    """The opening words of a topic's first page, to recognise it in a reply."""
    return CONTENT.pack(lang).by_id[topic_id].pages[0][:40]


def answer_start(answer_id: str, lang: str = "en") -> str:
    """The opening words of an answer, to recognise it in a reply."""
    return CONTENT.pack(lang).answers[answer_id].text[:30]


@dataclass
class Answer:
    """A messaging webhook's response, parsed."""

    status: int
    xml: str

    @property
    def root(self) -> ET.Element:
        return ET.fromstring(self.xml)

    @property
    def messages(self) -> list[str]:
        texts = []
        for message in self.root.iter("Message"):
            body = message.find("Body")
            texts.append((body.text if body is not None else message.text) or "")
        return texts

    @property
    def media(self) -> list[str]:
        return [media.text or "" for media in self.root.iter("Media")]

    @property
    def text(self) -> str | None:
        """The one message sent back, or None when the reply is empty TwiML."""
        messages = self.messages
        assert len(messages) <= 1, messages
        return messages[0] if messages else None


class Texter:
    """A phone that texts the line through the test client, signed like Twilio."""

    def __init__(self, client, number: str | None = NUMBER, base: str = "http://localhost") -> None:
        self.client, self.number, self.base = client, number, base

    def send(self, body: str | None, **extra: str) -> Answer:
        params = {"MessageSid": "SM" + "0" * 32, "AccountSid": "AC" + "0" * 32, "To": LINE_NUMBER}
        if self.number is not None:
            params["From"] = self.number
        if body is not None:
            params["Body"] = body
        params.update(extra)
        response = self.client.post(
            "/sms", data=params, headers={"X-Twilio-Signature": sign(self.base + "/sms", params)}
        )
        assert response.status_code == 200, response.status_code
        assert response.mimetype == "text/xml"
        return Answer(response.status_code, response.get_data(as_text=True))

    def __call__(self, body: str | None, **extra: str) -> str | None:
        return self.send(body, **extra).text


class Caller:
    """A phone calling the line: follows each Gather's action like Twilio does."""

    def __init__(self, client, number: str = NUMBER, base: str = "http://localhost") -> None:
        self.client, self.number, self.base = client, number, base
        self.action: str | None = None
        self.root: ET.Element | None = None
        self.call_sid = "CA" + "0" * 32

    def post(self, url: str, **fields: str) -> ET.Element:
        path = url.removeprefix(self.base)
        params = {"CallSid": self.call_sid, "From": self.number, "To": LINE_NUMBER, **fields}
        response = self.client.post(
            path, data=params, headers={"X-Twilio-Signature": sign(self.base + path, params)}
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.mimetype == "text/xml"
        self.root = ET.fromstring(response.get_data(as_text=True))
        gather = self.root.find("Gather")
        self.action = gather.get("action") if gather is not None else None
        return self.root

    def call(self) -> ET.Element:
        return self.post("/voice")

    def press(self, key: str) -> ET.Element:
        assert self.action, "the call has ended"
        return self.post(self.action, Digits=key)

    def say(self, words: str, confidence: str = "0.92") -> ET.Element:
        assert self.action, "the call has ended"
        return self.post(self.action, SpeechResult=words, Confidence=confidence)

    def reach(self, *keys: str) -> ET.Element:
        """Call, then press each key in turn."""
        root = self.call()
        for key in keys:
            root = self.press(key)
        return root

    def wait(self) -> ET.Element:
        return self.post(self.action)  # silence: Twilio posts with no Digits (actionOnEmptyResult)

    @property
    def heard(self) -> str:
        return " ".join("".join(el.itertext()) for el in self.root.iter("Say"))

    @property
    def at(self) -> Place:
        """Where the call waits now."""
        return Place.parse(parse_qs(urlparse(self.action).query)["n"][0])


class FakeTwilio(HttpClient):
    """Twilio's REST API, faked: records each request and answers as told."""

    def __init__(
        self, status: int = 201, code: int | None = None, body: dict | None = None
    ) -> None:
        super().__init__(logging.getLogger("fake-twilio"), is_async=False)
        self.status, self.code, self.body, self.requests = status, code, body, []

    def request(self, method, url, params=None, data=None, headers=None, auth=None, **kwargs):
        self.requests.append(
            {"method": method, "url": url, "data": dict(data or {}), "params": dict(params or {})}
        )
        if self.status >= 400:
            body = {"code": self.code, "message": "refused", "status": self.status}
            return Response(self.status, json.dumps(body))
        return Response(self.status, json.dumps(self.body or {"sid": "SM" + "1" * 32}))

    @property
    def texts(self) -> list[dict]:
        return [r["data"] for r in self.requests if r["url"].endswith("/Messages.json")]


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
    """Start the Procfile web line (gunicorn) on loopback with an environment; stop it on exit."""

    def __init__(self, tmp_path: Path, **env: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        environment = {
            **os.environ,
            "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
            "PORT": str(self.port),
            "TWILIO_AUTH_TOKEN": TOKEN,
            "SECRET_KEY": "server-test-secret-" + "0" * 40,
            "PUBLIC_BASE_URL": "",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'server.sqlite'}",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "AUDIO_BUILD_AT_START": "0",
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
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=1):
                    return self
            except urllib.error.HTTPError:
                return self  # 503: up, but telling what is wrong
            except OSError:
                time.sleep(0.1)
            if self.process.poll() is not None:
                break
        self.__exit__()
        raise AssertionError("server did not start:\n" + self.log.read_text())

    def __exit__(self, *exc: object) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)
        self.log_file.close()

    def post(self, path: str, params: dict, signature: str | None = None) -> tuple[int, str]:
        url = self.base + path
        request = urllib.request.Request(
            url,
            data=urllib.parse.urlencode(params).encode(),
            method="POST",
            headers={"X-Twilio-Signature": signature or sign(url, params)},
        )
        try:
            with urllib.request.urlopen(request, timeout=20) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, ""

    def text(self, number: str, body: str, signature: str | None = None) -> tuple[int, str | None]:
        """POST /sms like Twilio; return the status and the message sent back (if any)."""
        params = {"From": number, "To": LINE_NUMBER, "Body": body, "MessageSid": "SM1"}
        status, xml = self.post("/sms", params, signature)
        if status != 200:
            return status, None
        message = ET.fromstring(xml).find("Message")
        return 200, None if message is None else message.text

    def health(self) -> tuple[int, dict]:
        try:
            with urllib.request.urlopen(self.base + "/healthz", timeout=5) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")


def split_command(line: str) -> list[str]:
    return shlex.split(line.replace("&&", " "))


@contextlib.contextmanager
def database_locked(path: Path) -> Iterator[None]:
    """Another connection holds the SQLite file's write lock for as long as this lasts."""
    locker = sqlite3.connect(path, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        locker.execute("ROLLBACK")
        locker.close()
