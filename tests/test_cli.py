"""The command-line tools, through Flask's test runner and as a fresh shell runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from twilio.http.response import Response

from service import create_app
from service.tools.babel_extract import extract

from .helpers import ROOT, FakeTwilio

NUMBER_SID = "PN" + "1" * 32


class FakeNumbers(FakeTwilio):
    """Twilio's IncomingPhoneNumbers: one number, as the account has it."""

    def __init__(self, sms: bool = True, **current: str) -> None:
        super().__init__()
        self.number = {
            "sid": NUMBER_SID,
            "account_sid": "AC" + "0" * 32,
            "phone_number": "+447700900001",
            "capabilities": {"voice": True, "sms": sms, "mms": False, "fax": False},
            "sms_url": "https://old.example/sms",
            "voice_url": "",
            **current,
        }

    def request(self, method, url, params=None, data=None, headers=None, auth=None, **kwargs):
        super().request(method, url, params, data, headers, auth)
        if method == "GET":
            page = {
                "incoming_phone_numbers": [self.number],
                "page": 0,
                "page_size": 2,
                "start": 0,
                "end": 0,
                "uri": "/2010-04-01/Accounts/AC/IncomingPhoneNumbers.json",
                "first_page_uri": None,
                "next_page_uri": None,
                "previous_page_uri": None,
            }
            return Response(200, json.dumps(page))
        self.number.update({key.lower(): value for key, value in (data or {}).items()})
        return Response(200, json.dumps(self.number))


@pytest.fixture
def production(config):
    """A sound production configuration."""
    config.update(
        TESTING=False,
        SECRET_KEY="s" * 64,
        TWILIO_ACCOUNT_SID="AC" + "0" * 32,
        TWILIO_PHONE_NUMBER="+447700900001",
        PUBLIC_BASE_URL="https://line.example.org",
        HELPLINE_NUMBER="0300 500 8084",
        EMERGENCY_NUMBER="999",
        LANGUAGES="en",
    )
    return config


def test_doctor_on_a_sound_configuration(production):
    fake = FakeNumbers(
        sms_url="https://line.example.org/sms", voice_url="https://line.example.org/voice"
    )
    production["TWILIO_HTTP_CLIENT"] = fake
    result = create_app(production).test_cli_runner().invoke(args=["doctor"])
    assert result.exit_code == 0, result.output
    assert "0 blocker(s)" in result.output
    assert "the number texts and calls, and its webhooks point here" in result.output
    assert "clips not built" in result.output  # a warning with its fix, not a blocker
    assert fake.requests[0]["params"]["PhoneNumber"] == "+447700900001"


def test_doctor_names_each_problem_with_its_fix(production):
    production.update(
        SECRET_KEY=None,
        PUBLIC_BASE_URL="http://line.example.org",
        HELPLINE_NUMBER="call us on weekdays",
        TWILIO_PHONE_NUMBER="",
        EMERGENCY_NUMBER="999 / 112",
    )
    app = create_app(production)
    result = app.test_cli_runner().invoke(args=["doctor", "--offline"])
    assert result.exit_code == 1
    for problem in (
        "SECRET_KEY is not set",
        "PUBLIC_BASE_URL is not an https:// address",
        "HELPLINE_NUMBER='call us on weekdays' is not a phone number",
        "EMERGENCY_NUMBER lists several numbers",
    ):
        assert problem in result.output, problem
    assert "fix:" in result.output


