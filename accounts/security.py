"""The security audit (等保 2.0 安全审计): the one door that writes SecurityEvent rows.

``record`` writes one event with the time, the acting person, the account concerned, the
client's address (core.network: the address behind trusted proxies only) and the outcome.
Django's and axes' signals record logins, failures, logouts and lockouts; a pre/post-save
pair on the user model records accounts created, passwords changed and roles, districts or
admin flags changed, whoever changed them (a page, the admin, a command). The request of the
moment comes from simple_history's middleware (it keeps it for the history rows already).

Who may create powerful accounts is one rule here too (``check_account_change``): creating
or changing a staff, auditor or superuser account, or changing anyone's role or admin flags,
is a superuser's job when it happens in a request; commands run by the operator are not
requests.
"""

import getpass
import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from simple_history.models import HistoricalRecords

from core.network import client_address

from .audit import local_time
from .models import SecurityEvent, User

log = logging.getLogger(__name__)
Kind = SecurityEvent.Kind
Outcome = SecurityEvent.Outcome

# Fields whose change is audited; changing the first three is a superuser's job (staff may
# still correct an expert's district or deactivate an account: audited).
POWER_FIELDS = ("role", "is_staff", "is_superuser", "district_id", "is_active")
ROLE_FIELDS = POWER_FIELDS[:3]
POWERFUL_ROLES = (User.Role.STAFF, User.Role.AUDITOR)


def current_request():
    return getattr(HistoricalRecords.context, "request", None)


def _address(request):
    if request is None:
        return None
    return client_address(request) or None


def _person(user):
    if user is None or not getattr(user, "is_authenticated", False):
        return "", None
    return user.get_username(), user.pk


def record(kind, *, request=None, actor=None, subject="", outcome=Outcome.SUCCESS, detail=""):
    """Write one security event. ``actor`` defaults to the request's user; ``subject`` is the
    account concerned (a username)."""
    request = request if request is not None else current_request()
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    name, pk = _person(actor)
    return SecurityEvent.objects.create(
        kind=kind,
        outcome=outcome,
        actor=name,
        actor_id=pk,
        subject=subject or name,
        address=_address(request),
        detail=str(detail)[:500],
    )


def record_export(request, what):
    """An export that carries personal data: who, from where, which."""
    return record(Kind.EXPORT, request=request, detail=what)


def on_admin_export(sender, model, **kwargs):
    """Every export from the admin (django-import-export): users, votes with phones and
    addresses, cases with their contacts all carry personal data."""
    record(Kind.EXPORT, detail=f"管理后台导出：{model._meta.verbose_name}")


# --- Login, logout, lockout (connected in AccountsConfig.ready) -------------------------------


def previous_login(user):
    """The user's last successful login before this one, and the failed attempts on the
    account since then: what the page shows after a login (a stolen account is noticed)."""
    last = (
        SecurityEvent.objects.filter(kind=Kind.LOGIN, actor_id=user.pk)
        .order_by("-at", "-id")
        .first()
    )
    failures = SecurityEvent.objects.filter(kind=Kind.LOGIN_FAILED, subject=user.get_username())
    if last is not None:
        failures = failures.filter(at__gt=last.at)
    return last, failures.count()


def last_login_message(user):
    last, failures = previous_login(user)
    if last is None:
        text = "这是您的账号首次登录。"
    else:
        text = f"上次登录：{local_time(last.at)}，地址 {last.address or '未知'}。"
    if failures:
        text += f"此后有 {failures} 次登录失败的尝试；如非本人操作，请立即修改密码。"
    return text


def on_logged_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "_messages"):
        messages.info(request, last_login_message(user), extra_tags="last-login")
    record(Kind.LOGIN, request=request, actor=user, detail="口令验证通过")


def on_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    record(
        Kind.LOGIN_FAILED,
        request=request,
        actor=None if request is None else getattr(request, "user", None),
        subject=username,
        outcome=Outcome.FAILURE,
        detail="用户名或密码错误",
    )


def on_logged_out(sender, request, user, **kwargs):
    if user is not None:
        record(Kind.LOGOUT, request=request, actor=user)


def on_locked_out(sender, request, username, ip_address, **kwargs):
    record(
        Kind.LOCKOUT,
        request=request,
        subject=str(username or "")[:150],
        outcome=Outcome.FAILURE,
        detail="连续登录失败，账号在该地址被锁定",
    )


# --- Accounts: created, password, powers -------------------------------------------------------


def _changed_powers(old, new):
    return [name for name in POWER_FIELDS if getattr(old, name) != getattr(new, name)]


def _is_powerful(user):
    return user.role in POWERFUL_ROLES or user.is_staff or user.is_superuser


