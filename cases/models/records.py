"""What happened to a case: its state changes and the notifications sent for them."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .case import Case


class CaseTransition(models.Model):
    """One row per state change of a case: the audit trail and the trigger for notifications."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(_("原状态"), max_length=16, choices=Case.Status.choices)
    to_status = models.CharField(_("新状态"), max_length=16, choices=Case.Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    reason = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("状态变更")
        verbose_name_plural = _("状态变更")

    def __str__(self):
        return f"{self.case_id}: {self.from_status} → {self.to_status}"


class Notification(models.Model):
    """One row per notification sent, keyed so that a retried task never sends twice."""

    key = models.CharField(_("标识"), max_length=100, unique=True)
    subject = models.CharField(_("主题"), max_length=200)
    recipients = models.TextField(_("收件人"), blank=True)
    sent_at = models.DateTimeField(_("发送时间"), default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("通知记录")
        verbose_name_plural = _("通知记录")

    def __str__(self):
        return self.key


class ReturnRequest(models.Model):
    """A district asks the commission to return its submitted (locked) case for revision.

    Staff answer it by returning the case (``granted``, through cases.workflow, which closes
    the request) or by declining it with a reason the district reads (``declined``); a case
    that leaves the submitted state in any other way closes it (``closed``). One open request
    per case.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        GRANTED = "granted", _("已退回")
        DECLINED = "declined", _("未同意")
        CLOSED = "closed", _("已关闭")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="return_requests")
    reason = models.TextField(_("申请理由"), max_length=500)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("申请人"),
    )
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    status = models.CharField(
        _("处理结果"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("处理人"),
    )
    answered_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    answer = models.TextField(_("处理说明"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("退回申请")
        verbose_name_plural = _("退回申请")
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status="open"),
                name="one_open_return_request_per_case",
            )
        ]

    def __str__(self):
        return f"{self.case_id}: {self.get_status_display()}"
