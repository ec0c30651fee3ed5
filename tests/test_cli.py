"""The command-line tools, through Flask's test runner."""

from __future__ import annotations

from pathlib import Path

from service.babel_extract import extract

ROOT = Path(__file__).resolve().parent.parent


def test_content_check_passes_and_reports(app):
    result = app.test_cli_runner().invoke(args=["content", "check", "--report"])
    assert result.exit_code == 0, result.output
    assert "0 problem(s)" in result.output
    assert "GSM-7" in result.output and "topic.urgent.page1" in result.output


def test_content_check_fails_on_a_bad_setting(config):
    from service import create_app

    config["EMERGENCY_NUMBER"] = "the emergency number of your own country, " * 3
    result = create_app(config).test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 1
    assert "topic.urgent.page1: the emergency number is not in the first message" in result.output


def test_catalogue_template_is_up_to_date(app):
    result = app.test_cli_runner().invoke(args=["i18n", "check"])
    assert result.exit_code == 0, result.output


def test_extractor_gives_every_string_a_context():
    with open(ROOT / "messages" / "topics.yaml", "rb") as handle:
        found = list(extract(handle, {}, [], {}))
    keys = [message[0] for _, _, message, _ in found]
    assert "topics.risks.pages.1" in keys and "topics.urgent.title" in keys
    assert all(funcname == "pgettext" for _, funcname, _, _ in found)
    assert not any(key.endswith(".id") for key in keys)


def test_template_has_every_content_string():
    template = (ROOT / "locales" / "messages.pot").read_text()
    assert 'msgctxt "topics.urgent.pages.1"' in template
    assert 'msgctxt "system.welcome"' in template
    assert "twilio_keywords" not in template  # Twilio's STOP words are not translated
