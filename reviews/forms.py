"""Forms of the selection. Score values are checked by reviews.review.clean_score, the one
rule for what a score may be."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cases.models import District

from .review import clean_score
from .voting import VoteError, normalise_phone


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("手机号"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )

    def clean_phone(self):
        try:
            return normalise_phone(self.cleaned_data["phone"])
        except VoteError as exc:
            raise ValidationError(str(exc)) from None


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("验证码"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=200)


class ScoreSheetForm(forms.Form):
    """One field per criterion of the round, plus a comment."""

    comment = forms.CharField(
        label=_("评语（选填）"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, criteria, initial_values=None, disabled=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        fields = {}
        for criterion in criteria:
            fields[criterion.key] = forms.CharField(
                label=_("%(label)s（满分 %(max)s）")
                % {"label": criterion.label, "max": criterion.max},
                required=False,
                disabled=disabled,
                initial=(initial_values or {}).get(criterion.key),
                widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "score-input"}),
            )
        self.fields = {**fields, "comment": self.fields["comment"]}
        self.fields["comment"].disabled = disabled

    def clean(self):
        cleaned = super().clean()
        for criterion in self.criteria:
            raw = cleaned.get(criterion.key)
            if raw not in (None, ""):
                try:
                    cleaned[criterion.key] = clean_score(raw, criterion)
                except ValidationError as exc:
                    self.add_error(criterion.key, exc)
        return cleaned

    def values(self):
        return {c.key: self.cleaned_data.get(c.key) for c in self.criteria}


class ExpertForm(forms.ModelForm):
    password = forms.CharField(
        label=_("初始密码"),
        min_length=8,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("至少 8 位；请线下告知专家，并提醒其首次登录后修改。"),
    )

    class Meta:
        model = get_user_model()
        fields = [
            "username",
            "last_name",
            "first_name",
            "organisation",
            "district",
            "phone",
            "email",
        ]
        labels = {"last_name": _("姓"), "first_name": _("名")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = District.objects.all()
        self.fields["district"].help_text = _("专家所属区：该区的案例将自动回避。")
        self.fields["organisation"].required = True

    def save(self, commit=True):
        user = super().save(commit=False)
        user.role = get_user_model().Role.EXPERT
        user.set_password(self.cleaned_data["password"])
        if commit:
            user.save()
        return user


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("评分表 CSV 文件"), help_text=_("表头：case,expert,criterion,score")
    )


class CloseReviewForm(forms.Form):
    allow_missing = forms.BooleanField(
        label=_("忽略尚未提交的评分表（这些专家的评分不计入）"), required=False
    )
