"""The officer's record form and staff's review form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import Case

from .models import Adoption


class AdoptionForm(forms.ModelForm):
    source = forms.ModelChoiceField(
        queryset=Case.objects.none(),
        label=_("被借鉴案例编号"),
        help_text=_("案例页面地址中的编号，如 /cases/123/ 中的 123。"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"invalid_choice": _("请填写其他区已公布案例的编号。")},
    )

    class Meta:
        model = Adoption
        fields = ["source", "description", "since", "stage", "own_case"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "since": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.district = district
        self.fields["source"].queryset = Case.objects.published().exclude(district=district)
        self.fields["own_case"].queryset = (
            Case.objects.filter(district=district)
            .exclude(status=Case.Status.REJECTED)
            .order_by("-round__year", "title")
        )
        self.fields["own_case"].label_from_instance = lambda c: f"{c.round.year} · {c.title}"


class ReviewForm(forms.Form):
    action = forms.ChoiceField(choices=[("confirm", _("确认")), ("return", _("退回"))])
    comment = forms.CharField(label=_("审核意见"), max_length=500, required=False)
