"""The expert's pages: my assignments, a score sheet, declaring a conflict, a printable sheet.

An expert reaches an assignment only through ``_own_assignment``: any other id is a 404, so
no expert learns that another expert's sheet exists, let alone its scores.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.models import Round
from cases.submission import attachments as case_attachments
from core import confirm

from .. import review
from ..forms import ReasonForm, ScoreSheetForm
from ..models import Assignment, ScoreSheet
from ..rules import can
from .common import expert_required, get_round


def _own_assignment(request, pk) -> Assignment:
    assignment = (
        Assignment.objects.select_related("case", "case__district", "round").filter(pk=pk).first()
    )
    if assignment is None or not can("reviews.view_assignment", request.user, assignment):
        raise Http404
    return assignment


@expert_required
def home(request: HttpRequest) -> HttpResponse:
    assignments = (
        Assignment.objects.filter(expert=request.user, case__shortlisted=True)
        .select_related("case", "case__district", "round", "sheet")
        .order_by("-round__year", "case__district__order", "case_id")
    )
    rounds = {}
    for assignment in assignments:
        if assignment.round_id not in rounds:
            is_open, state = review.review_state(assignment.round)
            rounds[assignment.round_id] = {
                "round": assignment.round,
                "items": [],
                "open": is_open,
                "state": state,
            }
        entry = rounds[assignment.round_id]
        entry["items"].append(assignment)
    return render(request, "reviews/expert_home.html", {"rounds": list(rounds.values())})


@expert_required
def sheet(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _own_assignment(request, pk)
    existing = ScoreSheet.objects.filter(assignment=assignment).first()
    submitted = bool(existing and existing.status == ScoreSheet.Status.SUBMITTED)
    can_score = can("reviews.score_assignment", request.user, assignment) and not submitted
    criteria = review.round_criteria(assignment.round)
    initial = {k: v for k, v in review.sheet_values(existing).items()}
    form = ScoreSheetForm(
        request.POST if request.method == "POST" and can_score else None,
        criteria=criteria,
        initial_values=initial,
        disabled=not can_score,
        guidance=review.criteria_guidance(assignment.round),
        initial={
            "comment": existing.comment if existing else "",
            "district_comment": existing.district_comment if existing else "",
        },
    )
    if request.method == "POST":
        if not can_score:
            raise PermissionDenied
        submit = request.POST.get("action") == "submit"
        # Submitting locks the sheet: a complete sheet is first saved as a draft and the
        # expert confirms on a page that lists the scores (no JavaScript needed). Only the
        # scores that page listed are submitted: a confirmation whose scores differ (an edited
        # POST, a page listed before another tab's change) is asked again.
        confirming = submit and not confirm.is_confirmed(request)
        changed = False
        if form.is_valid():
            try:
                if submit:
                    scores = review.clean_sheet_values(criteria, form.values(), complete=True)
                    listed = review.scores_fingerprint(assignment, scores)
                    if not confirming and not constant_time_compare(
                        request.POST.get(LISTED_FIELD, ""), listed
                    ):
                        confirming = changed = True
                review.save_sheet(
                    assignment=assignment,
                    user=request.user,
                    values=form.values(),
                    comment=form.cleaned_data["comment"],
                    district_comment=form.cleaned_data["district_comment"],
                    submit=submit and not confirming,
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                if confirming:
                    confirmation = _submit_confirmation(assignment, criteria, scores, listed)
                    if changed:
                        confirmation.warnings.insert(
                            0, _("提交的评分与确认页所列不一致，请核对以下评分后重新确认。")
                        )
                    return confirm.ask(request, confirmation)
                if submit:
                    messages.success(request, _("评分已提交，评分表已锁定。"))
                    return redirect("reviews:expert_home")
                messages.success(request, _("草稿已保存。"))
                return redirect("reviews:sheet", pk=assignment.pk)
    case = assignment.case
    context = {
        "assignment": assignment,
        "case": case,
        "sheet": existing,
        "form": form,
        "can_score": can_score,
        "submitted": submitted,
        "recuse_form": ReasonForm(),
        "can_recuse": can("reviews.recuse", request.user, assignment) and not submitted,
        # The saved total; static/js/score_sheet.js keeps it current while typing.
        "total": review.sheet_total(criteria, initial),
        "max_total": review.sheet_total(criteria, {c.key: c.max for c in criteria}),
        "key_figures": case.key_figures.all(),
        "attachments": case.attachments.all(),
        "next_assignment": review.next_unscored(assignment),
        # What the browser keeps while the expert types (static/js/score_sheet.js), so that a
        # pause past the idle timeout loses nothing: per user and assignment.
        "autosave_key": f"score-sheet:{request.user.pk}:{assignment.pk}",
        "server_updated": int(existing.updated_at.timestamp()) if existing else 0,
    }
    return render(request, "reviews/expert_sheet.html", context)


LISTED_FIELD = "listed"  # the digest of the scores a confirmation page listed


def _submit_confirmation(assignment, criteria, scores, listed) -> confirm.Confirmation:
    lines = [
        _("%(label)s：%(score)s / %(max)s")
        % {"label": c.label, "score": scores[c.key], "max": f"{c.max.normalize():f}"}
        for c in criteria
    ]
    total = review.sheet_total(criteria, scores)
    maximum = review.sheet_total(criteria, {c.key: c.max for c in criteria})
    lines.append(
        _("合计：%(total)s / %(max)s")
        % {"total": f"{total:.2f}", "max": f"{maximum.normalize():f}"}
    )
    return confirm.Confirmation(
        title=_("提交评分"),
        subject=assignment.case.title,
        consequences=[
            _("评分表提交后锁定，不能再修改；如需修改，须联系工作人员退回。"),
            *lines,
        ],
        warnings=[_("以上评分已先保存为草稿，返回评分表可继续修改。")],
        button=_("确认提交评分"),
        cancel_url=reverse("reviews:sheet", args=[assignment.pk]),
        carry=(*(c.key for c in criteria), "comment", "district_comment", "action"),
        hidden=((LISTED_FIELD, listed),),
    )


@expert_required
def sheet_attachment(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    """An attachment of the case of the expert's own assignment (404 for any other)."""
    assignment = _own_assignment(request, pk)
    attachment = get_object_or_404(assignment.case.attachments, pk=attachment_pk)
    return case_attachments.download_response(attachment)


