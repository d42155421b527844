from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import Round

from .models import Objection
from .objections import checked_contact
from .publication import NOTICE_FIELDS


class ObjectionForm(forms.ModelForm):
    case = forms.ModelChoiceField(label=_("异议所针对的案例"), queryset=None)

    class Meta:
        model = Objection
        fields = ["case", "name", "contact", "grounds"]
        widgets = {"grounds": forms.Textarea(attrs={"rows": 6})}
        help_texts = {
            "contact": _("手机号、带区号的固定电话或电子邮箱，仅用于核实和答复，不会公开。"),
            "grounds": _("请写明异议所针对的事实和依据。"),
        }

    def __init__(self, *args, cases, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = cases
        self.fields["case"].label_from_instance = lambda c: f"{c.tier} 排名{c.rank} · {c.title}"

    def clean_contact(self):
        return checked_contact(self.cleaned_data.get("contact", ""))


class NoticeForm(forms.ModelForm):
    class Meta:
        model = Round
        fields = list(NOTICE_FIELDS)
        widgets = {
            "notice_preamble": forms.Textarea(attrs={"rows": 12}),
            "notice_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            "notice_preamble": _("每行一段；已按本年度评选信息预填，请修改后公布。"),
            "red_header": _(
                "开启后，Word 和 PDF 通知印有红色版头：发文机关标志、发文字号和红色分隔线。"
                "多数通知以网页文字发布，默认不开启。"
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("notice_preamble", "notice_attachment", "notice_date"):
            self.fields[name].required = True


class AnswerForm(forms.Form):
    class Action:
        DISMISS = "dismiss"

    action = forms.ChoiceField(
        label=_("处理结果"),
        choices=[
            ("dismiss", _("不予采纳")),
            (Objection.Remedy.REOPEN_REVIEW, _("采纳：退回专家评审")),
            (Objection.Remedy.ADJUST_RESULT, _("采纳：调整该案例的档次和排名")),
        ],
    )
    # The tier choice that takes the case off the list (the domain's empty tier).
    REMOVE = "__remove__"

    reason = forms.CharField(label=_("处理意见"), widget=forms.Textarea(attrs={"rows": 3}))
    tier = forms.ChoiceField(label=_("调整后的档次"), required=False)
    rank = forms.IntegerField(label=_("调整后的排名"), required=False, min_value=1)

    def __init__(self, *args, round_: Round, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tier"].choices = [
            ("", _("（采纳并调整时选择）")),
            *[(name, name) for name in round_.tier_names],
            (self.REMOVE, _("移出名单")),
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == Objection.Remedy.ADJUST_RESULT:
            if not cleaned.get("tier"):
                self.add_error("tier", _("请选择调整后的档次，或选择“移出名单”。"))
            elif cleaned["tier"] != self.REMOVE and not cleaned.get("rank"):
                self.add_error("rank", _("请填写调整后的排名。"))
        return cleaned

    def domain_tier(self) -> str:
        """The tier ``uphold_objection`` takes: a tier's name, or "" to take the case off."""
        tier = self.cleaned_data.get("tier") or ""
        return "" if tier == self.REMOVE else tier


class UnpublishForm(forms.Form):
    reason = forms.CharField(label=_("撤回理由"), widget=forms.Textarea(attrs={"rows": 3}))
    to = forms.ChoiceField(
        label=_("撤回后回到"),
        choices=[
            (Round.Status.PUBLICITY, Round.Status.PUBLICITY.label),
            (Round.Status.APPROVED, Round.Status.APPROVED.label),
        ],
    )
