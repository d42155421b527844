"""Users and their roles. The public votes and reads without an account."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    class Role(models.TextChoices):
        OFFICER = "officer", _("区级经办人")
        EXPERT = "expert", _("评审专家")
        STAFF = "staff", _("市发改委工作人员")

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
