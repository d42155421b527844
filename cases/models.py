"""Rounds, districts and cases: what a year's selection is made of."""

import uuid
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class District(models.Model):
    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=16, unique=True)
    short_name = models.CharField(_("简称"), max_length=8)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["order"]
        verbose_name = _("区")
        verbose_name_plural = _("区")

    def __str__(self):
        return self.name


class Topic(models.Model):
    """A topic area a case belongs to (政务服务, 市场准入 …), maintained by staff."""

    name = models.CharField(_("名称"), max_length=32, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("领域")
        verbose_name_plural = _("领域")

    def __str__(self):
        return self.name


def default_criteria():
    return [
        {"key": "leading", "label": "引领性强", "max": 40, "weight": 1},
        {"key": "felt", "label": "感受度高", "max": 30, "weight": 1},
        {"key": "replicable", "label": "可复制推广", "max": 30, "weight": 1},
    ]


def default_tiers():
    return [{"name": "优秀案例", "size": 10}, {"name": "良好实践", "size": 10}]


class Round(models.Model):
    """One year's selection. Criteria, tiers and their sizes are settings of the round."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("筹备中")
        SUBMISSION = "submission", _("申报中")
        VOTING = "voting", _("网络投票")
        REVIEW = "review", _("专家评审")
        APPROVED = "approved", _("结果已审定")
        PUBLICITY = "publicity", _("公示中")
        PUBLISHED = "published", _("已公布")

    class Normalize(models.TextChoices):
        NONE = "none", _("不标准化")
        ZSCORE = "zscore", _("按专家标准化 (z 分数)")

    year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    title = models.CharField(_("名称"), max_length=120)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    criteria = models.JSONField(
        _("评分标准"),
        default=default_criteria,
        help_text=_("列表，每项包含 key、label、max，可选 weight（默认 1）。"),
    )
    tiers = models.JSONField(
        _("奖项档次"), default=default_tiers, help_text=_("列表，每项包含 name 与 size。")
    )
    shortlist_size = models.PositiveIntegerField(
        _("入围数量"),
        null=True,
        blank=True,
        help_text=_("网络投票后进入专家评审的案例数；留空则不按投票筛选。"),
    )
    trim = models.PositiveSmallIntegerField(
        _("去掉最高/最低分个数"), default=1, help_text=_("计算平均分前各去掉的最高分和最低分个数。")
    )
    vote_weight = models.DecimalField(
        _("投票得分权重"), max_digits=4, decimal_places=3, default=Decimal("0")
    )
    normalize = models.CharField(
        _("分数标准化"), max_length=8, choices=Normalize.choices, default=Normalize.NONE
    )
    precision = models.PositiveSmallIntegerField(_("得分小数位"), default=2)
    max_cases_per_district = models.PositiveSmallIntegerField(_("每区申报上限"), default=3)
    votes_per_voter = models.PositiveSmallIntegerField(_("每人可投票数"), default=10)
    show_vote_counts = models.BooleanField(_("投票期间公开票数"), default=False)
    publicity_days = models.PositiveSmallIntegerField(_("公示期（工作日）"), default=5)

    submission_opens = models.DateTimeField(_("申报开始"), null=True, blank=True)
    submission_closes = models.DateTimeField(_("申报截止"), null=True, blank=True)
    vote_opens = models.DateTimeField(_("投票开始"), null=True, blank=True)
    vote_closes = models.DateTimeField(_("投票截止"), null=True, blank=True)
    review_opens = models.DateTimeField(_("评审开始"), null=True, blank=True)
    review_closes = models.DateTimeField(_("评审截止"), null=True, blank=True)
    publicity_starts = models.DateTimeField(_("公示开始"), null=True, blank=True)
    publicity_ends = models.DateTimeField(_("公示结束"), null=True, blank=True)

    notice_title = models.CharField(_("通知标题"), max_length=200, blank=True)
    notice_addressee = models.CharField(_("主送"), max_length=200, blank=True)
    notice_preamble = models.TextField(_("通知正文"), blank=True)
    notice_attachment = models.CharField(_("附件名称"), max_length=200, blank=True)
    notice_signature = models.CharField(
        _("落款"), max_length=100, blank=True, default="上海市发展和改革委员会"
    )
    notice_date = models.DateField(_("印发日期"), null=True, blank=True)
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "-id"]
        verbose_name = _("年度评选")
        verbose_name_plural = _("年度评选")

    def __str__(self):
        return self.title or f"{self.year}"

    def get_absolute_url(self):
        return reverse("cases:round", args=[self.pk])

    def clean(self):
        errors = {}
        try:
            validate_criteria(self.criteria)
        except ValidationError as exc:
            errors["criteria"] = exc.messages
        try:
            validate_tiers(self.tiers)
        except ValidationError as exc:
            errors["tiers"] = exc.messages
        if not (Decimal("0") <= (self.vote_weight or Decimal("0")) <= Decimal("1")):
            errors["vote_weight"] = [_("投票得分权重须在 0 到 1 之间。")]
        for opens, closes in (
            ("submission_opens", "submission_closes"),
            ("vote_opens", "vote_closes"),
            ("review_opens", "review_closes"),
        ):
            a, b = getattr(self, opens), getattr(self, closes)
            if a and b and b <= a:
                errors[closes] = [_("截止时间须晚于开始时间。")]
        if errors:
            raise ValidationError(errors)

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    @property
    def tier_names(self):
        return [tier["name"] for tier in self.tiers]

    @property
    def criteria_words(self):
        return "、".join(c["label"] for c in self.criteria)

    def window_open(self, phase, now=None):
        """Whether the server-side window of a phase ('submission', 'vote', 'review') is open."""
        now = now or timezone.now()
        opens, closes = getattr(self, f"{phase}_opens"), getattr(self, f"{phase}_closes")
        return (opens is None or opens <= now) and (closes is None or now < closes)


def validate_criteria(criteria):
    if not isinstance(criteria, list) or not criteria:
        raise ValidationError(_("评分标准须为非空列表。"))
    keys = set()
    for item in criteria:
        if not isinstance(item, dict) or not {"key", "label", "max"} <= item.keys():
            raise ValidationError(_("每项评分标准须包含 key、label 和 max。"))
        if item["key"] in keys:
            raise ValidationError(_("评分标准的 key 不能重复。"))
        keys.add(item["key"])
        try:
            if Decimal(str(item["max"])) <= 0 or Decimal(str(item.get("weight", 1))) < 0:
                raise ValidationError(_("满分须大于 0，权重不能为负。"))
        except ArithmeticError:
            raise ValidationError(_("满分和权重须为数字。")) from None


def validate_tiers(tiers):
    if not isinstance(tiers, list) or not tiers:
        raise ValidationError(_("奖项档次须为非空列表。"))
    names = set()
    for item in tiers:
        if not isinstance(item, dict) or not item.get("name") or "size" not in item:
            raise ValidationError(_("每个档次须包含 name 和 size。"))
        if item["name"] in names:
            raise ValidationError(_("档次名称不能重复。"))
        names.add(item["name"])
        if not isinstance(item["size"], int) or item["size"] < 1:
            raise ValidationError(_("档次数量须为正整数。"))


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
        self.search_text = self.build_search_text()
        self.tier_order = self.compute_tier_order()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = set(update_fields) | {"search_text", "tier_order"}
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

    # State changes: each only calls the one door, cases.workflow.set_case_status.
    def submit(self, *, user):
        from .workflow import submit

        return submit(case=self, user=user)

    def return_for_revision(self, *, user, reason):
        from .workflow import return_for_revision

        return return_for_revision(case=self, user=user, reason=reason)

    def accept(self, *, user, reason=""):
        from .workflow import accept

        return accept(case=self, user=user, reason=reason)

    def reject(self, *, user, reason):
        from .workflow import reject

        return reject(case=self, user=user, reason=reason)

    def withdraw(self, *, user, reason=""):
        from .workflow import withdraw

        return withdraw(case=self, user=user, reason=reason)

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


def attachment_path(instance, filename):
    # A random name: the original name is kept in the row, and a stored name that cannot be
    # guessed keeps unpublished files private even where MEDIA_URL is served.
    suffix = Path(filename).suffix.lower()[:10]
    return f"attachments/{instance.case.round_id}/{instance.case_id}/{uuid.uuid4().hex}{suffix}"


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
