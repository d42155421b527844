"""Pages for commission staff: rounds (set up, copy, phases), the submissions dashboard with its
Excel export, and checking in a submitted case (accept, return, reject)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts import security
from cases import rounds, workflow
from cases.models import District, Round
from cases.staff import dashboard
from cases.staff.round_forms import bind_round_forms, save_round_forms
from cases.submission import neardup, similarity
from cases.submission.forms import ReasonForm
from cases.submission.views import get_case_or_404
from core import confirm
from core.identifiers import IdentifierError, optional_id
from core.text import quoted


def require_staff(request):
    if not request.user.has_perm("cases.manage_round"):
        raise PermissionDenied


def _round_id(request, name):
    """The round id in ``?name=``, in any script's digits; None when absent, and None with a
    message when it is no id at all (the page then shows its default)."""
    try:
        return optional_id(request.GET.get(name))
    except IdentifierError:
        messages.error(request, _("评选编号无效，已忽略。"))
        return None


def current_round(request):
    """The round asked for (?round=), else the newest one not yet published, else the newest."""
    asked = _round_id(request, "round")
    if asked is not None:
        return get_object_or_404(Round, pk=asked)
    return (
        Round.objects.exclude(status=Round.Status.PUBLISHED).order_by("-year", "-id").first()
        or Round.objects.order_by("-year", "-id").first()
    )


@login_required
def staff_dashboard(request):
    require_staff(request)
    round_ = current_round(request)
    context = {"round": round_, "rounds": Round.objects.order_by("-year", "-id")}
    if round_ is not None:
        rows = dashboard.district_rows(round_)
        context.update(
            {
                "rows": rows,
                "totals": dashboard.totals(rows),
                "status_columns": dashboard.STATUS_COLUMNS,
                "missing": [r["district"] for r in rows if r["not_submitted"]],
                "cases": dashboard.with_best_match(dashboard.filed_cases(round_)),
                "near_copy": similarity.NEAR_COPY,
                "next_phases": [Round.Status(s) for s in rounds.moves_by_hand(round_)],
            }
        )
    return render(request, "cases/staff/dashboard.html", context)


@login_required
def dashboard_export(request, pk):
    require_staff(request)
    round_ = get_object_or_404(Round, pk=pk)
    response = HttpResponse(
        dashboard.export_workbook(round_),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    filename = f"cases-{round_.year}-{stamp}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Contacts' names and phones: an export of personal data (accounts.security).
    security.record_export(request, f"申报工作台导出：{round_}（含联系人和电话）")
    return response


@login_required
def round_list(request):
    require_staff(request)
    return render(
        request, "cases/staff/round_list.html", {"rounds": Round.objects.order_by("-year", "-id")}
    )


@login_required
def round_form(request, pk=None):
    require_staff(request)
    instance = get_object_or_404(Round, pk=pk) if pk else Round()
    initial, source = {}, None
    copy_from = _round_id(request, "copy")
    if pk is None and copy_from is not None:
        source = get_object_or_404(Round, pk=copy_from)
        initial = rounds.copy_settings(source)
    if request.method == "POST":
        forms = bind_round_forms(request.POST, instance)
        saved = save_round_forms(*forms)
        if saved is not None:
            messages.success(request, _("评选%(title)s已保存。") % {"title": quoted(saved.title)})
            return redirect(f"{_dashboard_url()}?round={saved.pk}")
        messages.error(request, _("请根据提示修改后再保存，已填写的内容均已保留。"))
    else:
        forms = bind_round_forms(None, instance, initial=initial)
    form, criteria_set, tier_set = forms
    context = {
        "form": form,
        "criteria_set": criteria_set,
        "tier_set": tier_set,
        "round": instance if pk else None,
        "source": source,
        "latest": Round.objects.order_by("-year", "-id").first(),
    }
    return render(request, "cases/staff/round_form.html", context)


def _dashboard_url():
    return reverse("cases:staff_dashboard")


@login_required
@require_POST
def round_status(request, pk):
    require_staff(request)
    round_ = get_object_or_404(Round, pk=pk)
    to = request.POST.get("to", "")
    if to not in Round.Status.values:
        raise PermissionDenied
    try:
        rounds.set_round_status(round=round_, to=to, user=request.user, by_hand=True)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("评选已转入“%(phase)s”阶段。") % {"phase": round_.phase_label})
    return redirect(f"{_dashboard_url()}?round={round_.pk}")


@login_required
def case_review(request, pk):
    require_staff(request)
    case = get_case_or_404(request, pk)
    context = {
        "case": case,
        "key_figures": case.key_figures.all(),
        "attachments": case.attachments.all(),
        "transitions": case.transitions.select_related("by"),
        "matches": neardup.submission_matches(case),
        "near_copy": similarity.NEAR_COPY,
        "not_a_copy": neardup.marked_not_a_copy(case),
        "can_review": request.user.has_perm("cases.review_case", case),
        "return_request": workflow.open_return_request(case),
        "districts": District.objects.all() if case.district_id is None else None,
    }
    return render(request, "cases/staff/case_review.html", context)


@login_required
@require_POST
def case_district(request, pk):
    """A person names the district of a case whose text names none (an imported notice's
    flagged case): never guessed, set here with the history row, no admin needed."""
    require_staff(request)
    case = get_case_or_404(request, pk)
    try:
        district_id = optional_id(request.POST.get("district"))
    except IdentifierError:
        district_id = None
    district = District.objects.filter(pk=district_id).first() if district_id else None
    if case.district_id is not None:
        messages.error(request, _("该案例已有所在区，无需指定。"))
    elif district is None:
        messages.error(request, _("请选择案例所在的区。"))
    else:
        case.district = district
        case._history_user = request.user
        case._change_reason = _("工作人员指定所在区")
        case.save(update_fields=["district", "updated_at"])
        messages.success(request, _("已将案例所在区指定为%(district)s。") % {"district": district})
    return redirect("cases:staff_case", case.pk)


@login_required
@require_POST
def case_not_a_copy(request, pk):
    """Staff's word on a near-copy pair: not a copy (the pair stays listed, marked), or,
    with ``undo``, a possible copy again."""
    require_staff(request)
    case = get_case_or_404(request, pk)
    try:
        other = optional_id(request.POST.get("other"))
    except IdentifierError:
        other = None
    undo = bool(request.POST.get("undo"))
    if other is None or not neardup.mark_not_a_copy(
        case=case, other_id=other, user=request.user, not_a_copy=not undo
    ):
        messages.error(request, _("没有这对疑似重复的案例（文字可能已修改），未作标记。"))
    elif undo:
        messages.success(request, _("已撤销“不是重复”的确认。"))
    else:
        messages.success(request, _("已确认这两个案例不是重复申报，相似度仍会列出。"))
    return redirect("cases:staff_case", case.pk)


@login_required
@require_POST
def return_request_decline(request, pk):
    """Staff keep the case as submitted and tell the district why (退回申请：不同意)."""
    require_staff(request)
    case = get_case_or_404(request, pk, "cases.review_case")
    form = ReasonForm(request.POST)
    answer = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        workflow.decline_return_request(case=case, user=request.user, answer=answer)
    except workflow.TransitionError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已答复区里：不同意退回，案例保持已提交。"))
    return redirect("cases:staff_case", case.pk)


REVIEW_ACTIONS = {
    "accept": (workflow.accept, gettext_lazy("案例已受理，将进入网络投票。")),
    "return": (workflow.return_for_revision, gettext_lazy("案例已退回区里修改。")),
    "reject": (workflow.reject, gettext_lazy("案例已标记为不予受理。")),
}

# The check-in steps that cannot be taken back ask first (core.confirm); 退回修改 can be
# answered by the district, so it acts at once.
IRREVERSIBLE = {
    "accept": (
        gettext_lazy("受理案例"),
        gettext_lazy("受理"),
        [
            gettext_lazy("案例状态改为“已受理”，区里不能再修改或撤回。"),
            gettext_lazy("网络投票开始后，案例将出现在公众投票页。"),
            gettext_lazy("系统将邮件通知该区经办人。"),
        ],
    ),
    "reject": (
        gettext_lazy("不予受理"),
        gettext_lazy("不予受理"),
        [
            gettext_lazy("案例状态改为“不予受理”，不参加本年度评选，区里不能再提交。"),
            gettext_lazy("填写的说明将显示给区级经办人，并邮件通知该区。"),
        ],
    ),
}


@login_required
@require_http_methods(["GET", "POST"])
def case_review_action(request, pk, action):
    require_staff(request)
    if action not in REVIEW_ACTIONS:
        raise Http404
    case = get_case_or_404(request, pk, "cases.review_case")
    if action in IRREVERSIBLE and not confirm.is_confirmed(request):
        title, button, lines = IRREVERSIBLE[action]
        reason = request.POST.get("reason", "").strip() if request.method == "POST" else ""
        warnings = []
        if action == "accept" and reason:
            warnings.append(_("说明：%(reason)s") % {"reason": reason})
        return confirm.ask(
            request,
            confirm.Confirmation(
                title=str(title),
                subject=f"{case.district or ''} · {case.title}",
                consequences=[str(line) for line in lines],
                warnings=warnings,
                button=str(button),
                cancel_url=reverse("cases:staff_case", args=[case.pk]),
                carry=("reason",),
                reason_label=_("不予受理的说明（必填，区级经办人将看到）")
                if action == "reject"
                else "",
            ),
        )
    if request.method != "POST":
        return redirect("cases:staff_case", case.pk)
    change, success = REVIEW_ACTIONS[action]
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        change(case=case, user=request.user, reason=reason)
    except workflow.TransitionError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("cases:staff_case", case.pk)
    messages.success(request, success)
    return redirect(f"{_dashboard_url()}?round={case.round_id}")
