"""Login throttling, CSRF, session expiry, inert HTML and the read-only audit trail."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from cases.models import Case
from tests.conftest import PASSWORD
from tests.factories import published_case, published_round

pytestmark = pytest.mark.django_db


def test_five_failed_logins_lock_the_account_from_that_address(client, officer_a, settings):
    url = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(url, {"username": "officer_a", "password": "wrong"})
        assert response.status_code == 200
    # The fifth failure locks; after it even the right password is refused.
    assert client.post(url, {"username": "officer_a", "password": "wrong"}).status_code == 429
    locked = client.post(url, {"username": "officer_a", "password": PASSWORD})
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # Another user from the same address is not locked out.
    other = make_other_user()
    assert client.post(url, {"username": other.username, "password": PASSWORD}).status_code == 302


def make_other_user():
    from tests.conftest import make_user

    return make_user("colleague", role="staff")


def test_a_good_login_resets_the_failure_count(client, officer_a, settings):
    url = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(url, {"username": "officer_a", "password": "wrong"})
    assert client.post(url, {"username": "officer_a", "password": PASSWORD}).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(url, {"username": "officer_a", "password": "wrong"})
    assert client.post(url, {"username": "officer_a", "password": PASSWORD}).status_code == 302


def test_posts_without_a_csrf_token_are_refused(officer_a):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "officer_a", "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_sessions_expire(client, staff, settings):
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    client.force_login(staff)
    assert client.get(reverse("accounts:audit")).status_code == 200
    session = client.session
    session.set_expiry(datetime.timedelta(seconds=-1))
    session.save()
    response = client.get(reverse("accounts:audit"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_html_in_case_text_is_rendered_inert(client, db):
    round_ = published_round(2022)
    case = published_case(
        round_,
        tier="优秀案例",
        rank=1,
        title="<img src=x onerror=alert(1)>标题",
        body='<script>alert("x")</script>正文',
    )
    html = client.get(case.get_absolute_url()).content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize(
    "who, expected", [("anonymous", 302), ("officer_a", 403), ("expert", 403), ("staff", 200)]
)
def test_only_staff_read_the_audit_trail(client, request, who, expected):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("accounts:audit")).status_code == expected


def test_the_audit_trail_shows_who_changed_what_and_offers_no_way_to_edit_it(client, staff):
    round_ = published_round(2022)
    case = published_case(round_, tier="优秀案例", rank=1, title="原标题")
    client.force_login(staff)
    # A change made through a request is attributed to its user (HistoryRequestMiddleware).
    case.title = "改后的标题"
    case._history_user = staff
    case.save()
    html = client.get(reverse("accounts:audit"), {"model": "cases.case"}).content.decode()
    assert "原标题" in html and "改后的标题" in html and "修改" in html
    assert str(staff) in html
    assert 'method="post"' not in html.split("<main", 1)[1].split("</main>", 1)[0]
    assert Case.history.filter(id=case.pk).count() == 2


def test_the_admin_offers_no_revert_of_history(settings):
    assert settings.SIMPLE_HISTORY_REVERT_DISABLED is True
