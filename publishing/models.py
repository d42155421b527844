"""Objections during the public notice period, notice documents, and publication events."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.models import Case, Round


class Objection(models.Model):
    """An objection (异议) anyone may file against a case while the draft list is shown."""

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        DISMISSED = "dismissed", _("不予采纳")
        UPHELD = "upheld", _("予以采纳")

    class Remedy(models.TextChoices):
        REOPEN_REVIEW = "reopen_review", _("退回专家评审")
        ADJUST_RESULT = "adjust_result", _("调整评选结果")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="objections")
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="objections", verbose_name=_("案例")
    )
    name = models.CharField(_("姓名或单位"), max_length=60)
    contact = models.CharField(_("联系方式"), max_length=100)
    grounds = models.TextField(_("异议理由"), max_length=3000)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    remedy = models.CharField(_("处理方式"), max_length=16, choices=Remedy.choices, blank=True)
    answer = models.TextField(_("处理意见"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("处理人"),
    )
    answered_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    # SHA-256 of the reference code the objector was shown once (publishing.objections): with
    # the code they read the answer; the code itself is stored nowhere.
    reference_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["round", "created_at", "id"]
        verbose_name = _("异议")
        verbose_name_plural = _("异议")

    def __str__(self):
        return f"{self.case} · {self.name}"

    @property
    def is_open(self):
        return self.status == self.Status.OPEN


def notice_document_path(instance, filename):
    return f"notices/{instance.round.year}/{filename}"


class NoticeDocument(models.Model):
    """The notice of a published round as a file (Word, PDF or text), built in the background."""

    class Format(models.TextChoices):
        DOCX = "docx", _("Word 文档")
        PDF = "pdf", _("PDF 文件")
        TXT = "txt", _("纯文本")

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="notice_documents")
    format = models.CharField(_("格式"), max_length=8, choices=Format.choices)
    file = models.FileField(_("文件"), upload_to=notice_document_path, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    error = models.TextField(_("错误信息"), blank=True)
    task_id = models.CharField(_("任务编号"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["round", "format"]
        verbose_name = _("通知文件")
        verbose_name_plural = _("通知文件")
        constraints = [
            models.UniqueConstraint(fields=["round", "format"], name="one_document_per_format")
        ]

    def __str__(self):
        return f"{self.round} · {self.format}"

    @property
    def is_done(self):
        return self.status == self.Status.DONE and bool(self.file)


class PublicationEvent(models.Model):
    """One row per publication step of a round: the audit trail of 公示, 公布 and 撤回."""

    class Kind(models.TextChoices):
        PUBLICITY_STARTED = "publicity_started", _("开始公示")
        PUBLICITY_ENDED = "publicity_ended", _("提前结束公示")
        PUBLISHED = "published", _("印发公布")
        UNPUBLISHED = "unpublished", _("撤回公布")
        REVIEW_REOPENED = "review_reopened", _("退回评审")
        RESULT_ADJUSTED = "result_adjusted", _("调整结果")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="publication_events")
    kind = models.CharField(_("事项"), max_length=20, choices=Kind.choices)
    from_status = models.CharField(_("原阶段"), max_length=16, choices=Round.Status.choices)
    to_status = models.CharField(_("新阶段"), max_length=16, choices=Round.Status.choices)
    reason = models.TextField(_("说明"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    case_count = models.PositiveIntegerField(_("案例数"), default=0)

    class Meta:
        ordering = ["round", "at", "id"]
        verbose_name = _("公布记录")
        verbose_name_plural = _("公布记录")

    def __str__(self):
        return f"{self.round} · {self.get_kind_display()}"
