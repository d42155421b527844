from django import template
from django.utils.html import format_html

register = template.Library()

STATUS_CLASSES = {
    "draft": "text-bg-secondary",
    "submitted": "text-bg-primary",
    "returned": "text-bg-warning",
    "accepted": "text-bg-success",
    "rejected": "text-bg-danger",
    "withdrawn": "text-bg-light border",
    "published": "text-bg-dark",
}


@register.simple_tag
def status_badge(case_or_status, label=None):
    """A coloured badge for a case state; takes a case or a state value and its label."""
    status = getattr(case_or_status, "status", case_or_status)
    if label is None and hasattr(case_or_status, "get_status_display"):
        label = case_or_status.get_status_display()
    css = STATUS_CLASSES.get(status, "text-bg-light")
    return format_html('<span class="badge {} status-{}">{}</span>', css, status, label or status)


@register.filter
def percent(value):
    """0.9731 → 97.3%"""
    if value is None:
        return ""
    return f"{value * 100:.1f}%"
