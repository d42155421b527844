"""Two-factor login for staff (accounts.two_factor), the idle timeout, the last login shown."""

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.middleware import ACTIVITY_KEY
from accounts.models import SecurityEvent
from core.deployment import unsafe_settings
from tests.conftest import PASSWORD, make_user, pass_second_factor, totp_code

Kind = SecurityEvent.Kind


def login(client, username, password=PASSWORD, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def test_staff_enrol_at_the_first_login_with_a_qr_code_and_get_backup_codes(
    client, staff, settings
):
    # django-otp makes a device wait 2^n seconds after n failures; off here, to type the
    # right code right after a wrong one.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    response = login(client, "staff")
    assert response.status_code == 302
    # Every page sends them to the second factor until it is passed.
    page = client.get(reverse("publishing:workspace"))
    assert page.url.startswith(reverse("two_factor"))
    setup = client.get(reverse("two_factor"))
    html = setup.content.decode()
    assert "data:image/svg+xml" in html and "启用双因素认证" in html
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    wrong = client.post(reverse("two_factor"), {"token": "000000"})
    assert "验证码不正确" in wrong.content.decode()
    done = client.post(reverse("two_factor"), {"token": totp_code(device)})
    codes = done.context["codes"]
    assert len(codes) == 10
    assert client.get(reverse("publishing:workspace")).status_code == 200
    kinds = list(SecurityEvent.objects.filter(subject="staff").values_list("kind", flat=True))
    assert {Kind.LOGIN, Kind.OTP_FAILED, Kind.OTP_ENROLLED} <= set(kinds)


def test_a_backup_code_lets_staff_in_once(client, staff):
    login(client, "staff")
    pass_second_factor(client, staff)
    client.post(reverse("logout"))
    from accounts.two_factor import new_backup_codes

    code = new_backup_codes(staff)[0]
    login(client, "staff")
    # Typed with full-width digits and a space, as a phone keyboard may give it.
    typed = " ".join(code).translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    response = client.post(reverse("two_factor"), {"token": typed}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("publishing:workspace")
    client.post(reverse("logout"))
    login(client, "staff")
    again = client.post(reverse("two_factor"), {"token": code})
    assert "验证码不正确或已使用过" in again.content.decode()
    assert SecurityEvent.objects.filter(kind=Kind.OTP_FAILED, subject="staff").exists()


def test_officers_and_experts_need_no_second_factor_unless_the_setting_asks(
    client, officer_a, expert, settings
):
    login(client, "officer_a")
    assert client.get(reverse("cases:my_cases")).status_code == 200
    client.post(reverse("logout"))
    settings.TWO_FACTOR_ROLES = ["staff", "auditor", "expert"]
    login(client, "expert")
    assert client.get(reverse("reviews:expert_home")).url.startswith(reverse("two_factor"))


def test_demo_accounts_are_exempt_only_outside_production(client, staff, settings):
    staff.demo_account = True
    staff.save()
    login(client, "staff")
    assert client.get(reverse("publishing:workspace")).status_code == 200
    settings.PRODUCTION = True
    assert client.get(reverse("publishing:workspace")).url.startswith(reverse("two_factor"))


def test_production_refuses_settings_that_let_staff_in_without_a_second_factor(settings):
    settings.PRODUCTION = True
    settings.TWO_FACTOR_ROLES = ["auditor"]
    assert "core.E006" in {check_id for check_id, _ in unsafe_settings()}
    settings.TWO_FACTOR_ROLES = ["staff", "auditor"]
    assert "core.E006" not in {check_id for check_id, _ in unsafe_settings()}
    settings.SESSION_IDLE_MINUTES = 0
    assert "core.E007" in {check_id for check_id, _ in unsafe_settings()}


def test_demo_data_refuses_production_even_with_force(settings, db):
    settings.PRODUCTION = True
    for args in ([], ["--force"]):
        with pytest.raises(CommandError, match="生产模式下不载入演示数据"):
            call_command("demo_data", *args)


def test_a_superuser_is_asked_whatever_the_role(client, db):
    root = make_user("root", is_superuser=True, is_staff=True)
    login(client, "root")
    assert client.get(reverse("accounts:home")).url.startswith(reverse("two_factor"))
    pass_second_factor(client, root)
    assert client.get("/admin/").status_code == 200


# --- Idle timeout ------------------------------------------------------------------------------


def _idle(client, minutes):
    session = client.session
    session[ACTIVITY_KEY] -= minutes * 60
    session.save()


def test_an_idle_session_ends_and_the_next_page_asks_to_log_in(client, officer_a, settings):
    settings.SESSION_IDLE_MINUTES = 30
    login(client, "officer_a")
    assert client.get(reverse("cases:my_cases")).status_code == 200
    _idle(client, 29)
    assert client.get(reverse("cases:my_cases")).status_code == 200  # not yet
    _idle(client, 31)
    response = client.get(reverse("cases:my_cases"))
    assert response.url.startswith(reverse("login") + "?next=")
    assert client.get(reverse("cases:my_cases")).url.startswith(reverse("login"))
    assert SecurityEvent.objects.filter(kind=Kind.IDLE_TIMEOUT, subject="officer_a").exists()


def test_activity_is_stamped_at_most_once_a_minute(client, officer_a):
    login(client, "officer_a")
    client.get(reverse("cases:my_cases"))
    first = client.session[ACTIVITY_KEY]
    client.get(reverse("cases:my_cases"))
    assert client.session[ACTIVITY_KEY] == first  # within the minute: no session write
    _idle(client, 2)
    client.get(reverse("cases:my_cases"))
    assert client.session[ACTIVITY_KEY] > first - 120


def test_the_public_and_voters_carry_no_activity_stamp(client, db):
    client.get(reverse("home"))
    client.get(reverse("vote:index"))
    assert ACTIVITY_KEY not in client.session


# --- The last login shown ----------------------------------------------------------------------


def test_after_login_the_previous_login_time_and_address_and_failures_are_shown(client, officer_a):
    login(client, "officer_a", REMOTE_ADDR="10.0.0.7")
    first = client.get(reverse("cases:my_cases")).content.decode()
    assert "首次登录" in first
    client.post(reverse("logout"))
    login(client, "officer_a", password="wrong-one", REMOTE_ADDR="10.9.9.9")
    response = login(client, "officer_a", REMOTE_ADDR="10.0.0.8", follow=True)
    html = response.content.decode()
    previous = SecurityEvent.objects.filter(kind=Kind.LOGIN).order_by("at").first()
    stamp = previous.at.astimezone(datetime.timezone(datetime.timedelta(hours=8)))
    assert f"上次登录：{stamp:%Y-%m-%d %H:%M:%S}，地址 10.0.0.7" in html
    assert "此后有 1 次登录失败的尝试" in html


def test_a_removed_authenticator_is_recorded_and_the_user_enrols_again(client, staff):
    login(client, "staff")
    pass_second_factor(client, staff)
    TOTPDevice.objects.filter(user=staff).delete()
    assert SecurityEvent.objects.filter(kind=Kind.OTP_RESET, subject="staff").exists()
    client.post(reverse("logout"))
    login(client, "staff")
    assert "启用双因素认证" in client.get(reverse("two_factor")).content.decode()
