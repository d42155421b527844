"""A case and what belongs to it: key figures and attachments."""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .district import District, Topic
from .round import Round


class CaseQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Case.Status.PUBLISHED, round__status=Round.Status.PUBLISHED)

    def in_notice_order(self):
        """Tier by tier as the round lists them, then by rank, then as printed."""
        return self.order_by("round_id", "tier_order", "rank", "position", "id")


class Case(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已申报")
        RETURNED = "returned", _("退回修改")
        ACCEPTED = "accepted", _("已受理")
        REJECTED = "rejected", _("未受理")
        WITHDRAWN = "withdrawn", _("已撤回")
        PUBLISHED = "published", _("已公布")

    # States in which the district may still edit its case.
    EDITABLE_STATES = (Status.DRAFT, Status.RETURNED)
    # States that use up one of the district's places in a round (Round.max_cases_per_district):
    # a case counts from its submission until it is rejected or withdrawn. Drafts do not count,
    # so a district may prepare more drafts than it may submit and choose among them.
    QUOTA_STATES = (Status.SUBMITTED, Status.RETURNED, Status.ACCEPTED)

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="cases")
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("区"),
    )
    # Set when the district could not be read from the text with certainty: a person decides.
    district_needs_review = models.BooleanField(_("区待确认"), default=False)
    district_note = models.CharField(_("区识别说明"), max_length=200, blank=True)
    district_confirmed = models.BooleanField(
        _("区已人工确认"), default=False, help_text=_("人工指定的区在再次导入时保留。")
    )

    title = models.CharField(_("标题"), max_length=120)
    subtitle = models.CharField(_("副标题"), max_length=120, blank=True)
    topic = models.ForeignKey(
        Topic, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("领域")
    )
    topic_confirmed = models.BooleanField(
        _("领域已人工确认"), default=False, help_text=_("人工指定的领域不被关键词规则覆盖。")
    )
    summary = models.TextField(_("摘要"), max_length=300, blank=True)
    # The body as printed: a list of {"heading": str, "body": str}; heading "" for a lead
    # paragraph or a body without numbered sections.
    sections = models.JSONField(_("正文"), default=list, blank=True)
    # Plain text of title, subtitle and body, kept for full-text search.
    search_text = models.TextField(editable=False, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=32, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=32, blank=True)

    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    tier = models.CharField(_("档次"), max_length=32, blank=True)
    tier_order = models.PositiveSmallIntegerField(default=0, editable=False)
    rank = models.PositiveIntegerField(_("排名"), null=True, blank=True)
    score = models.DecimalField(_("得分"), max_digits=8, decimal_places=3, null=True, blank=True)
    position = models.PositiveIntegerField(_("序号"), default=0, help_text=_("在通知中的位置。"))
    # A fingerprint of the text as first imported from a notice: re-imports find the case by it.
    source_key = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    vote_count = models.PositiveIntegerField(_("有效票数"), default=0)
    shortlisted = models.BooleanField(_("入围专家评审"), default=False)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("创建人"),
    )
    submitted_at = models.DateTimeField(_("申报时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = CaseQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["search_text", "vote_count"])

    class Meta:
        ordering = ["round", "tier_order", "rank", "position", "id"]
        verbose_name = _("案例")
        verbose_name_plural = _("案例")
        indexes = [
            models.Index(fields=["round", "status"]),
            # Covers every column the archive filters and orders by, so that counting and
            # paging read this index only: on SQLite these columns sit behind the long texts
            # in each row, and reading them from the table walks the texts' overflow pages.
            models.Index(
                fields=[
                    "status",
                    "round",
                    "tier_order",
                    "rank",
                    "position",
                    "district",
                    "topic",
                    "tier",
                ],
                name="case_archive_order",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        text = self.build_search_text()
        # The search index's triggers rewrite a case's index rows whenever search_text is
        # written, changed or not: a save of some fields (publishing sets only the status)
        # writes it only when it changed.
        unchanged = "search_text" not in self.get_deferred_fields() and text == self.search_text
        self.search_text = text
        self.tier_order = self.compute_tier_order()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            derived = {"tier_order"} if unchanged else {"search_text", "tier_order"}
            kwargs["update_fields"] = set(update_fields) | derived
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("cases:detail", args=[self.pk])

    def build_search_text(self):
        """Title, subtitle and sections, lower-cased: search compares lower case with lower
        case, so PostgreSQL can use LIKE (byte matching) instead of ILIKE, which lower-cases
        every candidate's whole text on every search (2.6× slower, bench/bench_archive.py)."""
        parts = [self.title, self.subtitle]
        for section in self.sections or []:
            parts.append(section.get("heading", ""))
            parts.append(section.get("body", ""))
        return "\n".join(p for p in parts if p).lower()

    def compute_tier_order(self):
        if not self.tier or not self.round_id:
            return 0
        names = self.round.tier_names
        return names.index(self.tier) + 1 if self.tier in names else len(names) + 1

    @property
    def full_title(self):
        return f"{self.title}——{self.subtitle}" if self.subtitle else self.title

    @property
    def body_text(self):
        return "\n".join(
            "\n".join(p for p in (s.get("heading"), s.get("body")) if p) for s in self.sections
        )

    @property
    def is_editable_state(self):
        """A district may change its case only while it is a draft or returned for revision."""
        return self.status in Case.EDITABLE_STATES

    def missing_for_submission(self):
        """Labels of what a case still lacks before it can be submitted (empty when complete)."""
        missing = []
        for name in ("title", "topic", "summary", "contact_name", "contact_phone"):
            value = getattr(self, name + "_id" if name == "topic" else name)
            if not value or (isinstance(value, str) and not value.strip()):
                missing.append(str(self._meta.get_field(name).verbose_name))
        bodies = [s.get("body", "").strip() for s in self.sections or [] if s.get("heading")]
        if not bodies or not all(bodies):
            missing.append(str(_("正文各部分")))
        return missing

    def latest_transition(self, to=None):
        transitions = self.transitions.order_by("-at", "-id")
        if to:
            transitions = transitions.filter(to_status=to)
        return transitions.first()


class KeyFigure(models.Model):
    """A headline figure of a case, e.g. 年均办件量 83.97 万件."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="key_figures")
    indicator = models.CharField(_("指标"), max_length=60)
    value = models.CharField(_("数值"), max_length=30)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("关键数据")
        verbose_name_plural = _("关键数据")

    def __str__(self):
        return f"{self.indicator} {self.value}{self.unit}"


# The attachments accepted: detected extension → MIME type (cases.submission.attachments reads
# the type from the content and refuses any other). Old .doc files are OLE containers.
ATTACHMENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
    "jpg": "image/jpeg",
    "png": "image/png",
}
EXTENSION_OF = {mime: extension for extension, mime in ATTACHMENT_TYPES.items()}


def stored_extension(content_type: str) -> str:
    return EXTENSION_OF.get(content_type, "bin")


def attachment_path(instance, filename):
    # A random name under the extension of the type found in the content (content_type, set
    # by cases.submission.attachments.store), never the uploader's: the original name is kept
    # in the row. MEDIA_ROOT is never served; downloads go through the checked view.
    extension = stored_extension(instance.content_type)
    return f"attachments/{instance.case.round_id}/{instance.case_id}/{uuid.uuid4().hex}.{extension}"


class Attachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("文件"), upload_to=attachment_path)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self):
        return self.original_name
