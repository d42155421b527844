"""Passwords (issue #15): Django's validators wherever a password is set, the standard change
views, and a password someone else set is changed at the first login."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from cases.demo import DEMO_PASSWORD, ensure_accounts
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db
User = get_user_model()
STRONG = "青松-Ridge-4471"


def expert_data(**overrides):
    return {
        "username": "expert_li",
        "last_name": "李",
        "first_name": "教授",
        "organisation": "同济大学",
        "district": "",
        "phone": "",
        "email": "li@example.cn",
        "password": STRONG,
        **overrides,
    }


def login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


@pytest.fixture
def superuser(db):
    return make_user("root", role="staff", is_staff=True, is_superuser=True)


# --- Validators wherever a password is set ----------------------------------------------------


@pytest.mark.parametrize(
    "weak",
    ["12345678", "password", "short1", "expert_li1", "li@example.cn"],
)
def test_staff_cannot_give_an_expert_a_weak_password(client, staff, weak):
    client.force_login(staff)
    response = client.post(reverse("reviews:experts"), expert_data(password=weak))
    assert response.status_code == 200
    assert response.context["form"].errors["password"]
    assert not User.objects.filter(username="expert_li").exists()


def test_an_expert_registered_by_staff_gets_a_valid_password_to_change(client, staff):
    client.force_login(staff)
    response = client.post(reverse("reviews:experts"), expert_data())
    assert response.status_code == 302
    expert = User.objects.get(username="expert_li")
    assert expert.role == User.Role.EXPERT
    assert expert.check_password(STRONG)
    assert expert.must_change_password


def test_the_admin_add_form_refuses_a_weak_password_and_marks_a_good_one(client, superuser):
    client.force_login(superuser)
    url = reverse("admin:accounts_user_add")
    weak = {"username": "newbie", "usable_password": "true"}
    weak |= {"password1": "12345678", "password2": "12345678"}
    response = client.post(url, weak)
    assert response.status_code == 200
    assert not User.objects.filter(username="newbie").exists()
    good = {**weak, "password1": STRONG, "password2": STRONG}
    assert client.post(url, good).status_code == 302
    assert User.objects.get(username="newbie").must_change_password


def test_a_password_set_in_the_admin_must_be_changed_unless_it_is_ones_own(
    client, superuser, officer_a
):
    client.force_login(superuser)
    data = {"password1": "12345678", "password2": "12345678", "usable_password": "true"}
    url = reverse("admin:auth_user_password_change", args=[officer_a.pk])
    assert client.post(url, data).status_code == 200  # refused: entirely numeric, common
    officer_a.refresh_from_db()
    assert officer_a.check_password(PASSWORD) and not officer_a.must_change_password

    data = {**data, "password1": STRONG, "password2": STRONG}
    assert client.post(url, data).status_code == 302
    officer_a.refresh_from_db()
    assert officer_a.check_password(STRONG) and officer_a.must_change_password

    own = reverse("admin:auth_user_password_change", args=[superuser.pk])
    assert client.post(own, data).status_code == 302
    superuser.refresh_from_db()
    assert superuser.check_password(STRONG) and not superuser.must_change_password


# --- Every account changes its own password -------------------------------------------------


def test_every_account_changes_its_password_through_the_menu(client, officer_a):
    client.force_login(officer_a)
    page = client.get(reverse("cases:archive")).content.decode()
    assert reverse("password_change") in page
    form = client.get(reverse("password_change"))
    assert form.status_code == 200
    assert "修改密码" in form.content.decode()
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": STRONG, "new_password2": STRONG},
    )
    assert response.status_code == 302 and response.url == reverse("password_change_done")
    # The confirmation comes as a message on the user's own start page.
    assert "密码已修改" in client.get(response.url, follow=True).content.decode()
    officer_a.refresh_from_db()
    assert officer_a.check_password(STRONG)


@pytest.mark.parametrize(
    "new, error",
    [("12345678", "new_password2"), (PASSWORD, "new_password1"), ("officer_a1", "new_password2")],
)
def test_a_new_password_passes_the_validators_and_differs_from_the_old(
    client, officer_a, new, error
):
    client.force_login(officer_a)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 200
    assert response.context["form"].errors[error]
    officer_a.refresh_from_db()
    assert officer_a.check_password(PASSWORD)


def test_the_password_pages_need_a_login(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


# --- A password someone else set is changed first ------------------------------------------


def test_an_expert_changes_the_password_staff_gave_before_anything_else(client, staff):
    staff_client = Client()
    staff_client.force_login(staff)
    staff_client.post(reverse("reviews:experts"), expert_data())

    response = login(client, "expert_li", STRONG)
    assert response.status_code == 302
    # Wherever they go (their home, the expert pages, the admin), the change comes first.
    for url in (response.url, reverse("reviews:expert_home"), "/cases/archive/", "/admin/"):
        followed = client.get(url)
        assert followed.status_code == 302, url
        assert followed.url == reverse("password_change"), url
    page = client.get(reverse("password_change")).content.decode()
    assert "您的密码由工作人员设置" in page

    mine = "晨光-Harbor-8823"
    done = client.post(
        reverse("password_change"),
        {"old_password": STRONG, "new_password1": mine, "new_password2": mine},
    )
    assert done.url == reverse("password_change_done")
    expert = User.objects.get(username="expert_li")
    assert not expert.must_change_password and expert.check_password(mine)
    assert client.get(reverse("reviews:expert_home")).status_code == 200


def test_a_marked_account_may_still_log_out(client, officer_a):
    officer_a.must_change_password = True
    officer_a.save()
    client.force_login(officer_a)
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_demo_accounts_keep_their_known_password_without_the_forced_change(client):
    ensure_accounts()
    for user in User.objects.filter(username__in=["staff", "expert_zhao", "officer_pudong"]):
        assert user.check_password(DEMO_PASSWORD)
        assert not user.must_change_password
    response = login(client, "expert_zhao", DEMO_PASSWORD)
    assert client.get(response.url, follow=True).status_code == 200
    assert client.get(reverse("reviews:expert_home")).status_code == 200
