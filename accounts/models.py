"""Users and their roles, and the security audit. The public votes and reads without an
account."""

import datetime
import functools

import rules
from django.contrib.auth.models import AbstractUser, _user_has_perm
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# 网络安全法 第二十一条: network logs are kept at least six months. No clean-up may delete a
# security event younger than this, whatever a setting says (SecurityEvent.objects.delete).
SECURITY_RETENTION_DAYS = 180


class User(AbstractUser):
    class Role(models.TextChoices):
        OFFICER = "officer", _("区级经办人")
        EXPERT = "expert", _("评审专家")
        STAFF = "staff", _("市发改委工作人员")
        # Reads the security audit and nothing else (separation of administration and audit).
        AUDITOR = "auditor", _("审计员")

    role = models.CharField(_("角色"), max_length=16, choices=Role.choices, blank=True)
    # An officer files for this district; an expert never scores a case from it (回避).
    district = models.ForeignKey(
        "cases.District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("所属区"),
    )
    organisation = models.CharField(_("工作单位"), max_length=100, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    # Set when someone else (staff, the admin) sets this account's password; cleared when the
    # user changes it. Until then accounts.middleware sends every page to password_change.
    must_change_password = models.BooleanField(
        _("须修改密码"),
        default=False,
        help_text=_("由工作人员设置的密码：用户下次登录后须先修改密码。"),
    )
    # Made by demo_data: with a published password, exempt from the second factor only in the
    # embedded demo (never in production, accounts.two_factor.required).
    demo_account = models.BooleanField(_("演示账号"), default=False, editable=False)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        return self.get_full_name() or self.username

    def get_full_name(self):
        # Chinese names are written family name first, without a space.
        return f"{self.last_name}{self.first_name}".strip()

    @property
    def is_officer(self):
        return self.role == self.Role.OFFICER and self.district_id is not None

    @property
    def is_expert(self):
        return self.role == self.Role.EXPERT

    @property
    def is_commission_staff(self):
        return self.role == self.Role.STAFF or self.is_superuser

    @property
    def is_auditor(self):
        return self.role == self.Role.AUDITOR

    def has_perm(self, perm, obj=None):
        """A superuser administers (the admin site's model permissions) but does not act as a
        district's officer or an expert: the project's own permissions (``rules``), and any
        permission asked about an object, are judged by the rules as for everyone else. The
        rules count superusers as commission staff (is_commission_staff)."""
        if self.is_active and self.is_superuser and obj is None:
            if perm in _model_perms() or not rules.perm_exists(perm):
                return True
        return _user_has_perm(self, perm, obj)


@functools.cache
def _model_perms():
    """Django's model permissions ("app.change_model"), which the admin site asks about."""
    from django.apps import apps

    return {
        f"{model._meta.app_label}.{action}_{model._meta.model_name}"
        for model in apps.get_models()
        for action in model._meta.default_permissions
    }


class SecurityEventQuerySet(models.QuerySet):
    """Security events are evidence: never updated, deleted only past the retention period."""

    def update(self, **kwargs):
        raise PermissionDenied("安全审计记录不可修改")

    def delete(self):
        cutoff = timezone.now() - datetime.timedelta(days=SECURITY_RETENTION_DAYS)
        if self.filter(at__gt=cutoff).exists():
            raise PermissionDenied(
                f"安全审计记录至少保存 {SECURITY_RETENTION_DAYS} 天，不可删除未满期限的记录"
            )
        return super().delete()


class SecurityEvent(models.Model):
    """One security event (等保 2.0 安全审计): who, when, from where, what, with what outcome.

    Written by accounts.security only; no page, admin action or clean-up changes one, and none
    younger than SECURITY_RETENTION_DAYS is deleted. The account is kept by name and id, not
    by a foreign key, so that deleting a user leaves its events whole.
    """

    class Kind(models.TextChoices):
        LOGIN = "login", _("登录成功")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOGOUT = "logout", _("退出登录")
        LOCKOUT = "lockout", _("账号锁定")
        IDLE_TIMEOUT = "idle_timeout", _("空闲超时退出")
        PASSWORD_CHANGED = "password_changed", _("修改密码")
        OTP_ENROLLED = "otp_enrolled", _("启用双因素认证")
        OTP_VERIFIED = "otp_verified", _("双因素认证通过")
        OTP_FAILED = "otp_failed", _("双因素认证失败")
        OTP_RESET = "otp_reset", _("重置双因素认证")
        ACCOUNT_CREATED = "account_created", _("创建账号")
        ROLE_CHANGED = "role_changed", _("变更角色或权限")
        EXPORT = "export", _("导出个人信息")
        BACKUP = "backup", _("备份")
        RESTORE = "restore", _("恢复")
        DENIED = "denied", _("越权操作被拒绝")

    class Outcome(models.TextChoices):
        SUCCESS = "success", _("成功")
        FAILURE = "failure", _("失败")

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    kind = models.CharField(_("事件"), max_length=24, choices=Kind.choices, db_index=True)
    outcome = models.CharField(
        _("结果"), max_length=8, choices=Outcome.choices, default=Outcome.SUCCESS
    )
    # Who acted (empty: the system, a command) and whose account it concerns.
    actor = models.CharField(_("操作人"), max_length=150, blank=True)
    actor_id = models.BigIntegerField(_("操作人编号"), null=True, blank=True)
    subject = models.CharField(_("涉及账号"), max_length=150, blank=True, db_index=True)
    address = models.GenericIPAddressField(_("地址"), null=True, blank=True)
    detail = models.CharField(_("说明"), max_length=500, blank=True)

    objects = SecurityEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("安全审计记录")
        verbose_name_plural = _("安全审计记录")
        ordering = ["-at", "-id"]
        # Only the auditor reads these (accounts.rules); superusers hold no model permission.
        default_permissions = ()

    def __str__(self):
        return f"{self.get_kind_display()} {self.subject or self.actor}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionDenied("安全审计记录不可修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        type(self).objects.filter(pk=self.pk).delete()
