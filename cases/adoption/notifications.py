"""Mails about adoption records: staff learn of a new record, both districts of a confirmed
one. Idempotent (cases.notifications.send_once), called by the tasks in cases/tasks.py."""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from cases.notifications import district_recipients, send_once, site_url, staff_recipients
from core.text import quoted

from .models import Adoption


def _adoption(pk) -> Adoption | None:
    return (
        Adoption.objects.select_related("source", "source__round", "source__district", "district")
        .filter(pk=pk)
        .first()
    )


def send_recorded_notice(adoption_id: int) -> bool:
    adoption = _adoption(adoption_id)
    if adoption is None:
        return False
    subject = _("【互学互鉴】%(district)s填报了借鉴%(title)s的记录") % {
        "district": adoption.district,
        "title": quoted(adoption.source.title),
    }
    body = render_to_string(
        "cases/email/adoption.txt",
        {
            "adoption": adoption,
            "lead": _("有一条新的借鉴记录待确认。"),
            "url": site_url(reverse("cases:adoption_detail", args=[adoption.pk])),
        },
    )
    return send_once(
        key=f"adoption-recorded:{adoption.pk}",
        subject=subject,
        body=body,
        recipients=staff_recipients(),
    )


def send_confirmed_notice(adoption_id: int) -> bool:
    adoption = _adoption(adoption_id)
    if adoption is None or adoption.status != Adoption.Status.CONFIRMED:
        return False
    subject = _("【互学互鉴】%(district)s借鉴%(title)s的记录已确认") % {
        "district": adoption.district,
        "title": quoted(adoption.source.title),
    }
    body = render_to_string(
        "cases/email/adoption.txt",
        {
            "adoption": adoption,
            "lead": _("以下借鉴记录已经市发改委确认，将在案例页面公开。"),
            "url": site_url(reverse("cases:adoption_detail", args=[adoption.pk])),
        },
    )
    recipients = district_recipients(adoption.district_id)
    if adoption.source.district_id:
        recipients += [
            email
            for email in district_recipients(adoption.source.district_id)
            if email not in recipients
        ]
    return send_once(
        key=f"adoption-confirmed:{adoption.pk}",
        subject=subject,
        body=body,
        recipients=recipients,
    )
