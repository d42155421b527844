"""The one door for a case's states.

    draft ──submit──▶ submitted ──accept──▶ accepted
                        │  ▲  └──reject──▶ rejected
                 return │  │ submit
                        ▼  │
                      returned
    submitted / returned / accepted ──withdraw──▶ withdrawn   (by the district, before the vote)

Rules decided here:
- A district submits at most ``Round.max_cases_per_district`` cases; a case counts while it is
  submitted, returned or accepted (``Case.QUOTA_STATES``). Drafts do not count, nor do rejected
  or withdrawn cases, whose place becomes free again.
- A draft can be submitted only while the round is in its submission phase and its window is
  open (``Round.window_open('submission')``). A case returned for revision may be resubmitted
  after the closing time, as long as the round is still in its submission phase: staff returned
  it and decide when the phase ends.
- A case can be withdrawn until the vote starts (round still in draft/submission phase and the
  vote not yet open).
- Staff return, accept or reject submitted cases; returning and rejecting need a reason, which
  the district sees.
- Publication (accepted → published) belongs to the publishing step, not to this module.
- A district may ask for its submitted case back (``request_return``, one open request per
  case). Staff grant it by returning the case, or decline it with a reason; a case that leaves
  the submitted state closes its open request either way (``set_case_status``).

Every change goes through ``set_case_status``; ``submit`` … ``withdraw`` only call it.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, CaseTransition, ReturnRequest, Round
from core.outbox import enqueue

S = Case.Status


class TransitionError(ValidationError):
    """A state change that is not allowed; the message is meant for the user."""


# --- small predicates --------------------------------------------------------------------------


def is_staff(user) -> bool:
    return bool(user and user.is_authenticated and user.is_commission_staff)


def is_district_officer(user, case) -> bool:
    return bool(
        user
        and user.is_authenticated
        and user.is_officer
        and case.district_id is not None
        and user.district_id == case.district_id
    )


def vote_started(round_: Round, now=None) -> bool:
    now = now or timezone.now()
    if round_.status not in (Round.Status.DRAFT, Round.Status.SUBMISSION):
        return True
    return round_.vote_opens is not None and round_.vote_opens <= now


def can_submit(case, user) -> bool:
    return case.status in (S.DRAFT, S.RETURNED) and is_district_officer(user, case)


def can_withdraw(case, user) -> bool:
    return (
        case.status in (S.SUBMITTED, S.RETURNED, S.ACCEPTED)
        and is_district_officer(user, case)
        and not vote_started(case.round)
    )


def can_return(case, user) -> bool:
    return case.status == S.SUBMITTED and is_staff(user)


def can_accept(case, user) -> bool:
    return case.status == S.SUBMITTED and is_staff(user)


def can_reject(case, user) -> bool:
    return case.status == S.SUBMITTED and is_staff(user)


# (from, to) → the predicate that allows it. A pair not listed is never allowed.
TRANSITIONS = {
    (S.DRAFT, S.SUBMITTED): can_submit,
    (S.RETURNED, S.SUBMITTED): can_submit,
    (S.SUBMITTED, S.RETURNED): can_return,
    (S.SUBMITTED, S.ACCEPTED): can_accept,
    (S.SUBMITTED, S.REJECTED): can_reject,
    (S.SUBMITTED, S.WITHDRAWN): can_withdraw,
    (S.RETURNED, S.WITHDRAWN): can_withdraw,
    (S.ACCEPTED, S.WITHDRAWN): can_withdraw,
}
REASON_REQUIRED = {S.RETURNED, S.REJECTED}
# Transitions the district is told about by e-mail.
NOTIFY = {S.RETURNED, S.ACCEPTED, S.REJECTED}


def allowed(case, to, user) -> bool:
    predicate = TRANSITIONS.get((case.status, to))
    return bool(predicate and predicate(case, user))


def quota_used(round_: Round, district_id, exclude_pk=None) -> int:
    cases = Case.objects.filter(round=round_, district_id=district_id, status__in=Case.QUOTA_STATES)
    if exclude_pk:
        cases = cases.exclude(pk=exclude_pk)
    return cases.count()


def check_can_submit(case, now=None):
    """Deadline, quota and completeness; raises TransitionError with a Chinese message."""
    round_ = case.round
    if round_.status != Round.Status.SUBMISSION:
        raise TransitionError(_("“%(round)s”当前不在申报阶段，不能提交申报。") % {"round": round_})
    if case.status == S.DRAFT and not round_.window_open("submission", now):
        now = now or timezone.now()
        if round_.submission_opens and now < round_.submission_opens:
            raise TransitionError(
                _("申报尚未开始，开始时间为 %(time)s。")
                % {"time": timezone.localtime(round_.submission_opens).strftime("%Y-%m-%d %H:%M")}
            )
        raise TransitionError(
            _("申报已于 %(time)s 截止，不能再提交新的案例。")
            % {"time": timezone.localtime(round_.submission_closes).strftime("%Y-%m-%d %H:%M")}
        )
    used = quota_used(round_, case.district_id, exclude_pk=case.pk)
    if used >= round_.max_cases_per_district:
        raise TransitionError(
            _(
                "本区在“%(round)s”中已申报 %(used)s 个案例，已达每区上限 %(max)s 个。"
                "如需提交本案例，请先撤回一个已申报的案例。"
            )
            % {"round": round_, "used": used, "max": round_.max_cases_per_district}
        )
    missing = case.missing_for_submission()
    if missing:
        raise TransitionError(
            _("案例尚不完整，请先填写：%(fields)s。") % {"fields": "、".join(missing)}
        )


def _deny(case, to, user):
    if (case.status, to) not in TRANSITIONS:
        return _("案例当前状态为“%(now)s”，不能改为“%(to)s”。") % {
            "now": case.get_status_display(),
            "to": S(to).label,
        }
    if to == S.WITHDRAWN and vote_started(case.round):
        return _("网络投票已经开始，案例不能再撤回。")
    return _("您无权进行此操作。")


def set_case_status(*, case: Case, to: str, user, reason: str = "") -> CaseTransition:
    """Move ``case`` to state ``to`` on behalf of ``user``; the only place a case state changes.

    Raises TransitionError when not allowed. On success the case is saved, a CaseTransition row
    records who, when, from, to and why, and the district is notified after the commit.
    """
    to = S(to)
    reason = (reason or "").strip()
    with transaction.atomic():
        # Lock the round: two officers of one district submitting at once would otherwise both
        # see one free place and both take it.
        Round.objects.select_for_update().filter(pk=case.round_id).first()
        locked = Case.objects.select_for_update().select_related("round").get(pk=case.pk)
        if not allowed(locked, to, user):
            raise TransitionError(_deny(locked, to, user))
        if to in REASON_REQUIRED and not reason:
            raise TransitionError(_("请填写退回或不予受理的理由，区级经办人将看到这段说明。"))
        if to == S.SUBMITTED:
            check_can_submit(locked)
        from_status = locked.status
        locked.status = to
        fields = ["status", "updated_at"]
        if to == S.SUBMITTED:
            locked.submitted_at = timezone.now()
            fields.append("submitted_at")
        locked._change_reason = reason or f"{from_status} → {to}"
        if user is not None and user.is_authenticated:
            locked._history_user = user
        locked.save(update_fields=fields)
        transition = CaseTransition.objects.create(
            case=locked,
            from_status=from_status,
            to_status=to,
            by=user if user is not None and user.is_authenticated else None,
            reason=reason,
        )
        if from_status == S.SUBMITTED:
            _close_return_requests(locked, to, user, reason)
        if to in NOTIFY:
            from cases.tasks import notify_case_transition

            transaction.on_commit(lambda: enqueue(notify_case_transition, transition.pk))
    for name in ("status", "submitted_at", "updated_at"):
        setattr(case, name, getattr(locked, name))
    return transition


def submit(*, case, user):
    return set_case_status(case=case, to=S.SUBMITTED, user=user)


def return_for_revision(*, case, user, reason):
    return set_case_status(case=case, to=S.RETURNED, user=user, reason=reason)


def accept(*, case, user, reason=""):
    return set_case_status(case=case, to=S.ACCEPTED, user=user, reason=reason)


def reject(*, case, user, reason):
    return set_case_status(case=case, to=S.REJECTED, user=user, reason=reason)


def withdraw(*, case, user, reason=""):
    return set_case_status(case=case, to=S.WITHDRAWN, user=user, reason=reason)


# --- Requests to return a submitted case ------------------------------------------------------

R = ReturnRequest.Status


def open_return_request(case) -> ReturnRequest | None:
    return case.return_requests.filter(status=R.OPEN).first()


def request_return(*, case, user, reason: str) -> ReturnRequest:
    """The district asks for its submitted case back; staff see the request on the case."""
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if not is_district_officer(user, locked):
            raise TransitionError(_("您无权进行此操作。"))
        if locked.status != S.SUBMITTED:
            raise TransitionError(
                _("只有已提交、尚未受理的案例可以申请退回；案例当前状态为“%(now)s”。")
                % {"now": locked.get_status_display()}
            )
        if not reason:
            raise TransitionError(_("请说明要修改的内容和原因。"))
        if open_return_request(locked) is not None:
            raise TransitionError(_("已申请退回，请等待市发改委处理。"))
        request = ReturnRequest.objects.create(case=locked, reason=reason, requested_by=user)
        _notify_after_commit("notify_return_requested", request.pk)
        return request


def decline_return_request(*, case, user, answer: str) -> ReturnRequest:
    """Staff keep the case as submitted; ``answer`` tells the district why."""
    answer = (answer or "").strip()
    with transaction.atomic():
        Case.objects.select_for_update().get(pk=case.pk)
        if not is_staff(user):
            raise TransitionError(_("您无权进行此操作。"))
        request = open_return_request(case)
        if request is None:
            raise TransitionError(_("该案例没有待处理的退回申请。"))
        if not answer:
            raise TransitionError(_("请填写不同意退回的理由，区级经办人将看到这段说明。"))
        request.status, request.answer = R.DECLINED, answer
        request.answered_by, request.answered_at = user, timezone.now()
        request.save()
        _notify_after_commit("notify_return_declined", request.pk)
        return request


def _close_return_requests(case, to, user, reason) -> None:
    # Returning the case grants the request; accepting, rejecting or withdrawing it ends it.
    granted = to == S.RETURNED
    ReturnRequest.objects.filter(case=case, status=R.OPEN).update(
        status=R.GRANTED if granted else R.CLOSED,
        answered_by=user if user is not None and user.is_authenticated else None,
        answered_at=timezone.now(),
        answer=reason if granted else _("案例已改为“%(to)s”。") % {"to": S(to).label},
    )


def _notify_after_commit(task_name: str, request_pk: int) -> None:
    from cases import tasks

    task = getattr(tasks, task_name)
    transaction.on_commit(lambda: enqueue(task, request_pk))