def check_account_change(actor, old, new):
    """Raise PermissionDenied when ``actor`` (a request's user) may not make this change:
    only a superuser creates or changes staff, auditor or superuser accounts and changes
    roles or admin flags. Staff still register experts (audited)."""
    if actor is None or not actor.is_authenticated or actor.is_superuser:
        return
    if old is None:
        if _is_powerful(new):
            raise PermissionDenied("只有超级管理员可以创建工作人员、审计员或管理员账号")
        return
    if any(getattr(old, name) != getattr(new, name) for name in ROLE_FIELDS):
        raise PermissionDenied("只有超级管理员可以变更账号的角色或权限")
    if _is_powerful(old) and actor.pk != new.pk:
        raise PermissionDenied("只有超级管理员可以修改工作人员、审计员或管理员的账号")


def on_user_pre_save(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    old = None
    if instance.pk is not None:
        old = sender.objects.filter(pk=instance.pk).first()
    request = current_request()
    actor = getattr(request, "user", None) if request is not None else None
    try:
        check_account_change(actor, old, instance)
    except PermissionDenied as refused:
        record(Kind.DENIED, subject=instance.username, outcome=Outcome.FAILURE, detail=refused)
        raise
    instance._security_before = old


def on_user_post_save(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    old = getattr(instance, "_security_before", None)
    instance._security_before = None
    subject = instance.get_username()
    if created:
        record(
            Kind.ACCOUNT_CREATED,
            subject=subject,
            detail=f"角色：{instance.get_role_display() or '无'}"
            + ("；管理员" if instance.is_superuser else "")
            + (f"；所属区：{instance.district}" if instance.district_id else ""),
        )
        return
    if old is None:
        return
    if old.password != instance.password:
        request = current_request()
        actor = getattr(request, "user", None) if request is not None else None
        own = actor is not None and getattr(actor, "pk", None) == instance.pk
        record(
            Kind.PASSWORD_CHANGED,
            subject=subject,
            detail="本人修改" if own else "由他人设置（下次登录须修改）",
        )
    changes = [_describe(name, old, instance) for name in _changed_powers(old, instance)]
    if changes:
        record(Kind.ROLE_CHANGED, subject=subject, detail="；".join(changes))


def _describe(name, old, new):
    field = User._meta.get_field(name.removesuffix("_id"))
    if name == "role":
        before, after = old.get_role_display() or "无", new.get_role_display() or "无"
    elif name == "district_id":
        before, after = str(old.district or "无"), str(new.district or "无")
    else:
        before, after = (("是" if getattr(u, name) else "否") for u in (old, new))
    return f"{field.verbose_name}：{before} → {after}"


def record_on_commit(kind, **kwargs):
    """Record after the surrounding transaction commits (or at once outside one)."""
    transaction.on_commit(lambda: record(kind, **kwargs))


# --- Backup and restore (signals of core.backup) ----------------------------------------------

KEEP = "security_events"


def _operator():
    """Who ran a command: the operating-system account (commands have no signed-in user)."""
    try:
        return f"系统用户 {getpass.getuser()}"
    except Exception:  # no name for this uid (a container): say so rather than fail the backup
        return "系统用户（未知）"


def on_backup_written(sender, target, manifest, **kwargs):
    record(Kind.BACKUP, detail=f"{_operator()} 备份到 {target}（{manifest['objects']} 条记录）")


def _event_key(row):
    # Not the time: a backup keeps it to the millisecond only (Django's JSON).
    return (row["id"], row["kind"], row["subject"], row["actor"], row["detail"])


def on_restore_starting(sender, source, manifest, keep, **kwargs):
    keep[KEEP] = list(SecurityEvent.objects.values().order_by("at", "id"))


def on_restore_finished(sender, source, manifest, keep, **kwargs):
    """The backup's data is in: put back the security events it does not hold (those after the
    backup was taken), so that a restore never erases the audit of what came after it."""
    restored = {_event_key(row) for row in SecurityEvent.objects.values()}
    missing = [row for row in keep.get(KEEP, []) if _event_key(row) not in restored]
    SecurityEvent.objects.bulk_create(
        SecurityEvent(**{k: v for k, v in row.items() if k != "id"}) for row in missing
    )
    record(
        Kind.RESTORE,
        detail=f"{_operator()} 从 {source} 恢复（备份于 {manifest.get('created', '未知')}）；"
        f"保留了备份之后的 {len(missing)} 条安全审计记录",
    )


def on_device_deleted(sender, instance, **kwargs):
    """An authenticator removed (a superuser in the admin, or a new enrolment replacing it)."""
    if getattr(instance, "confirmed", False) and sender.__name__ == "TOTPDevice":
        record(Kind.OTP_RESET, subject=instance.user.get_username(), detail="身份验证器已移除")
