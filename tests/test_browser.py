"""The try-it page in a real Chromium: texting, calling, keyboard only, and axe-core."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .test_server import Server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium: apt-get install chromium (.ci/run installs it)"
)
# Chromium here is root in a sandbox with no network but loopback: no sandbox, no
# background connections (they are refused by this machine, many at a time).
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = Path(__file__).resolve().parent.parent / "instance" / "screenshots"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with Server(tmp_path_factory.mktemp("browser"), DEV_MODE="1", TWILIO_AUTH_TOKEN="") as server:
        yield server.base


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, site):
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.goto(site + "/")
    yield page
    context.close()


def test_texting_the_line(page):
    page.get_by_label("Your text message").fill("hi")
    page.get_by_role("button", name="Send").click()
    thread = page.locator("#thread")
    thread.get_by_text("HSCT Line: short facts").wait_for()
    page.get_by_label("Your text message").fill("can u die from hsct")
    page.keyboard.press("Enter")
    thread.get_by_text("aHSCT has serious risks.").wait_for()
    page.get_by_role("button", name="MORE").click()
    thread.get_by_text("The chemotherapy can cause hair loss.").wait_for()


def test_calling_the_line_by_keys_and_by_voice(page):
    page.get_by_role("button", name="Call the line").click()
    heard = page.locator("#heard")
    heard.get_by_text("For risks and recovery, press 2.").wait_for()
    page.get_by_role("button", name="Press 2").click()
    heard.get_by_text("To hear the risks and side effects, press 1.").wait_for()
    page.get_by_label("Say something instead of pressing a key").fill("recovery")
    page.get_by_role("button", name="Say", exact=True).click()
    heard.get_by_text("You stay in hospital about 3 to 4 weeks.").wait_for()
    page.get_by_role("button", name="Press star").click()
    heard.get_by_text("To hear fertility and pregnancy, press 3.").last.wait_for()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "try-it.png"), full_page=True)
    page.get_by_role("button", name="Hang up").click()
    page.get_by_text("Not in a call.").wait_for()


def test_usable_by_keyboard_alone(page):
    page.keyboard.press("Tab")  # first the messages (scrollable, so focusable), then the box
    assert page.evaluate("document.activeElement.id") == "thread"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "body"
    page.keyboard.type("hi")
    page.keyboard.press("Enter")
    page.locator("#thread").get_by_text("HSCT Line: short facts").wait_for()
    page.locator("#call").focus()
    page.keyboard.press("Enter")
    page.locator("#heard").get_by_text("press 2").first.wait_for()
    assert page.evaluate("document.activeElement.dataset.key") == "1"  # focus moves to the keypad
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineWidth")
    assert outline == "4px"  # a focus you can see


def axe_violations(page) -> list:
    from axe_playwright_python.sync_playwright import Axe

    return Axe().run(page).response["violations"]


def test_axe_finds_no_violations(page):
    assert axe_violations(page) == []
    page.get_by_label("Your text message").fill("hi")
    page.keyboard.press("Enter")
    page.locator("#thread").get_by_text("HSCT Line: short facts").wait_for()
    page.get_by_role("button", name="Call the line").click()
    page.locator("#heard").get_by_text("press 2").first.wait_for()
    assert axe_violations(page) == []


def test_listen_page_has_no_violations(page, site):
    page.goto(site + "/listen/ar/risks")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert axe_violations(page) == []
