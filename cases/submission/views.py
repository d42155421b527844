"""Pages for district officers: their cases, the case form, preview, submission, attachments.

Every view fetches its object through ``get_case_or_404`` with the permission it needs (rules in
cases/rules.py); state changes go through cases/workflow.py.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cases import workflow
from cases.models import Case, Round
from cases.submission import attachments, steps
from cases.submission.forms import (
    AttachmentForm,
    CaseForm,
    KeyFigureFormSet,
    ReasonForm,
    ReturnRequestForm,
    save_key_figures,
)
from core import confirm
from core.text import quoted

FIGURES_PREFIX = "figures"


def get_case_or_404(request, pk, perm=None):
    """The case if ``request.user`` may see it on the submission pages and, when ``perm`` is
    given, also has that permission: 404 for those who may not see it, 403 for the rest."""
    case = get_object_or_404(Case.objects.select_related("round", "district", "topic"), pk=pk)
    if not request.user.has_perm("cases.view_submission", case):
        raise Http404
    if perm and not request.user.has_perm(perm, case):
        raise PermissionDenied
    return case


def _quota(round_, district_id):
    return {
        "used": workflow.quota_used(round_, district_id),
        "max": round_.max_cases_per_district,
    }


def _superuser_without_district(user):
    """The superuser (the commission's admin) reaches these pages by its links but belongs to
    no district: it is told so on a page before any permission check answers a bare 403."""
    return user.is_superuser and user.district_id is None


def _not_an_officer(request):
    """The officers' own pages need a district: a superuser passes every permission check but
    has none, so it is told so on a page (not a 500, nor a case of no district)."""
    reason = _(
        "案例填报页面供各区填报人员使用。您的账号未关联任何区，不能在此填报案例；"
        "市发改委工作人员请在工作台查看各区申报。"
    )
    return render(request, "403.html", {"reason": reason}, status=403)


@login_required
def my_cases(request):
    if _superuser_without_district(request.user):
        return _not_an_officer(request)
    if not request.user.has_perm("cases.file_cases"):
        raise PermissionDenied
    district = request.user.district
    if district is None:
        return _not_an_officer(request)
    open_rounds = []
    for round_ in Round.objects.filter(status=Round.Status.SUBMISSION).order_by("-year"):
        open_rounds.append(
            {
                "round": round_,
                "quota": _quota(round_, district.pk),
                "can_add": request.user.has_perm("cases.add_case_to_round", round_),
                "window_open": round_.window_open("submission"),
            }
        )
    cases = (
        Case.objects.filter(district=district)
        .exclude(round__status=Round.Status.PUBLISHED)
        .select_related("round", "topic")
        .order_by("-round__year", "-updated_at")
    )
    return render(
        request,
        "cases/submission/my_cases.html",
        {"district": district, "open_rounds": open_rounds, "cases": cases},
    )


def _case_form_page(request, case, *, round_):
    """Show and handle the case form for a new (unsaved) or existing case."""
    action = request.POST.get("action", "draft")
    if request.method == "POST":
        form = CaseForm(request.POST, instance=case, complete=action == "submit")
        formset = KeyFigureFormSet(request.POST, instance=case, prefix=FIGURES_PREFIX)
        if form.is_valid() and formset.is_valid():
            with transaction.atomic():
                case = form.save()
                save_key_figures(formset, case)
            if action == "submit":
                # Saved; submitting asks first (the confirmation page of case_submit).
                messages.info(request, _("内容已保存。请确认后提交申报。"))
                return redirect("cases:submission_submit", case.pk)
            if action == "preview":
                return redirect("cases:submission_preview", case.pk)
            messages.success(request, _("草稿已保存。"))
            return redirect("cases:submission_edit", case.pk)
        messages.error(request, _("请根据下方提示修改后再保存，已填写的内容均已保留。"))
        status = 200
    else:
        form = CaseForm(instance=case)
        formset = KeyFigureFormSet(instance=case, prefix=FIGURES_PREFIX)
        status = 200
    context = {
        "form": form,
        "formset": formset,
        "case": case,
        "round": round_,
        "quota": _quota(round_, case.district_id),
        "autosave_key": f"case-form:{request.user.pk}:{round_.pk}:{case.pk or 'new'}",
        # A returned case keeps the commission's comment in sight while it is revised.
        "staff_comment": case.latest_transition(to=Case.Status.RETURNED)
        if case.pk and case.status == Case.Status.RETURNED
        else None,
    }
    return render(request, "cases/submission/case_form.html", context, status=status)


@login_required
def case_create(request, round_pk):
    round_ = get_object_or_404(Round, pk=round_pk)
    if _superuser_without_district(request.user):
        return _not_an_officer(request)
    if not request.user.has_perm("cases.add_case_to_round", round_):
        raise PermissionDenied
    if request.user.district_id is None:
        return _not_an_officer(request)
    case = Case(round=round_, district=request.user.district, created_by=request.user)
    return _case_form_page(request, case, round_=round_)


@login_required
def case_edit(request, pk):
    case = get_case_or_404(request, pk)
    if steps.is_locked_for_own_officer(case, request.user):
        context = steps.lock_explanation(case, request.user)
        return render(request, "cases/submission/locked.html", context, status=403)
    if not request.user.has_perm("cases.change_case", case):
        raise PermissionDenied
    return _case_form_page(request, case, round_=case.round)


@login_required
def case_detail(request, pk):
    case = get_case_or_404(request, pk)
    user = request.user
    context = {
        "case": case,
        "key_figures": case.key_figures.all(),
        "attachments": case.attachments.all(),
        "transitions": case.transitions.select_related("by"),
        "last_comment": case.latest_transition()
        if case.status in (Case.Status.RETURNED, Case.Status.REJECTED)
        else None,
        "attachment_form": AttachmentForm(case=case),
        "can": {
            "change": user.has_perm("cases.change_case", case),
            "submit": user.has_perm("cases.submit_case", case),
            "withdraw": user.has_perm("cases.withdraw_case", case),
            "delete": user.has_perm("cases.delete_case", case),
            "review": user.has_perm("cases.review_case", case),
        },
        "quota": _quota(case.round, case.district_id) if case.district_id else None,
        "return_panel": steps.return_request_panel(case, user),
    }
    return render(request, "cases/submission/case_detail.html", context)


@login_required
def case_preview(request, pk):
    case = get_case_or_404(request, pk)
    return render(
        request,
        "cases/submission/preview.html",
        {"case": case, "can_submit": request.user.has_perm("cases.submit_case", case)},
    )


@login_required
def case_history(request, pk):
    case = get_case_or_404(request, pk)
    return render(
        request,
        "cases/submission/history.html",
        {
            "case": case,
            "transitions": case.transitions.select_related("by"),
            "return_requests": case.return_requests.select_related("requested_by", "answered_by"),
        },
    )


def _transition(request, case, change, success):
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        change(case=case, user=request.user, reason=reason)
    except workflow.TransitionError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)


@login_required
@require_http_methods(["GET", "POST"])
def case_submit(request, pk):
    case = get_case_or_404(request, pk, "cases.submit_case")
    if not confirm.is_confirmed(request):
        return confirm.ask(request, steps.submit_confirmation(case))
    try:
        workflow.submit(case=case, user=request.user)
    except workflow.TransitionError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("案例已提交申报，等待市发改委受理。"))
    return redirect("cases:submission_detail", case.pk)


@login_required
@require_POST
def case_withdraw(request, pk):
    case = get_case_or_404(request, pk, "cases.withdraw_case")
    _transition(request, case, workflow.withdraw, _("案例已撤回，本区的申报名额已释放。"))
    return redirect("cases:submission_detail", case.pk)


@login_required
@require_POST
def case_return_request(request, pk):
    """申请退回修改: the district asks for its submitted case back."""
    case = get_case_or_404(request, pk, "cases.request_return")
    form = ReturnRequestForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        workflow.request_return(case=case, user=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已向市发改委申请退回修改，处理结果将显示在本页。"))
    return redirect(reverse("cases:submission_detail", args=[case.pk]) + "#return-request")


@login_required
@require_http_methods(["GET", "POST"])
def case_delete(request, pk):
    case = get_case_or_404(request, pk, "cases.delete_case")
    if not confirm.is_confirmed(request):
        return confirm.ask(request, steps.delete_draft_confirmation(case))
    title = case.title
    case.delete()
    messages.success(request, _("草稿%(title)s已删除。") % {"title": quoted(title)})
    return redirect("cases:my_cases")


@login_required
@require_POST
def attachment_upload(request, pk):
    case = get_case_or_404(request, pk, "cases.change_case")
    form = AttachmentForm(request.POST, request.FILES, case=case)
    if form.is_valid():
        uploaded = form.cleaned_data["file"]
        try:
            attachments.store(case=case, uploaded=uploaded, user=request.user)
        except ValidationError as exc:
            for error in exc.messages:
                messages.error(request, error)
        else:
            messages.success(request, _("附件“%(name)s”已上传。") % {"name": uploaded.name})
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("cases:submission_detail", case.pk)


@login_required
@require_http_methods(["GET", "POST"])
def attachment_delete(request, pk, attachment_pk):
    case = get_case_or_404(request, pk, "cases.change_case")
    attachment = get_object_or_404(case.attachments, pk=attachment_pk)
    if not confirm.is_confirmed(request):
        return confirm.ask(request, steps.attachment_delete_confirmation(case, attachment))
    attachment.file.delete(save=False)
    attachment.delete()
    messages.success(request, _("附件“%(name)s”已删除。") % {"name": attachment.original_name})
    return redirect("cases:submission_detail", case.pk)


@login_required
def attachment_download(request, pk, attachment_pk):
    case = get_case_or_404(request, pk)
    attachment = get_object_or_404(case.attachments, pk=attachment_pk)
    return attachments.download_response(attachment)
