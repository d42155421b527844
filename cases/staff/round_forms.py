"""The round set-up form: plain settings plus rows for the criteria and the award tiers, which
the model keeps as JSON (validated by cases.models.validate_criteria / validate_tiers)."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from cases.models import Round, validate_criteria, validate_tiers

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
DATE_FIELDS = [
    "submission_opens",
    "submission_closes",
    "vote_opens",
    "vote_closes",
    "review_opens",
    "review_closes",
]

# The panel's thresholds (reviews.panel): left empty, they keep the model's defaults.
PANEL_FLAGS = ["flag_correlation", "flag_offset", "flag_spread"]
# Settings with a sensible default: left out of a form (an older page, a script), they keep it.
DEFAULTED = [*PANEL_FLAGS, "normalize", "precision", "publicity_days", "vote_count_mode"]


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_FORMAT, **kwargs)


class RoundForm(forms.ModelForm):
    class Meta:
        model = Round
        fields = [
            "year",
            "title",
            "max_cases_per_district",
            "shortlist_size",
            "votes_per_voter",
            "vote_count_mode",
            "vote_count_time",
            "vote_weight",
            "trim",
            "normalize",
            "precision",
            "publicity_days",
            "objection_contact",
            "document_number",
            "red_header",
            *DATE_FIELDS,
            *PANEL_FLAGS,
            "feedback_to_districts",
        ]
        widgets = {
            **{name: LocalDateTimeInput() for name in DATE_FIELDS},
            "vote_count_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "objection_contact": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "max_cases_per_district": _(
                "已申报、退回修改和已受理的案例计入名额；草稿、未受理和已撤回的不计入。"
            ),
            "vote_weight": _("0 到 1 之间；0 表示只按专家评分排名。"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in DATE_FIELDS:
            self.fields[name].input_formats = [DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d"]
        for name in DEFAULTED:
            self.fields[name].required = False
        self.fields["publicity_days"].validators.append(
            MinValueValidator(1, message=_("公示期至少 1 个工作日。"))
        )
        self.fields["precision"].validators.append(
            MaxValueValidator(4, message=_("得分最多保留 4 位小数。"))
        )

    def clean(self):
        cleaned = super().clean()
        for name in DEFAULTED:
            if cleaned.get(name) in (None, "") and name not in self.errors:
                cleaned[name] = Round._meta.get_field(name).default
        if cleaned.get("vote_count_mode") == Round.VoteCounts.DAILY and not cleaned.get(
            "vote_count_time"
        ):
            self.add_error("vote_count_time", _("每日定时公布票数须填写公布时间。"))
        return cleaned


class CriterionForm(forms.Form):
    label = forms.CharField(label=_("名称"), max_length=30)
    max = forms.DecimalField(
        label=_("满分"), min_value=Decimal("0.01"), max_digits=6, decimal_places=2
    )
    weight = forms.DecimalField(
        label=_("权重"), min_value=Decimal("0"), max_digits=5, decimal_places=3, initial=1
    )
    key = forms.SlugField(
        label=_("代码（可选）"),
        required=False,
        max_length=30,
        help_text=_("留空则自动生成。"),
    )
    # Shown to the experts beside the criterion on their score sheet.
    guidance = forms.CharField(
        label=_("评分说明（专家评分时可见）"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class TierForm(forms.Form):
    name = forms.CharField(label=_("档次名称"), max_length=32)
    size = forms.IntegerField(label=_("数量"), min_value=1, max_value=200)


class BaseRowsFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        # Rows are shown as a table without crispy, so the inputs get Bootstrap's class here.
        for name, field in form.fields.items():
            if name != "DELETE":
                field.widget.attrs.setdefault("class", "form-control form-control-sm")

    def rows(self):
        return [
            f.cleaned_data
            for f in self.forms
            if f.cleaned_data and not (self.can_delete and f.cleaned_data.get("DELETE"))
        ]


CriterionFormSet = formset_factory(
    CriterionForm,
    formset=BaseRowsFormSet,
    extra=1,  # one blank row: a criterion can be added without JavaScript
    can_delete=True,
    min_num=1,
    validate_min=True,
)
TierFormSet = formset_factory(
    TierForm, formset=BaseRowsFormSet, extra=1, can_delete=True, min_num=1, validate_min=True
)


def _number(value: Decimal):
    """JSON-friendly and exact enough: whole numbers as int, others as a decimal string."""
    value = value.normalize()
    return int(value) if value == value.to_integral_value() else str(value)


def criteria_from_rows(rows) -> list[dict]:
    criteria = []
    for index, row in enumerate(rows, start=1):
        item = {
            "key": row.get("key") or f"c{index}",
            "label": row["label"].strip(),
            "max": _number(row["max"]),
            "weight": _number(row["weight"] if row.get("weight") is not None else Decimal(1)),
        }
        if (row.get("guidance") or "").strip():
            item["guidance"] = row["guidance"].strip()
        criteria.append(item)
    validate_criteria(criteria)
    return criteria


def tiers_from_rows(rows) -> list[dict]:
    tiers = [{"name": row["name"].strip(), "size": int(row["size"])} for row in rows]
    validate_tiers(tiers)
    return tiers


def criteria_initial(criteria) -> list[dict]:
    return [
        {
            "label": c["label"],
            "max": c["max"],
            "weight": c.get("weight", 1),
            "key": c["key"],
            "guidance": c.get("guidance", ""),
        }
        for c in criteria or []
    ]


def tiers_initial(tiers) -> list[dict]:
    return [{"name": t["name"], "size": t["size"]} for t in tiers or []]


def bind_round_forms(data, instance, initial=None):
    """The three forms of the round page, bound to ``data`` (POST) or unbound."""
    initial = initial or {}
    source = (
        initial
        if "criteria" in initial
        else {"criteria": instance.criteria, "tiers": instance.tiers}
    )
    return (
        RoundForm(data, instance=instance, initial=initial or None),
        CriterionFormSet(
            data, prefix="criteria", initial=None if data else criteria_initial(source["criteria"])
        ),
        TierFormSet(data, prefix="tiers", initial=None if data else tiers_initial(source["tiers"])),
    )


def save_round_forms(form, criteria_set, tier_set):
    """Validate all three and save; returns the round or None (errors are on the forms)."""
    if not (criteria_set.is_valid() and tier_set.is_valid()):
        form.is_valid()  # collect the main form's errors too, for one round of corrections
        return None
    try:
        form.instance.criteria = criteria_from_rows(criteria_set.rows())
    except ValidationError as exc:
        criteria_set._non_form_errors = criteria_set.error_class(exc.messages)
        form.is_valid()
        return None
    try:
        form.instance.tiers = tiers_from_rows(tier_set.rows())
    except ValidationError as exc:
        tier_set._non_form_errors = tier_set.error_class(exc.messages)
        form.is_valid()
        return None
    if not form.is_valid():
        return None
    return form.save()
