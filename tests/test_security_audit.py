"""The security audit (accounts.security): what is recorded, that nothing changes or deletes a
record, who reads it, and that a restore keeps the audit of what came after the backup."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import SecurityEvent
from tests.conftest import PASSWORD, make_user
from tests.core.test_spreadsheet import admin_export

Kind = SecurityEvent.Kind


def login(client, username, password=PASSWORD, address="10.1.2.3"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def events(kind, **filters):
    return SecurityEvent.objects.filter(kind=kind, **filters)


def test_logins_failures_and_logouts_are_recorded_with_the_address(client, officer_a):
    login(client, "officer_a", password="not-this-one", address="10.9.8.7")
    failed = events(Kind.LOGIN_FAILED).get()
    assert (failed.subject, failed.address, failed.outcome) == ("officer_a", "10.9.8.7", "failure")
    login(client, "officer_a")
    ok = events(Kind.LOGIN).get()
    assert (ok.actor, ok.address, ok.outcome) == ("officer_a", "10.1.2.3", "success")
    client.post(reverse("logout"), REMOTE_ADDR="10.1.2.3")
    assert events(Kind.LOGOUT, actor="officer_a", address="10.1.2.3").exists()


def test_a_lockout_is_recorded(client, officer_a, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "officer_a", password="wrong")
    assert events(Kind.LOCKOUT, subject="officer_a").exists()


def test_password_changes_and_accounts_created_by_staff_are_recorded(client, staff, officer_a):
    client.force_login(officer_a)
    client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "晨光-Harbor-8823",
            "new_password2": "晨光-Harbor-8823",
        },
    )
    assert events(Kind.PASSWORD_CHANGED, subject="officer_a", detail="本人修改").exists()
    created = events(Kind.ACCOUNT_CREATED, subject="officer_a").get()
    assert "区级经办人" in created.detail and created.actor == ""  # made by a fixture, no request


def test_role_and_flag_changes_are_a_superusers_job_and_recorded(client, staff, officer_a):
    root = make_user("root", is_superuser=True, is_staff=True)
    client.force_login(staff)
    url = reverse("admin:accounts_user_change", args=[officer_a.pk])
    assert client.get(url).status_code == 403  # staff have no user admin
    # Nor any other way through a request: the rule is on the model's save.
    from simple_history.models import HistoricalRecords

    class Request:
        user = staff
        META = {"REMOTE_ADDR": "10.0.0.1"}

    HistoricalRecords.context.request = Request()
    try:
        officer_a.role = "staff"
        with pytest.raises(PermissionDenied):
            officer_a.save()
        assert events(Kind.DENIED, subject="officer_a", actor="staff").exists()
        Request.user = root
        officer_a.refresh_from_db()
        officer_a.is_staff = True
        officer_a.save()
    finally:
        del HistoricalRecords.context.request
    changed = events(Kind.ROLE_CHANGED, subject="officer_a").get()
    assert changed.actor == "root" and "否 → 是" in changed.detail


def test_no_record_is_changed_or_deleted_within_180_days(db):
    event = SecurityEvent.objects.create(kind=Kind.LOGIN, actor="x", subject="x")
    event.detail = "改过"
    with pytest.raises(PermissionDenied):
        event.save()
    with pytest.raises(PermissionDenied):
        SecurityEvent.objects.filter(pk=event.pk).update(detail="改过")
    with pytest.raises(PermissionDenied):
        event.delete()
    with pytest.raises(PermissionDenied):
        SecurityEvent.objects.all().delete()
    old = SecurityEvent.objects.create(
        kind=Kind.LOGIN, subject="old", at=timezone.now() - datetime.timedelta(days=181)
    )
    SecurityEvent.objects.filter(pk=old.pk).delete()  # past the retention: a clean-up may
    assert list(SecurityEvent.objects.values_list("pk", flat=True)) == [event.pk]


def test_the_admin_offers_no_security_record_to_anyone(client, db):
    root = make_user("root", is_superuser=True, is_staff=True)
    client.force_login(root)
    assert client.get("/admin/accounts/securityevent/").status_code == 404


def test_only_the_auditor_reads_the_security_audit_and_exports_it(client, staff, db):
    auditor = make_user("auditor", role="auditor")
    root = make_user("root", is_superuser=True, is_staff=True)
    SecurityEvent.objects.create(
        kind=Kind.LOGIN_FAILED, subject="=cmd()", address="10.0.0.9", outcome="failure"
    )
    for user in (staff, root):
        client.force_login(user)
        assert client.get(reverse("accounts:security_audit")).status_code == 403
        assert client.get(reverse("accounts:security_audit_export")).status_code == 403
    client.force_login(auditor)
    assert client.get(reverse("accounts:home")).url == reverse("accounts:security_audit")
    page = client.get(
        reverse("accounts:security_audit") + "?kind=login_failed&since=２０２０-01-01"
    )
    assert "10.0.0.9" in page.content.decode()
    # Nothing else: not the business history, not the staff pages.
    assert client.get(reverse("accounts:audit")).status_code == 403
    assert client.get(reverse("publishing:workspace")).status_code == 403
    response = client.get(reverse("accounts:security_audit_export"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][:3] == ("时间", "事件", "结果")
    assert ("登录失败", "失败") in {(r[1], r[2]) for r in rows[1:]}
    assert events(Kind.EXPORT, actor="auditor").exists()  # the export is itself recorded


def test_junk_filters_answer_with_a_message_not_an_error(client, db):
    client.force_login(make_user("auditor", role="auditor"))
    response = client.get(reverse("accounts:security_audit") + "?since=yesterday&kind=nope")
    assert response.status_code == 200 and "无效" in response.content.decode()


def test_backup_and_restore_are_recorded_and_restore_keeps_the_later_audit(tmp_path, db):
    SecurityEvent.objects.create(kind=Kind.LOGIN, subject="before")
    archive = tmp_path / "b.tar.gz"
    call_command("backup", "--output", str(archive))
    assert events(Kind.BACKUP).exists()
    SecurityEvent.objects.create(kind=Kind.LOGIN_FAILED, subject="after-the-backup")
    call_command("restore", str(archive), "--yes")
    subjects = set(SecurityEvent.objects.values_list("subject", flat=True))
    assert {"before", "after-the-backup"} <= subjects
    restored = events(Kind.RESTORE).get()
    assert "保留了备份之后的" in restored.detail
    assert SecurityEvent.objects.filter(subject="before").count() == 1


def test_exports_with_personal_data_are_recorded(client, staff, submission_round_for_export):
    client.force_login(staff)
    url = reverse("cases:staff_export", args=[submission_round_for_export.pk])
    assert client.get(url, REMOTE_ADDR="10.3.3.3").status_code == 200
    event = events(Kind.EXPORT, actor="staff").get()
    assert event.address == "10.3.3.3" and "联系人" in event.detail
    root = make_user("root", is_superuser=True, is_staff=True)
    client.force_login(root)
    admin_export(client, "accounts/user", "xlsx")
    assert events(Kind.EXPORT, actor="root", detail="管理后台导出：用户").exists()


@pytest.fixture
def submission_round_for_export(db):
    from cases.models import Round

    return Round.objects.create(year=2031, title="2031 年度", status=Round.Status.SUBMISSION)
