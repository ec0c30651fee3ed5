"""The try-it page in a real Chromium: texting, WhatsApp, calling, keyboard only, phone
widths and large text, and axe-core."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .helpers import EN, Server, said, system, voice

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


def open_page(browser, site, width: int = 1280, height: int = 900):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(site + "/")
    return context, page


@pytest.fixture
def page(browser, site):
    context, page = open_page(browser, site)
    yield page
    context.close()


def test_texting_the_line(page):
    page.get_by_label("Your text message").fill("hi")
    page.get_by_role("button", name="Send", exact=True).click()
    thread = page.locator("#thread")
    thread.get_by_text(system("welcome")).wait_for()
    page.get_by_label("Your text message").fill("can u die from hsct")
    page.keyboard.press("Enter")
    thread.get_by_text(EN.answers["death-risk"].text[:30]).wait_for()
    page.get_by_role("button", name="MORE").click()
    thread.get_by_text(EN.by_id["risks"].pages[0][:30]).wait_for()
    assert page.evaluate("document.activeElement.id") == "body"  # focus where the person is


def test_whatsapp_with_a_voice_note(page):
    page.get_by_label("Your WhatsApp message").fill("will my hair fall out")
    page.keyboard.press("Enter")
    chat = page.locator("#whatsapp-thread")
    chat.get_by_text(EN.answers["hair-loss"].text[:30]).wait_for()
    page.get_by_label("Your WhatsApp message").fill("AUDIO")
    page.keyboard.press("Enter")
    chat.get_by_text(system("audio_not_ready")).or_(chat.locator("audio")).first.wait_for()


def test_calling_the_line_by_keys_and_by_voice(page):
    page.get_by_role("button", name="Call the line").click()
    heard = page.locator("#heard")
    heard.get_by_text(voice("main_option", label=voice("group_risks"), key=3)).wait_for()
    page.get_by_role("button", name="Press 3").click()
    heard.get_by_text(voice("topic_option", label=EN.by_id["risks"].spoken, key=1)).wait_for()
    page.get_by_label("Say something instead of pressing a key").fill("recovery")
    page.get_by_role("button", name="Say", exact=True).click()
    heard.get_by_text(said(EN.by_id["recovery"].pages[0])[:30]).wait_for()
    assert page.evaluate("document.activeElement.id") == "words"  # back in the words box
    page.get_by_role("button", name="Press star").click()
    heard.get_by_text(
        voice("topic_option", label=EN.by_id["fertility"].spoken, key=3)
    ).last.wait_for()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "try-it.png"), full_page=True)
    page.get_by_role("button", name="Hang up").click()
    page.get_by_text("Not in a call.").wait_for()
    assert page.evaluate("document.activeElement.id") == "call"  # focus back to calling


def test_text_me_from_a_call_appears_in_the_text_thread(page):
    page.get_by_role("button", name="Call the line").click()
    heard = page.locator("#heard")
    heard.get_by_text("press 3").first.wait_for()
    for key in ("3", "1"):
        page.get_by_role("button", name=f"Press {key}").click()
        heard.get_by_text("press 2").last.wait_for()
    page.get_by_role("button", name="Press 3").click()  # text me this
    page.locator("#thread").get_by_text(EN.by_id["risks"].pages[0][:30]).wait_for()


def test_keyboard_digits_press_keys_during_a_call(page):
    page.locator("#call").focus()
    page.keyboard.press("Enter")
    heard = page.locator("#heard")
    heard.get_by_text("press 2").first.wait_for()
    assert page.evaluate("document.activeElement.dataset.key") == "1"  # focus moves to the keypad
    assert page.evaluate("getComputedStyle(document.activeElement).outlineWidth") == "4px"
    page.keyboard.press("3")
    heard.get_by_text("You press:3").wait_for()
    heard.get_by_text(voice("topic_option", label=EN.by_id["risks"].spoken, key=1)).wait_for()


def test_words_are_shown_not_clip_names(page):
    page.get_by_role("button", name="Call the line").click()
    heard = page.locator("#heard")
    heard.get_by_text(voice("greeting_new")).or_(
        heard.get_by_text(voice("greeting_back"))
    ).wait_for()
    assert ".mp3" not in heard.inner_text()


@pytest.mark.parametrize(("width", "text_size"), [(320, 100), (390, 100), (390, 200), (1280, 200)])
def test_no_sideways_scroll_at_phone_widths_and_large_text(browser, site, width, text_size):
    context, page = open_page(browser, site, width=width, height=800)
    page.evaluate(f"document.documentElement.style.fontSize = '{text_size}%'")
    page.get_by_label("Your text message").fill("hi")
    page.keyboard.press("Enter")
    page.locator("#thread").get_by_text(system("welcome")).wait_for()
    page.get_by_role("button", name="Call the line").click()
    page.locator("#heard").get_by_text("press 2").first.wait_for()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, overflow
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"try-it-{width}-{text_size}.png"), full_page=True)
    context.close()


def test_focus_order_by_keyboard_alone(page):
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "body"
    page.keyboard.type("hi")
    page.keyboard.press("Enter")
    page.locator("#thread").get_by_text(system("welcome")).wait_for()
    order = []
    for _ in range(6):
        page.keyboard.press("Tab")
        order.append(
            page.evaluate("document.activeElement.id || document.activeElement.textContent")
        )
    assert order[:5] == ["Send", "MENU", "MORE", "HELP", "new-number"], order


def axe_violations(page) -> list:
    from axe_playwright_python.sync_playwright import Axe

    return Axe().run(page).response["violations"]


def test_axe_finds_no_violations(page):
    assert axe_violations(page) == []
    page.get_by_label("Your text message").fill("hi")
    page.keyboard.press("Enter")
    page.locator("#thread").get_by_text(system("welcome")).wait_for()
    page.get_by_role("button", name="Call the line").click()
    page.locator("#heard").get_by_text("press 2").first.wait_for()
    assert axe_violations(page) == []


def test_listen_page_has_no_violations_and_one_big_play_control(page, site):
    page.goto(site + "/listen/ar/risks")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("#play-all").count() == 1
    assert axe_violations(page) == []