def test_doctor_says_a_broken_database(production, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    production["DATABASE_URL"] = f"sqlite:///{blocker}/line.sqlite"
    result = create_app(production).test_cli_runner().invoke(args=["doctor", "--offline"])
    assert result.exit_code == 1 and "the database fails" in result.output


def test_twilio_connect_dry_run_changes_nothing(production):
    fake = FakeNumbers()
    production["TWILIO_HTTP_CLIENT"] = fake
    result = (
        create_app(production).test_cli_runner().invoke(args=["twilio", "connect", "--dry-run"])
    )
    assert result.exit_code == 0, result.output
    assert "sms_url: https://old.example/sms -> https://line.example.org/sms" in result.output
    assert "voice_url: (none) -> https://line.example.org/voice" in result.output
    assert "dry run" in result.output
    assert [r["method"] for r in fake.requests] == ["GET"]


def test_twilio_connect_points_the_number_at_the_app(production):
    fake = FakeNumbers()
    production["TWILIO_HTTP_CLIENT"] = fake
    runner = create_app(production).test_cli_runner()
    result = runner.invoke(
        args=[
            "twilio",
            "connect",
            "--fallback-url",
            "https://handler.twilio.com/twiml/EH1",
            "--sms-fallback-url",
            "https://handler.twilio.com/twiml/EH2",
        ]
    )
    assert result.exit_code == 0, result.output
    update = fake.requests[-1]
    assert update["method"] == "POST" and update["url"].endswith(
        f"/IncomingPhoneNumbers/{NUMBER_SID}.json"
    )
    assert update["data"]["SmsUrl"] == "https://line.example.org/sms"
    assert update["data"]["VoiceUrl"] == "https://line.example.org/voice"
    assert update["data"]["VoiceFallbackUrl"] == "https://handler.twilio.com/twiml/EH1"
    assert update["data"]["StatusCallback"] == "https://line.example.org/voice/status"
    assert "voice yes, SMS yes" in result.output
    again = runner.invoke(args=["twilio", "connect"])
    assert "nothing to change" in again.output or "updated" in again.output


def test_twilio_connect_says_when_the_number_cannot_text(production):
    production["TWILIO_HTTP_CLIENT"] = FakeNumbers(sms=False)
    result = (
        create_app(production).test_cli_runner().invoke(args=["twilio", "connect", "--dry-run"])
    )
    assert "SMS NO" in result.output and "LINE_CAN_TEXT=0" in result.output


def test_the_fallback_twiml_carries_the_urgent_action(app):
    result = app.test_cli_runner().invoke(args=["twilio", "fallback"])
    assert result.output.count("<Response>") == 2
    assert result.output.count("24-hour number") == 2 and "<Say" in result.output


def test_new_secret_prints_a_fresh_key(app):
    first = app.test_cli_runner().invoke(args=["new-secret"]).output.strip()
    second = app.test_cli_runner().invoke(args=["new-secret"]).output.strip()
    assert len(first) == 64 and first != second


def test_costs_use_the_lines_real_segments(app):
    result = app.test_cli_runner().invoke(args=["costs", "--texts", "2000", "--calls", "0"])
    assert result.exit_code == 0 and "segments on average" in result.output
    assert "total about $" in result.output


def test_content_check_passes_and_reports_in_english(config):
    config["LANGUAGES"] = "en"
    result = create_app(config).test_cli_runner().invoke(args=["content", "check", "--report"])
    assert result.exit_code == 0, result.output
    assert "0 problem(s)" in result.output and "topic.urgent.part1" in result.output


def test_content_check_fails_on_a_bad_setting(config):
    config.update(EMERGENCY_NUMBER="the emergency number of your own country, " * 4, LANGUAGES="en")
    result = create_app(config).test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 1
    assert "topic urgent: the emergency number is not in the first text" in result.output


def test_catalogue_template_is_up_to_date(app):
    result = app.test_cli_runner().invoke(args=["i18n", "check"])
    assert result.exit_code == 0, result.output


def test_i18n_check_names_the_unreviewed_languages(app):
    result = app.test_cli_runner().invoke(args=["i18n", "check"])
    assert "NOT REVIEWED es: native speaker not yet; clinician not yet" in result.output


def test_extractor_gives_every_string_a_context():
    with open(ROOT / "messages" / "answers.yaml", "rb") as handle:
        found = list(extract(handle, {}, [], {}))
    keys = [message[0] for _, _, message, _ in found]
    assert "answers.is-it-a-cure.text" in keys and "answers.is-it-a-cure.question" in keys
    assert not any(".examples" in key or key.endswith(".topic") for key in keys)


def test_template_has_every_content_string():
    template = (ROOT / "locales" / "messages.pot").read_text()
    assert 'msgctxt "topics.urgent.pages.1"' in template and 'msgctxt "system.welcome"' in template
    assert "twilio_keywords" not in template  # Twilio's STOP words are not translated


def flask(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the flask command as a shell would, in the repository, with no test settings."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "SECRET"))}
    environment.update(env or {})
    return subprocess.run(
        [str(Path(sys.executable).parent / "flask"), "--app", "service", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )


def test_help_and_compile_are_quiet():
    for args in (["--help"], ["i18n", "compile"], ["new-secret"]):
        result = flask(*args)
        assert result.returncode == 0, result.stderr
        output = result.stdout + result.stderr
        assert "WARNING" not in output and "ERROR" not in output, (args, output)


def test_env_example_and_readme_list_every_setting():
    from service.tools.settings_doc import ENV_EXAMPLE, env_example, markdown_table

    assert ENV_EXAMPLE.read_text(encoding="utf-8") == env_example(), (
        "run `flask --app service settings --env`"
    )
    readme = (ENV_EXAMPLE.parent / "README.md").read_text(encoding="utf-8")
    assert markdown_table() in readme, "run `flask --app service settings --readme`"
