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


def time_left_words(left: datetime.timedelta) -> str:
    """A deadline's countdown in one unit a reader takes in at a glance: "还剩 20 天" (whole
    days), on the last day "还剩 5 小时", in the last hour "还剩不到 1 小时"; "" once passed."""
    if left <= datetime.timedelta(0):
        return ""
    if left >= datetime.timedelta(days=1):
        return _("还剩 %(n)d 天") % {"n": left.days}
    hours = int(left.total_seconds() // 3600)
    if hours >= 1:
        return _("还剩 %(n)d 小时") % {"n": hours}
    return _("还剩不到 1 小时")


@register.filter
def time_left(deadline, now=None):
    """``{{ round.submission_closes|time_left }}``: see ``time_left_words``."""
    if not deadline:
        return ""
    return time_left_words(deadline - (now or timezone.now()))
