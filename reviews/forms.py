"""Forms of the selection. Score values are checked by reviews.review.clean_score, the one
rule for what a score may be."""

from decimal import Decimal

from captcha.fields import CaptchaTextInput
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts import passwords
from cases.models import District

from .review import SCORE_PLACES, clean_score
from .vote.captcha import OneUseCaptchaField
from .vote.errors import VoteError
from .vote.identity import normalise_code, normalise_phone


class CaptchaWidget(CaptchaTextInput):
    """The image, the answer box and a "换一张" link: without script the link reloads the page
    (a new image); static/js/captcha.js swaps the image in place. The template sits in the
    app's templates/, where Django's form renderer looks (not the project's templates/)."""

    template_name = "reviews/_captcha_widget.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["refresh_url"] = self.refresh_url()
        # Drawn twice as large for phones' dense screens (the same letters, the same key).
        context["image_2x"] = reverse("captcha-image-2x", kwargs={"key": self._key})
        return context


def _notice_link(text: str) -> str:
    """``text`` with a link to the notice (个人信息处理告知) after it, for a field's help."""
    return format_html(
        '{} <a href="{}" target="_blank" rel="noopener">{}</a>',
        text,
        reverse("privacy"),
        gettext("阅读《个人信息处理告知》"),
    )


notice_link = lazy(_notice_link, str)


class PhoneForm(forms.Form):
    """Asking for a code: the phone, and a captcha before any code is sent."""

    phone = forms.CharField(
        label=_("手机号"),
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    captcha = OneUseCaptchaField(
        label=_("图形验证码"),
        help_text=_("请输入图中的英文字母，不区分大小写。"),
        # crispy renders this two-part widget as a fieldset whose legend labels no input: the
        # answer box carries its own name for screen readers.
        widget=CaptchaWidget(attrs={"aria-label": _("图形验证码")}),
        error_messages={
            "invalid": _("图形验证码不正确，请看新的图片重新输入。"),
            "required": _("请输入图形验证码。"),
            "incomplete": _("请输入图形验证码。"),
        },
    )

    # Consent (PIPL art. 14): never pre-ticked; without it the form is invalid, so no code is
    # asked for, no SMS spent and nothing stored. Its help text links the notice.
    consent = forms.BooleanField(
        label=_("我已阅读并同意《个人信息处理告知》，同意为投票验证处理我的手机号"),
        required=True,
        initial=False,
        help_text=notice_link(_("谁处理、为何处理、保存多久、您的权利及如何行使，见告知全文。")),
        error_messages={
            "required": _(
                "未勾选同意《个人信息处理告知》：不同意就不能处理您的手机号，"
                "因此不会发送验证码，也不会保存您填写的号码。"
            )
        },
    )

    field_order = ["phone", "captcha", "consent"]

    def clean_phone(self):
        try:
            return normalise_phone(self.cleaned_data["phone"])
        except VoteError as exc:
            raise ValidationError(str(exc)) from None


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("验证码"),
        max_length=16,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    def clean_code(self):
        try:
            return normalise_code(self.cleaned_data["code"])
        except VoteError as exc:
            raise ValidationError(str(exc)) from None


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=200)


class ScoreSheetForm(forms.Form):
    """One field per criterion of the round, plus a comment for staff and one for the district."""

    comment = forms.CharField(
        label=_("评语（选填）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("仅评审工作人员可见。"),
    )
    district_comment = forms.CharField(
        label=_("给申报区的意见（选填）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("结果公布后反馈给该案例所在区，不显示您的姓名。"),
    )

    def __init__(
        self, *args, criteria, initial_values=None, disabled=False, guidance=None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        step = str(Decimal(1).scaleb(-SCORE_PLACES))  # the places clean_score accepts
        fields = {}
        for criterion in criteria:
            # The browser's limits help while typing; clean_score is still the rule.
            attrs = {
                "inputmode": "decimal",
                "class": "score-input",
                "min": "0",
                "max": str(criterion.max),
                "step": step,
                "data-weight": str(criterion.weight),
            }
            fields[criterion.key] = forms.CharField(
                label=_("%(label)s（满分 %(max)s）")
                % {"label": criterion.label, "max": criterion.max},
                required=False,
                disabled=disabled,
                initial=(initial_values or {}).get(criterion.key),
                help_text=(guidance or {}).get(criterion.key, ""),
                widget=forms.NumberInput(attrs=attrs),
            )
        comments = {name: self.fields[name] for name in ("comment", "district_comment")}
        self.fields = {**fields, **comments}
        for field in comments.values():
            field.disabled = disabled

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
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_(
            "至少 8 位，不能是常见密码、纯数字或与用户名、姓名相近；请线下告知专家。"
            "专家首次登录后须先修改密码。"
        ),
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

    def _post_clean(self):
        super()._post_clean()
        # After the instance holds the form's data: a password like the expert's own name or
        # username is refused too (AUTH_PASSWORD_VALIDATORS).
        passwords.validate_for(self, "password", self.instance)

    def save(self, commit=True):
        user = super().save(commit=False)
        user.role = get_user_model().Role.EXPERT
        passwords.set_password_by_staff(user, self.cleaned_data["password"])
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
