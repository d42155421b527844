"""The forms a district fills in: the case, its key figures, its attachments."""

import re

from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils.translation import gettext_lazy as _

from cases.models import Case, KeyFigure, Topic
from cases.submission import attachments
from core.identifiers import ascii_digits

# The body's usual sections: (field name, printed heading, maximum characters, help text).
SECTIONS = [
    (
        "background",
        "一、工作背景",
        1500,
        _("简要说明改革前企业和群众遇到的问题、政策依据和工作目标。建议 300—800 字。"),
    ),
    (
        "approach",
        "二、主要做法",
        5000,
        _("按“一是……二是……”分条写出具体举措，每条一段。建议 1000—3000 字。"),
    ),
    (
        "results",
        "三、取得成效",
        2500,
        _("用数据说明成效（办件量、时间压缩、企业满意度等），并注明统计口径和截止时间。"),
    ),
]
LEAD_MAX = 500
# ASCII digits only (re.ASCII): what people type goes through ascii_digits first (１ → 1).
PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?|\d{8})$", re.ASCII)
NUMBER = re.compile(r"^[-+]?\d[\d,]*(\.\d+)?$", re.ASCII)


def clean_paragraphs(text: str) -> str:
    """One paragraph per line, surrounding spaces (also full-width) and blank lines dropped."""
    lines = (line.strip().strip("\u3000") for line in (text or "").splitlines())
    return "\n".join(line for line in lines if line)


class CaseForm(forms.ModelForm):
    """The case itself. ``complete=False`` (saving a draft) asks only for the title;
    ``complete=True`` (submitting) asks for everything the notice prints."""

    lead = forms.CharField(
        label=_("导语（可选）"),
        required=False,
        max_length=LEAD_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("印在第一个小标题之前的一段话，没有可不填。"),
    )

    class Meta:
        model = Case
        fields = ["title", "subtitle", "topic", "summary", "contact_name", "contact_phone"]
        labels = {"title": _("主标题"), "subtitle": _("副标题（可选）")}
        help_texts = {
            "title": _("如：推进商事登记确认制"),
            "subtitle": _("如：持续创新市场准入便利化改革。印刷时写作“——副标题”。"),
            "summary": _("不超过 300 字，将在网络投票页面展示。"),
            "contact_phone": _("手机或座机，如 13812345678 或 021-12345678。"),
        }
        widgets = {"summary": forms.Textarea(attrs={"rows": 4, "maxlength": 300})}

    def __init__(self, *args, complete=False, **kwargs):
        super().__init__(*args, **kwargs)
        for name, heading, limit, help_text in SECTIONS:
            self.fields[name] = forms.CharField(
                label=heading,
                required=False,
                max_length=limit,
                help_text=help_text,
                widget=forms.Textarea(attrs={"rows": 8 if name == "approach" else 5}),
            )
        topics = Topic.objects.filter(active=True)
        if self.instance.topic_id:
            topics = Topic.objects.filter(active=True) | Topic.objects.filter(
                pk=self.instance.topic_id
            )
        self.fields["topic"].queryset = topics
        self.fields["topic"].empty_label = _("请选择领域")
        self.complete = complete
        optional = {"subtitle", "lead"}
        for name, field in self.fields.items():
            field.required = name == "title" or (complete and name not in optional)
            # One style of message for every required field: 请填写/请选择 + its label.
            verb = _("请选择") if isinstance(field, forms.ChoiceField) else _("请填写")
            label = re.sub(r"^[一二三四五六七八九十]+、", "", str(field.label))  # 一、工作背景
            field.error_messages["required"] = f"{verb}{label}。"
        if not complete:
            self.fields["title"].error_messages["required"] = _("保存草稿至少需要填写主标题。")
        if not self.is_bound and self.instance.pk:
            self.initial.update(self.sections_initial(self.instance.sections))

    @staticmethod
    def sections_initial(sections) -> dict:
        """Form values from Case.sections: known headings to their field, the rest as lead."""
        by_heading = {heading: name for name, heading, _limit, _help in SECTIONS}
        initial, extra = {}, []
        for section in sections or []:
            name = by_heading.get(section.get("heading", ""))
            if name:
                initial[name] = section.get("body", "")
            else:
                extra.append(
                    "\n".join(p for p in (section.get("heading"), section.get("body")) if p)
                )
        if extra:
            initial["lead"] = "\n".join(extra)
        return initial

    # Titles are one line wherever they go (a page heading, the notice, a mail's subject):
    # a line break, tab or run of spaces posted into them becomes one space.
    def clean_title(self):
        return " ".join(self.cleaned_data.get("title", "").split())

    def clean_subtitle(self):
        return " ".join(self.cleaned_data.get("subtitle", "").split())

    def clean_contact_phone(self):
        typed = ascii_digits(self.cleaned_data.get("contact_phone", ""))
        phone = re.sub(r"[\s()（）]", "", typed)
        if phone and not PHONE.match(phone):
            raise forms.ValidationError(_("请输入有效的联系电话，如 13812345678 或 021-12345678。"))
        return phone

    def build_sections(self) -> list[dict]:
        sections = []
        lead = clean_paragraphs(self.cleaned_data.get("lead", ""))
        if lead:
            sections.append({"heading": "", "body": lead})
        for name, heading, _limit, _help in SECTIONS:
            body = clean_paragraphs(self.cleaned_data.get(name, ""))
            if body or self.complete:
                sections.append({"heading": heading, "body": body})
        return sections

    def save(self, commit=True):
        self.instance.sections = self.build_sections()
        # The officer chose the topic: keyword rules (cases.topics) never replace it.
        self.instance.topic_confirmed = self.instance.topic_id is not None
        return super().save(commit=commit)