@require_POST
@expert_required
def recuse(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _own_assignment(request, pk)
    if not can("reviews.recuse", request.user, assignment):
        raise PermissionDenied
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("请填写回避理由。"))
        review.recuse(assignment=assignment, user=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("reviews:sheet", pk=assignment.pk)
    messages.success(request, _("已声明回避：%(title)s") % {"title": assignment.case.title})
    return redirect("reviews:expert_home")


def render_print_sheet(request, round_: Round, expert) -> HttpResponse:
    """A blank paper score sheet for one expert (printed for the review meeting)."""
    if not request.user.has_perm("reviews.print_sheet", expert):
        raise PermissionDenied
    assignments = (
        Assignment.objects.filter(
            round=round_, expert=expert, recused=False, case__shortlisted=True
        )
        .select_related("case", "case__district")
        .order_by("case__district__order", "case_id")
    )
    criteria = review.round_criteria(round_)
    guidance = review.criteria_guidance(round_)
    context = {
        "round": round_,
        "expert": expert,
        "assignments": assignments,
        "criteria": criteria,
        "guidance": [(c.label, guidance[c.key]) for c in criteria if guidance[c.key]],
        "printed_at": timezone.localtime(),
    }
    return render(request, "reviews/print_sheet.html", context)


@expert_required
def print_mine(request: HttpRequest, pk: int) -> HttpResponse:
    return render_print_sheet(request, get_round(pk), request.user)
