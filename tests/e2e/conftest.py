"""End-to-end tests in headless Chromium (Debian's /usr/bin/chromium) through Playwright.

Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls from a
thread with a running loop unless told this is fine, which it is for tests.
"""

import os
import shutil

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium not found: run `make install` (it installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# Reported to the page's console by every page of a watched context (an init script is not
# itself subject to the page's Content-Security-Policy).
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => console.error(
  "CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline") +
  " at " + e.sourceFile + ":" + e.lineNumber));
"""
POLICY_WORDS = ("CSP violation", "Content Security Policy", "Permissions-Policy", "Refused to")


def watch_policies(context):
    """Collect, for the whole context, what the browser reports against the site's policies
    (Content-Security-Policy violations, a Permissions-Policy it cannot parse) and uncaught
    script errors. Returns the list it fills."""
    problems = []
    context.add_init_script(REPORT_VIOLATIONS)

    def on_console(message):
        if any(word in message.text for word in POLICY_WORDS):
            problems.append(message.text)

    context.on("console", on_console)
    context.on("weberror", lambda error: problems.append(f"uncaught: {error.error}"))
    return problems


@pytest.fixture
def pages(browser, live_server):
    """``pages(width)`` opens a page of that width in a context of its own, watched for policy
    problems; every browser test checks at the end that its pages ran without one."""
    opened = []

    def open_page(width=1280):
        context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900})
        problems = watch_policies(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.base_url = live_server.url
        page.policy_problems = problems
        opened.append((context, problems))
        return page

    yield open_page
    for context, problems in opened:
        context.close()
        assert problems == []


@pytest.fixture
def page(pages):
    return pages(1280)


def login(page, username, password="test-pass-123"):
    page.goto(page.base_url + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    if "/accounts/two-factor/" in page.url:
        pass_second_factor(page, username)


def pass_second_factor(page, username):
    """Staff log in with a second factor: type what the authenticator shows (its key read
    from the database, as the phone read it from the QR code), and after the first time go
    on past the backup codes."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.conftest import totp_code

    device = TOTPDevice.objects.get(user__username=username)
    page.fill("input[name=token]", totp_code(device))
    page.click("[data-testid=two-factor-form] button[type=submit]")
    page.wait_for_load_state("networkidle")
    if page.locator("[data-testid=backup-codes]").count():
        page.click("text=我已保存，继续")
        page.wait_for_load_state("networkidle")


def logout(page):
    page.click("nav form[action$='/logout/'] button")
    page.wait_for_load_state("networkidle")