class KeyFigureForm(forms.ModelForm):
    class Meta:
        model = KeyFigure
        fields = ["indicator", "value", "unit"]
        widgets = {
            # The table's column heads are not labels: each input names itself to a screen reader.
            "indicator": forms.TextInput(
                attrs={
                    "class": "form-control",
                    "placeholder": _("如：年均办件量"),
                    "aria-label": _("指标"),
                }
            ),
            "value": forms.TextInput(
                attrs={
                    "class": "form-control",
                    "placeholder": _("如：83.97"),
                    "inputmode": "decimal",
                    "aria-label": _("数值"),
                }
            ),
            "unit": forms.TextInput(
                attrs={
                    "class": "form-control",
                    "placeholder": _("如：万件"),
                    "aria-label": _("单位"),
                }
            ),
        }

    def clean_value(self):
        value = ascii_digits(self.cleaned_data["value"]).replace("，", ",").replace("．", ".")
        if not NUMBER.match(value):
            raise forms.ValidationError(_("数值请只填数字，如 83.97；单位请填在“单位”一栏。"))
        return value


class BaseKeyFigureFormSet(BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["aria-label"] = _("删除此行")


KeyFigureFormSet = inlineformset_factory(
    Case,
    KeyFigure,
    form=KeyFigureForm,
    formset=BaseKeyFigureFormSet,
    extra=1,
    max_num=12,
    validate_max=True,
    # Not Django's default of max_num + 1,000: a posted TOTAL_FORMS of 10⁹ then built and
    # rendered 1,012 forms (seconds a request); now 12 at most, and the form says why.
    absolute_max=12,
    can_delete=True,
)


def save_key_figures(formset, case):
    """Save the rows in the order shown; untouched blank rows are skipped, ticked ones deleted."""
    formset.instance = case
    order = 0
    for form in formset.forms:
        if not form.instance.pk and not form.has_changed():
            continue
        if formset._should_delete_form(form):
            if form.instance.pk:
                form.instance.delete()
            continue
        figure = form.save(commit=False)
        figure.case = case
        figure.order = order
        figure.save()
        order += 1


class AttachmentForm(forms.Form):
    # Not marked required: attachments are optional for a case; choosing none says so below.
    file = forms.FileField(
        label=_("添加附件"),
        required=False,
        help_text=_("PDF、Word 或图片（JPG/PNG），单个文件不超过 %(limit)s MB。"),
    )

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        limit = attachments.max_bytes() // (1024 * 1024)
        self.fields["file"].help_text = self.fields["file"].help_text % {"limit": limit}
        self.fields["file"].widget.attrs["accept"] = ".pdf,.doc,.docx,.jpg,.jpeg,.png"

    def clean_file(self):
        # Only the early answer for a full case; the content is checked, and the count checked
        # again under a lock, by attachments.store.
        uploaded = self.cleaned_data["file"]
        if not uploaded:
            raise forms.ValidationError(_("请选择要上传的文件。"))
        if self.case is not None and self.case.attachments.count() >= attachments.MAX_PER_CASE:
            raise forms.ValidationError(attachments.full_message())
        return uploaded


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("说明"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReturnRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("要修改的内容和原因"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请说明要修改的内容和原因。")},
    )
