"""The per-username login limit over every address (issue #15): guessing a named user's
password from many addresses is slowed down, and nobody is locked out by it."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts import login_throttle
from tests import clocks
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
THROTTLED = "该账号近期在多处登录失败次数过多"


def attempt(username, password, address, client=None):
    client = client or Client()
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def spread_failures(username, count, per_address=4):
    """``count`` wrong passwords, a few from each of many addresses: axes locks none of them
    (it locks a username from one address after AXES_FAILURE_LIMIT)."""
    for i in range(count):
        response = attempt(username, "wrong", f"198.51.100.{i // per_address + 1}")
        assert response.status_code == 200, i


@pytest.fixture
def limits(settings):
    settings.LOGIN_USERNAME_FAILURE_LIMIT = 20
    settings.LOGIN_USERNAME_DELAY = 60
    return settings


@pytest.fixture
def clock(monkeypatch):
    """The throttle's clock, set by the test (no sleeping through its windows)."""
    return clocks.freeze(monkeypatch, ["accounts.login_throttle.time"])


def test_below_the_limit_nothing_is_slowed(limits, expert):
    spread_failures("expert", 19)
    assert attempt("expert", PASSWORD, "203.0.113.9").status_code == 302


def test_past_the_limit_a_username_gets_one_attempt_per_delay_from_anywhere(limits, expert):
    spread_failures("expert", 20)
    # The first attempt of the period goes ahead (and fails)…
    assert attempt("expert", "wrong-again", "203.0.113.1").status_code == 200
    # …the next ones, from any address, are answered at once, the password not even checked.
    for address in ("203.0.113.2", "203.0.113.3", "198.51.100.1"):
        refused = attempt("expert", PASSWORD, address)
        assert refused.status_code == 429
        assert THROTTLED in refused.content.decode()
    client = Client()
    attempt("expert", PASSWORD, "203.0.113.4", client)
    assert "_auth_user_id" not in client.session
    # Other users are not affected.
    assert login_throttle.failures("staff") == 0


def test_the_owners_browser_that_logged_in_before_is_not_slowed(limits, expert):
    owner = Client()
    assert attempt("expert", PASSWORD, "192.0.2.7", owner).status_code == 302
    assert login_throttle.DEVICE_COOKIE in owner.cookies
    owner.post(reverse("logout"))

    spread_failures("expert", 21)
    assert attempt("expert", PASSWORD, "203.0.113.2").status_code == 429  # a stranger waits
    assert attempt("expert", PASSWORD, "192.0.2.7", owner).status_code == 302  # the owner not


def test_a_forged_or_other_users_device_cookie_does_not_help(limits, expert, staff):
    spread_failures("expert", 21)
    forged = Client()
    forged.cookies[login_throttle.DEVICE_COOKIE] = "expert"
    assert attempt("expert", PASSWORD, "203.0.113.5", forged).status_code == 429
    staffs = Client()
    assert attempt("staff", PASSWORD, "203.0.113.6", staffs).status_code == 302
    staffs.post(reverse("logout"))
    assert attempt("expert", PASSWORD, "203.0.113.6", staffs).status_code == 429


def test_after_the_delay_the_owner_gets_in_from_an_address_never_locked(limits, expert, clock):
    limits.LOGIN_USERNAME_DELAY = 1
    spread_failures("expert", 20)
    attempt("expert", "wrong", "203.0.113.1")  # takes this second's slot
    # Throttled attempts from the owner's address count nowhere: more than axes' five.
    for _ in range(limits.AXES_FAILURE_LIMIT + 2):
        assert attempt("expert", PASSWORD, "192.0.2.7").status_code == 429
    clock.advance(0.9)
    assert attempt("expert", PASSWORD, "192.0.2.7").status_code == 429  # not yet
    clock.advance(0.1)
    assert attempt("expert", PASSWORD, "192.0.2.7").status_code == 302


def test_the_admin_login_is_slowed_too(limits, expert):
    spread_failures("expert", 21)
    response = Client().post(
        reverse("admin:login"),
        {"username": "expert", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.8",
    )
    assert THROTTLED in response.content.decode()


def test_failures_count_per_username_for_the_window(limits, expert, clock):
    limits.LOGIN_USERNAME_WINDOW = 1
    limits.LOGIN_USERNAME_FAILURE_LIMIT = 3
    spread_failures("expert", 3, per_address=1)
    assert login_throttle.failures("expert") == 3
    attempt("expert", "wrong", "203.0.113.1")
    assert attempt("expert", PASSWORD, "203.0.113.9").status_code == 429
    clock.advance(0.9)
    assert login_throttle.failures("expert") == 4  # still in the window
    clock.advance(0.1)  # the window is over: the count starts again
    assert login_throttle.failures("expert") == 0
    assert attempt("expert", PASSWORD, "203.0.113.9").status_code == 302


# --- The owner on a new device (#27): a one-time link by e-mail passes the throttle ----------


def link_in(message) -> str:
    import re

    return re.search(r"https?://\S+/accounts/login/device/(\S+)/", message.body).group(0)


def request_link(username, client=None):
    client = client or Client()
    return client.post(reverse("device_link_request"), {"username": username})


def test_the_owner_gets_in_from_a_new_browser_with_the_mailed_link(limits, expert, mailoutbox):
    """An attacker spends one wrong password a minute on the username: the owner, on a browser
    that never logged in, asks for the link, follows it in that browser, and logs in."""
    expert.email = "expert@example.cn"
    expert.save()
    spread_failures("expert", 21)  # the last one took this minute's slot
    new_browser = Client()
    assert attempt("expert", PASSWORD, "192.0.2.50", new_browser).status_code == 429
    assert request_link("expert", new_browser).status_code == 302
    [mail] = mailoutbox
    assert mail.to == ["expert@example.cn"] and "只能使用一次" in mail.body
    url = link_in(mail).split("://", 1)[1].partition("/")[2]
    page = new_browser.get("/" + url)  # a mail scanner's GET spends nothing
    assert page.status_code == 200 and "确认本浏览器" in page.content.decode()
    assert new_browser.post("/" + url).status_code == 302
    assert attempt("expert", PASSWORD, "192.0.2.50", new_browser).status_code == 302
    # The link served once: another browser that follows it gets nothing.
    other = Client()
    assert other.post("/" + url).status_code == 410
    assert attempt("expert", PASSWORD, "192.0.2.51", other).status_code == 429


def test_the_link_says_nothing_about_accounts_and_is_sent_sparingly(limits, expert, mailoutbox):
    expert.email = "expert@example.cn"
    expert.save()
    answers = {
        name: request_link(name, Client()).wsgi_request._messages._queued_messages[0].message
        for name in ("nobody-here", "staff", "expert")
    }
    assert len(set(answers.values())) == 1  # the same words whatever the username
    assert [m.to for m in mailoutbox] == [["expert@example.cn"]]
    request_link("expert")
    assert len(mailoutbox) == 1  # one link per username per interval


def test_a_link_stops_working_once_the_owner_logs_in_or_when_forged(limits, expert, mailoutbox):
    expert.email = "expert@example.cn"
    expert.save()
    request_link("expert")
    url = "/" + link_in(mailoutbox[0]).split("://", 1)[1].partition("/")[2]
    assert attempt("expert", PASSWORD, "192.0.2.60").status_code == 302  # the owner logged in
    assert Client().post(url).status_code == 410
    assert Client().post(url[:-3] + "xx/").status_code == 410
    assert Client().get("/accounts/login/device/x/").status_code == 410
