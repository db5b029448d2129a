"""Playwright (sync API) driving Debian's Chromium for the main journeys. The browser is
never downloaded: it is /usr/bin/chromium (or $CHROMIUM_PATH)."""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
ARTIFACTS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "test-artifacts")


# Each test module imports the `browser` fixture, and pytest keeps one session instance per
# module that defines it: they share one Playwright and one Chromium (a second sync Playwright
# in the same process fails with "using Playwright Sync API inside the asyncio loop").
_shared = {"users": 0}


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium (the CI script does)")
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop
    if not _shared["users"]:
        _shared["playwright"] = sync_playwright().start()
        _shared["browser"] = _shared["playwright"].chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
    _shared["users"] += 1
    yield _shared["browser"]
    _shared["users"] -= 1
    if not _shared["users"]:
        _shared["browser"].close()
        _shared["playwright"].stop()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 360, "height": 740}, base_url=live_server.url)
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.console_errors = errors
    yield page
    context.close()


def screenshot(page, name):
    os.makedirs(ARTIFACTS, exist_ok=True)
    page.screenshot(path=os.path.join(ARTIFACTS, f"{name}.png"), full_page=True)


def login(page, mobile, password=None, *, otp_device=None, next=None):
    """Sign in through the real pages: the login form and, for a user with an authenticator
    (staff, union head, superuser: `otp_device=give_totp_device(user)` from conftest), the
    two-step code page with the device's current code. Waits until the portal has let them in."""
    from conftest import PASSWORD, totp_unused

    page.goto("/accounts/login/" + (f"?next={next}" if next else ""))
    page.fill("input[name=username]", mobile)
    page.fill("input[name=password]", password or PASSWORD)
    page.click("button[type=submit].btn-primary")
    page.wait_for_load_state()
    if otp_device is not None:
        page.wait_for_url("**/accounts/2fa/verify/**")
        page.fill("input[name=code]", totp_unused(otp_device))
        page.click("button[type=submit].btn-primary")
        page.wait_for_load_state()
        assert "/accounts/2fa/" not in page.url, page.url


def date_picker_closed(page):
    """Waits until no Jalali picker is open (it closes when the focus moves on from a date box,
    at most 0.35 s later: see static/js/shared.js): a tap aimed at a button below it must not
    land while the form is still moving up."""
    page.locator("jdp-container").wait_for(state="hidden", timeout=5000)
