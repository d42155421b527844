"""What the officer is asked before a step that cannot be taken back (core.confirm), and what a
locked case tells an officer who tries to edit it.

Submitting (提交申报) uses up a quota place and locks the case; deleting an attachment removes
the file for good. Both ask first, on a page that works without script. A submitted case can
be asked back (申请退回修改) from the locked page and the case page.
"""

from django.urls import reverse
from django.utils.translation import gettext as _

from cases import workflow
from cases.models import Case, ReturnRequest
from core import confirm


def submit_confirmation(case: Case) -> confirm.Confirmation:
    used = workflow.quota_used(case.round, case.district_id, exclude_pk=case.pk)
    warnings = []
    try:
        workflow.check_can_submit(case)
    except workflow.TransitionError as exc:
        # Shown before the officer confirms; the step itself checks again and refuses.
        warnings.extend(exc.messages)
    resubmit = case.status == Case.Status.RETURNED
    return confirm.Confirmation(
        title=_("重新提交申报") if resubmit else _("提交申报"),
        subject=case.full_title,
        consequences=[
            _("案例状态改为“已申报”，提交后本区不能再修改，除非市发改委退回。"),
            _("占用本区申报名额：提交后本区已申报 %(used)s / %(max)s 个。")
            % {"used": used + 1, "max": case.round.max_cases_per_district},
            _("网络投票开始前可以撤回；撤回后名额释放，案例不能再恢复。"),
        ],
        warnings=warnings,
        button=_("确认提交"),
        cancel_url=reverse("cases:submission_detail", args=[case.pk]),
    )


def attachment_delete_confirmation(case: Case, attachment) -> confirm.Confirmation:
    return confirm.Confirmation(
        title=_("删除附件"),
        subject=attachment.original_name,
        consequences=[
            _("附件“%(name)s”将从案例“%(title)s”中删除，文件不能恢复。")
            % {"name": attachment.original_name, "title": case.title},
        ],
        button=_("确认删除"),
        cancel_url=reverse("cases:submission_detail", args=[case.pk]) + "#attachments",
    )


def delete_draft_confirmation(case: Case) -> confirm.Confirmation:
    return confirm.Confirmation(
        title=_("删除草稿"),
        subject=case.full_title,
        consequences=[
            _("草稿连同其关键数据和附件一并删除，不能恢复。"),
            _("草稿不占用本区申报名额，删除后名额不变。"),
        ],
        button=_("确认删除"),
        cancel_url=reverse("cases:submission_detail", args=[case.pk]),
    )


def return_request_panel(case: Case, user) -> dict | None:
    """What the district's officer sees of asking for the submitted case back: the open or
    declined request, and whether a new one may be made; None where there is nothing to show
    (not submitted, or not the district's officer)."""
    if case.status != Case.Status.SUBMITTED or not workflow.is_district_officer(user, case):
        return None
    # Only this submission's requests: a refusal before the case was last returned and
    # submitted again is history (the 处理记录 page), not the answer to this one.
    requests = case.return_requests.all()
    if case.submitted_at is not None:
        requests = requests.filter(requested_at__gte=case.submitted_at)
    latest = requests.first()
    shown = {ReturnRequest.Status.OPEN, ReturnRequest.Status.DECLINED}
    request = latest if latest is not None and latest.status in shown else None
    can_ask = user.has_perm("cases.request_return", case) and not (
        request is not None and request.status == ReturnRequest.Status.OPEN
    )
    return {"request": request, "can_ask": can_ask}


def lock_explanation(case: Case, user) -> dict:
    """Why an officer of the case's own district cannot edit it, and the way back, for the
    locked page (cases/submission/locked.html)."""
    return {
        "case": case,
        "status": case.get_status_display(),
        "submitted": case.status in (Case.Status.SUBMITTED, Case.Status.ACCEPTED),
        "can_withdraw": user.has_perm("cases.withdraw_case", case),
        "round_closed": case.round.status != "submission",
        "last_transition": case.latest_transition(),
        "return_panel": return_request_panel(case, user),
    }


def is_locked_for_own_officer(case: Case, user) -> bool:
    """An officer of the case's district who may see it but not edit it (its state, not who
    they are, stops them): they get the explanation, not a bare 403."""
    return (
        getattr(user, "is_officer", False)
        and not getattr(user, "is_commission_staff", False)
        and user.district_id is not None
        and user.district_id == case.district_id
        and not user.has_perm("cases.change_case", case)
    )
