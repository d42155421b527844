from django import template
from django.utils.formats import date_format

register = template.Library()


@register.filter
def cn_date(value):
    """2022年11月8日: the way notices write dates."""
    if not value:
        return ""
    return date_format(value, "Y年n月j日")


@register.filter
def paragraphs(text):
    return [p for p in (text or "").split("\n") if p.strip()]
