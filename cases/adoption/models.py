"""An adoption (借鉴) record: district X took up the published practice of case S.

The rules a record must keep are in ``Adoption.clean`` (one place, used by the forms and by
any code that saves records): the source is published and not the district's own practice,
``since`` is not before the source's publication, and the district's own later case, when
linked, is the district's own and not rejected.
"""

import datetime
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.models.case import Case
from cases.models.district import District

DESCRIPTION_MAX = 1000


def normalise_text(text) -> str:
    """Typed text as stored and counted: NFKC (widths, Unicode digits, odd spaces), line ends
    unified, trailing spaces dropped, outer blank lines trimmed."""
    text = unicodedata.normalize("NFKC", str(text or "")).replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


def publication_date(case: Case) -> datetime.date | None:
    """The day the case's list was published: the notice's date (an archive imported years
    later keeps it), else the day the round was published in the system."""
    round_ = case.round
    if round_.notice_date:
        return round_.notice_date
    return timezone.localdate(round_.published_at) if round_.published_at else None


class AdoptionQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(status=Adoption.Status.CONFIRMED)

    def of_district(self, district_id):
        return self.filter(district_id=district_id)


class Adoption(models.Model):
    class Stage(models.TextChoices):
        DEPLOYED = "deployed", _("已部署")
        IMPLEMENTED = "implemented", _("已实施")
        EFFECTIVE = "effective", _("已见效")

    class Status(models.TextChoices):
        PENDING = "pending", _("待确认")
        RETURNED = "returned", _("已退回")
        CONFIRMED = "confirmed", _("已确认")

    source = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="adoptions", verbose_name=_("借鉴的案例")
    )
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="adoptions", verbose_name=_("借鉴区")
    )
    description = models.TextField(
        _("借鉴做法"), max_length=DESCRIPTION_MAX, validators=[MaxLengthValidator(DESCRIPTION_MAX)]
    )
    since = models.DateField(_("借鉴时间"))
    stage = models.CharField(_("推进程度"), max_length=16, choices=Stage.choices)
    # The district's own later case that grew from the practice: the link goes when that case
    # is deleted (SET_NULL) or rejected (cases.adoption.signals); the record stays.
    own_case = models.ForeignKey(
        Case,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="adopted_from",
        verbose_name=_("本区后续案例"),
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    staff_comment = models.TextField(
        _("审核意见"), max_length=500, blank=True, validators=[MaxLengthValidator(500)]
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("填报人"),
    )
    created_at = models.DateTimeField(_("填报时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = AdoptionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        app_label = "cases"
        ordering = ["-since", "-id"]
        verbose_name = _("借鉴记录")
        verbose_name_plural = _("借鉴记录")
        constraints = [
            # A district records taking up one practice once (it updates the stage after).
            models.UniqueConstraint(fields=["source", "district"], name="one_adoption_per_pair")
        ]

    def __str__(self):
        return f"{self.district} ← {self.source_id}"

    def save(self, *args, **kwargs):
        self.description = normalise_text(self.description)
        self.staff_comment = normalise_text(self.staff_comment)
        super().save(*args, **kwargs)

    def clean_fields(self, exclude=None):
        self.description = normalise_text(self.description)
        self.staff_comment = normalise_text(self.staff_comment)
        super().clean_fields(exclude=exclude)

    def clean(self):
        errors = {}
        source = self.source if self.source_id else None
        if source is not None:
            if not Case.objects.published().filter(pk=source.pk).exists():
                errors["source"] = _("只能借鉴已公布的案例。")
            elif self.district_id and source.district_id == self.district_id:
                errors["source"] = _("这是本区自己的做法，不是借鉴。")
            elif self.since:
                published = publication_date(source)
                if published and self.since < published:
                    errors["since"] = _("借鉴时间不能早于该案例公布之日（%(date)s）。") % {
                        "date": published.isoformat()
                    }
        if self.own_case_id:
            own = self.own_case
            if own.district_id != self.district_id:
                errors["own_case"] = _("只能关联本区的案例。")
            elif own.status == Case.Status.REJECTED:
                errors["own_case"] = _("未受理的案例不能关联。")
            elif source is not None and own.pk == source.pk:
                errors["own_case"] = _("不能关联被借鉴的案例本身。")
        if errors:
            raise ValidationError(errors)


class AdoptionFigure(models.Model):
    """A key figure of an adoption (as a case's): e.g. 办理时限 压缩 50 %."""

    adoption = models.ForeignKey(Adoption, on_delete=models.CASCADE, related_name="key_figures")
    indicator = models.CharField(_("指标"), max_length=60)
    value = models.CharField(_("数值"), max_length=30)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        app_label = "cases"
        ordering = ["order", "id"]
        verbose_name = _("借鉴关键数据")
        verbose_name_plural = _("借鉴关键数据")

    def __str__(self):
        return f"{self.indicator} {self.value}{self.unit}"

    def save(self, *args, **kwargs):
        self.indicator = normalise_text(self.indicator)
        self.value = normalise_text(self.value)
        self.unit = normalise_text(self.unit)
        super().save(*args, **kwargs)
