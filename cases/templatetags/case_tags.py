import datetime

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.text import quoted

register = template.Library()


@register.filter
def cn_date(value, part=""):
    """The one form pages write dates in: "2022年11月8日" for a date, "2026年12月21日 01:00"
    for a moment (in Shanghai time); ``|cn_date:"date"`` drops a moment's time of day."""
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        if part != "date":
            return date_format(value, "Y年n月j日 H:i")
    return date_format(value, "Y年n月j日")


@register.filter
def district_label(district):
    """A case's district as the public reads it: a case whose text names none says so, never
    the staff's internal "区待确认"."""
    return str(district) if district else _("未注明区")


@register.filter
def paragraphs(text):
    return [p for p in (text or "").split("\n") if p.strip()]


@register.filter(name="quoted")
def quoted_filter(title):
    """A title in quotes inside a sentence (core.text.quoted): never doubled quotes."""
    return quoted(title)
