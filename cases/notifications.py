"""E-mails to districts about their cases (and to the commission's staff about a district's
request to return one). Plain functions, called by the Celery tasks in cases/tasks.py; each is
idempotent (a Notification row per key), so a retried task never sends the same message
twice."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import Case, CaseTransition, Notification, ReturnRequest, Round
from core.text import quoted

SUBJECTS = {
    Case.Status.RETURNED: gettext_lazy("【案例评选】案例%(title)s已退回修改"),
    Case.Status.ACCEPTED: gettext_lazy("【案例评选】案例%(title)s已受理"),
    Case.Status.REJECTED: gettext_lazy("【案例评选】案例%(title)s未予受理"),
}


def site_url(path: str) -> str:
    return getattr(settings, "SITE_URL", "").rstrip("/") + path


def district_recipients(district_id) -> list[str]:
    """E-mail addresses of the district's active officers, as they are now: whoever filed or
    asked but has since moved to another district or role is not told about the case."""
    users = (
        get_user_model()
        .objects.filter(role="officer", district_id=district_id, is_active=True)
        .exclude(email="")
        .order_by("pk")
    )
    seen = []
    for user in users:
        if user.email not in seen:
            seen.append(user.email)
    return seen


def send_once(*, key: str, subject: str, body: str, recipients: list[str]) -> bool:
    """Send one mail unless a mail with ``key`` was sent already; True when sent now.

    The Notification row is written first, inside the transaction: a second worker running the
    same task waits on the unique key and then finds it; a failed send rolls the row back so a
    retry sends again.
    """
    if Notification.objects.filter(key=key).exists():
        return False
    # One line: a title typed with a line break must not make the header invalid (Django
    # refuses it, and the mail would fail on every retry and every sweep).
    subject = " ".join(subject.split())
    try:
        with transaction.atomic():
            Notification.objects.create(
                key=key, subject=subject[:200], recipients=", ".join(recipients)
            )
            if recipients:
                send_mail(subject, body, None, recipients)
    except IntegrityError:
        return False
    return bool(recipients)


# A transition younger than this may still have its task queued: the sweep leaves it alone.
PENDING_GRACE = timedelta(minutes=2)


def _sent_ids(prefix: str) -> set[int]:
    """The ids already notified under keys ``<prefix><id>`` (see send_once)."""
    keys = Notification.objects.filter(key__startswith=prefix).values_list("key", flat=True)
    return {int(key[len(prefix) :]) for key in keys}


def send_pending_transition_notices(now=None) -> int:
    """Send the notices of transitions whose task was lost (broker down, worker killed)."""
    now = now or timezone.now()
    pending = CaseTransition.objects.filter(
        to_status__in=list(SUBJECTS), at__lt=now - PENDING_GRACE
    ).exclude(pk__in=_sent_ids("transition:"))
    return sum(send_transition_notice(pk) for pk in pending.values_list("pk", flat=True))


def send_pending_notices(now=None) -> int:
    """The recovery sweep's step: every notice whose task was lost."""
    return send_pending_transition_notices(now) + send_pending_return_request_notices(now)


def send_pending_return_request_notices(now=None) -> int:
    now = now or timezone.now()
    before = now - PENDING_GRACE
    asked = ReturnRequest.objects.filter(requested_at__lt=before).exclude(
        pk__in=_sent_ids("return-requested:")
    )
    declined = ReturnRequest.objects.filter(
        status=ReturnRequest.Status.DECLINED, answered_at__lt=before
    ).exclude(pk__in=_sent_ids("return-declined:"))
    return sum(send_return_requested_notice(pk) for pk in asked.values_list("pk", flat=True)) + sum(
        send_return_declined_notice(pk) for pk in declined.values_list("pk", flat=True)
    )


def staff_recipients() -> list[str]:
    """E-mail addresses of the commission's active staff."""
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    # Everyone who may answer the request (accounts.User.is_commission_staff).
    return sorted({u.email for u in users.filter(Q(role="staff") | Q(is_superuser=True))})


def _return_request(request_id: int) -> ReturnRequest | None:
    return (
        ReturnRequest.objects.select_related("case", "case__district", "requested_by")
        .filter(pk=request_id)
        .first()
    )


def send_return_requested_notice(request_id: int) -> bool:
    """Tell staff that a district asks for its submitted case back."""
    request = _return_request(request_id)
    if request is None:
        return False
    case = request.case
    subject = _("【案例评选】%(district)s申请退回案例%(title)s") % {
        "district": case.district or _("未注明区"),
        "title": quoted(case.title),
    }
    body = render_to_string(
        "cases/email/return_requested.txt",
        {
            "case": case,
            "request": request,
            "url": site_url(reverse("cases:staff_case", args=[case.pk])),
        },
    )
    return send_once(
        key=f"return-requested:{request.pk}",
        subject=subject,
        body=body,
        recipients=staff_recipients(),
    )


def send_return_declined_notice(request_id: int) -> bool:
    """Tell the district that staff keep its case as submitted, and why."""
    request = _return_request(request_id)
    if request is None or request.status != ReturnRequest.Status.DECLINED:
        return False
    case = request.case
    subject = _("【案例评选】案例%(title)s的退回申请未获同意") % {"title": quoted(case.title)}
    body = render_to_string(
        "cases/email/return_declined.txt",
        {
            "case": case,
            "request": request,
            "url": site_url(reverse("cases:submission_detail", args=[case.pk])),
        },
    )
    return send_once(
        key=f"return-declined:{request.pk}",
        subject=subject,
        body=body,
        recipients=district_recipients(case.district_id),
    )


def send_transition_notice(transition_id: int) -> bool:
    """Tell the district that staff returned, accepted or rejected its case."""
    transition = (
        CaseTransition.objects.select_related("case", "case__round", "case__district", "by")
        .filter(pk=transition_id)
        .first()
    )
    if transition is None or transition.to_status not in SUBJECTS:
        return False
    case = transition.case
    subject = SUBJECTS[transition.to_status] % {"title": quoted(case.title)}
    body = render_to_string(
        "cases/email/transition.txt",
        {
            "case": case,
            "transition": transition,
            "status": Case.Status(transition.to_status).label,
            "url": site_url(reverse("cases:submission_detail", args=[case.pk])),
        },
    )
    return send_once(
        key=f"transition:{transition.pk}",
        subject=subject,
        body=body,
        recipients=district_recipients(case.district_id),
    )


def send_publication_notice(round_id: int) -> int:
    """Tell each district whose cases are in the published list; the number of mails sent."""
    round_ = Round.objects.filter(pk=round_id, status=Round.Status.PUBLISHED).first()
    if round_ is None:
        return 0
    cases = list(round_.cases.published().select_related("district").in_notice_order())
    by_district = {}
    for case in cases:
        if case.district_id:
            by_district.setdefault(case.district_id, []).append(case)
    sent = 0
    subject = _("【案例评选】%(round)s结果已公布") % {"round": round_.title}
    for district_id, district_cases in by_district.items():
        body = render_to_string(
            "cases/email/published.txt",
            {
                "round": round_,
                "district": district_cases[0].district,
                "cases": district_cases,
                "url": site_url(reverse("cases:round", args=[round_.pk])),
            },
        )
        sent += send_once(
            key=f"published:{round_.pk}:{district_id}",
            subject=subject,
            body=body,
            recipients=district_recipients(district_id),
        )
    return sent
