"""A round: one year's selection, with its criteria, tiers, quotas and windows."""

from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


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

    class Kind(models.TextChoices):
        RANKED = "ranked", _("分档次排名")
        # A list without tiers or ranks (2021): every case is 入选, grouped by district.
        COMPILATION = "compilation", _("汇编（不分档次、不排名）")

    year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    title = models.CharField(_("名称"), max_length=120)
    kind = models.CharField(_("名单形式"), max_length=16, choices=Kind.choices, default=Kind.RANKED)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    criteria = models.JSONField(
        _("评分标准"),
        default=default_criteria,
        help_text=_("列表，每项包含 key、label、max，可选 weight（默认 1）。"),
    )
    tiers = models.JSONField(
        _("奖项档次"),
        default=default_tiers,
        blank=True,
        help_text=_("列表，每项包含 name 与 size；汇编为空列表。"),
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

    class VoteCounts(models.TextChoices):
        HIDDEN = "hidden", _("投票期间不公开")
        LIVE = "live", _("实时公开")
        DAILY = "daily", _("每日定时公布")

    vote_count_mode = models.CharField(
        _("票数公开方式"), max_length=8, choices=VoteCounts.choices, default=VoteCounts.HIDDEN
    )
    vote_count_time = models.TimeField(
        _("每日公布时间"),
        null=True,
        blank=True,
        help_text=_("选择“每日定时公布”时必填，北京时间。"),
    )
    publicity_days = models.PositiveSmallIntegerField(_("公示期（工作日）"), default=5)
    # When an expert or a case stands out on the results page (reviews.panel); points are out of
    # 100 (of full marks).
    flag_correlation = models.DecimalField(
        _("提示：专家排序相关系数低于"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.3"),
        validators=[MinValueValidator(Decimal(-1)), MaxValueValidator(Decimal(1))],
    )
    flag_offset = models.DecimalField(
        _("提示：专家平均偏差（百分制）绝对值高于"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(15),
        validators=[MinValueValidator(Decimal(0))],
    )
    flag_spread = models.DecimalField(
        _("提示：案例评分离散度（百分制）高于"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(15),
        validators=[MinValueValidator(Decimal(0))],
    )
    feedback_to_districts = models.BooleanField(
        _("公布后向各区反馈评审情况"),
        default=False,
        help_text=_(
            "开启后，结果公布时各区经办人可看到本区案例的得票、得分、排名、各评分项平均分"
            "和专家给区里的意见（不显示专家姓名和单个专家的评分）。"
        ),
    )

    submission_opens = models.DateTimeField(_("申报开始"), null=True, blank=True)
    submission_closes = models.DateTimeField(_("申报截止"), null=True, blank=True)
    vote_opens = models.DateTimeField(_("投票开始"), null=True, blank=True)
    vote_closes = models.DateTimeField(_("投票截止"), null=True, blank=True)
    review_opens = models.DateTimeField(_("评审开始"), null=True, blank=True)
    review_closes = models.DateTimeField(_("评审截止"), null=True, blank=True)
    publicity_starts = models.DateTimeField(_("公示开始"), null=True, blank=True)
    publicity_ends = models.DateTimeField(_("公示结束"), null=True, blank=True)
    # Printed on the public 公示 page: where objections go besides the page's own form.
    objection_contact = models.TextField(
        _("异议受理联系方式"),
        blank=True,
        help_text=_("公示页上写明的受理部门、电话、电子邮箱或地址，每行一项。"),
    )

    notice_title = models.CharField(_("通知标题"), max_length=200, blank=True)
    document_number = models.CharField(
        _("发文字号"), max_length=60, blank=True, help_text=_("例如：沪发改营商〔2022〕12号")
    )
    red_header = models.BooleanField(
        _("红头版式"),
        default=False,
        help_text=_("开启后，通知文件印有红色版头（发文机关标志、发文字号和红色分隔线）。"),
    )
    notice_addressee = models.CharField(_("主送"), max_length=200, blank=True)
    notice_preamble = models.TextField(_("通知正文"), blank=True)
    notice_attachment = models.CharField(_("附件名称"), max_length=200, blank=True)
    notice_signature = models.CharField(
        _("落款"), max_length=100, blank=True, default="上海市发展和改革委员会"
    )
    notice_date = models.DateField(_("印发日期"), null=True, blank=True)
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    # What a notice imported with --allow-partial lacked (its count, a tier, its 目录).
    import_shortfall = models.TextField(_("导入缺漏"), blank=True)

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
            if self.is_compilation:
                if self.tiers:
                    raise ValidationError(_("汇编不分档次，奖项档次须为空。"))
            else:
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
    def is_compilation(self):
        return self.kind == self.Kind.COMPILATION

    @property
    def tier_names(self):
        return [tier["name"] for tier in self.tiers]

    @property
    def criteria_words(self):
        return "、".join(c["label"] for c in self.criteria)

    @property
    def phase_label(self):
        """The round's phase as every page and message names it: the phase, or the step within
        it that waits for staff (评审已结束，待审定 once the review is closed, 公示期已结束，待公布
        once the 公示 is over, a window that has closed). The one function for it: no page
        shows ``get_status_display`` for a round."""
        now = timezone.now()
        S = self.Status
        if self.status == S.REVIEW:
            # RoundSelection (reviews) records the review's close; read through its reverse
            # accessor, None before the selection has a row.
            selection = getattr(self, "selection", None)
            if selection is not None and selection.review_closed_at is not None:
                return _("评审已结束，待审定")
            if self.review_closes is not None and self.review_closes <= now:
                return _("评审已截止，待结束评审")
        elif self.status == S.PUBLICITY:
            if self.publicity_ends is not None and self.publicity_ends <= now:
                return _("公示期已结束，待公布")
        elif self.status == S.VOTING:
            if self.vote_closes is not None and self.vote_closes <= now:
                return _("网络投票已截止")
        elif self.status == S.SUBMISSION:
            if self.submission_closes is not None and self.submission_closes <= now:
                return _("申报已截止")
        return self.get_status_display()

    @property
    def publicity_last_day(self):
        """The one stated last day of the 公示, shown alike on every page, in the notice text, the
        records and the exports: ``publicity_ends`` is the exclusive instant after it (midnight
        after the last working day), so the day before that instant; a 公示 ended early ends at
        that moment, so it states the day it ended. None before the 公示."""
        if self.publicity_ends is None:
            return None
        return (timezone.localtime(self.publicity_ends) - timedelta(microseconds=1)).date()

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
