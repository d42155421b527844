"""Staff pages of the selection: watch and close the vote, experts, assignments, paper sheets."""

import base64
import hashlib
from collections import Counter

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cases.models import Round
from core import confirm
from core.identifiers import IdentifierError, parse_id

from .. import review
from ..forms import CloseReviewForm, ExpertForm, ReasonForm, UploadForm
from ..models import Assignment, ScoreSheet
from ..results import is_approved
from ..score_upload import apply_upload, parse_upload
from ..tasks import scan_vote_flags
from ..vote import budget, flags, flags_export, identity, monitor, retention, scan
from ..vote.errors import VoteError
from .common import get_round, staff_required

S = Round.Status
MONITOR_FLAGS = 50  # flags shown on the vote monitor, newest first
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SELECTION_STATUSES = (S.VOTING, S.REVIEW, S.APPROVED, S.PUBLICITY, S.PUBLISHED)
UPLOAD_SESSION_KEY = "reviews_score_upload"


def _id(value) -> int:
    """An id posted by a staff page (core.identifiers), or the message the page shows."""
    try:
        return parse_id(value)
    except IdentifierError as exc:
        raise ValidationError(str(exc)) from None


def _errors(request, exc: ValidationError):
    for message in exc.messages:
        messages.error(request, message)


@staff_required
def rounds(request: HttpRequest) -> HttpResponse:
    items = Round.objects.filter(status__in=SELECTION_STATUSES).order_by("-year", "-id")
    return render(request, "reviews/staff_rounds.html", {"rounds": items})


@staff_required
def vote_monitor(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = get_round(pk, *SELECTION_STATUSES)
    # Flags from the last scan (reviews.vote.scan), queued again when older than five minutes:
    # the page never waits for a scan of every vote.
    # Frozen once the round's personal data is minimised (reviews.vote.retention).
    found = retention.frozen_flags(round_)
    scanned_at = None
    if found is None:
        found, scanned_at = scan.stored(round_)
        if scan.is_stale(round_, scanned_at):
            scan_vote_flags.delay(round_.pk)
            found, scanned_at = scan.stored(round_)  # the scan ran here when tasks run eagerly
    # The fraud review: whole phone numbers, for staff only (masked everywhere else). The
    # newest MONITOR_FLAGS flags: the page's cost must not grow with the flags; the Excel
    # export has them all.
    bursts = monitor.add_burst_voters(found[-MONITOR_FLAGS:])
    for burst in bursts:  # the void form's inputs, one join per flag rather than a loop
        burst.vote_inputs = format_html_join(
            "", '<input type="hidden" name="vote_ids" value="{}">', ((pk,) for pk in burst.vote_ids)
        )
    context = {
        "round": round_,
        "tally": monitor.tally(round_),
        "bursts": bursts,
        "flags_total": len(found),
        "flags_shown": MONITOR_FLAGS,
        "flags_at": scanned_at,
        "sms": budget.usage(),
        "timeline": monitor.timeline(round_),
        "burst_window": int(monitor.BURST_WINDOW.total_seconds() // 60),
        "burst_threshold": monitor.BURST_THRESHOLD,
        "swarm": flags.describe_swarm_rules(),
        "runs": flags.describe_run_rules(),
        "void_form": ReasonForm(),
        "can_close": round_.status == S.VOTING,
    }
    return render(request, "reviews/staff_votes.html", context)


@staff_required
def vote_data(request: HttpRequest, pk: int) -> JsonResponse:
    round_ = get_round(pk, *SELECTION_STATUSES)
    tally = [
        {
            "case": row["case"].pk,
            "title": row["case"].title,
            "votes": row["votes"],
            "voided": row["voided"],
        }
        for row in monitor.tally(round_)
    ]
    return JsonResponse({"tally": tally, "timeline": monitor.timeline(round_)})


@require_POST
@staff_required
def refresh_flags(request: HttpRequest, pk: int) -> HttpResponse:
    """ "立即重新检测": a scan for flags now, at most once a minute (reviews.vote.scan)."""
    round_ = get_round(pk, *SELECTION_STATUSES)
    if scan.may_refresh(round_):
        scan_vote_flags.delay(round_.pk)
        messages.success(request, _("已开始重新检测，稍后刷新本页查看结果。"))
    else:
        messages.info(request, _("异常检测一分钟内只能更新一次，请稍后再试。"))
    return redirect("reviews:votes", pk=round_.pk)


@staff_required
def export_flags(request: HttpRequest, pk: int) -> HttpResponse:
    """The last scan's flags as an Excel workbook, for the record (cells made inert)."""
    round_ = get_round(pk, *SELECTION_STATUSES)
    found, scanned_at = scan.stored(round_)
    response = HttpResponse(content_type=XLSX)
    name = f"vote-flags-{round_.pk}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    flags_export.write(round_, found, scanned_at, response)
    return response


@require_POST
@staff_required
def void(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = get_round(pk, S.VOTING)
    try:
        ids = [_id(value) for value in request.POST.getlist("vote_ids")]
        n = monitor.void_votes(
            round=round_, vote_ids=ids, user=request.user, reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("已作废 %(n)s 张选票。") % {"n": n})
        if n:
            scan_vote_flags.delay(round_.pk)  # the flags without the voided votes
    return redirect("reviews:votes", pk=round_.pk)


@require_POST
@staff_required
def revoke_voters(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke voters' cookies (chosen in a burst, or by phone): their next vote asks them to
    verify their phone again. Recorded in the audit trail with the reason."""
    round_ = get_round(pk, S.VOTING)
    try:
        ids = [_id(value) for value in request.POST.getlist("voter_ids")]
        typed = request.POST.get("phone", "").strip()
        if typed:
            voter = identity.find_voter(identity.normalise_phone(typed))
            if voter is None:
                raise VoteError(_("没有以该手机号验证过的投票人。"))
            ids.append(voter.pk)
        if not ids:
            raise VoteError(_("请选择或填写要吊销的投票人。"))
        n = identity.revoke_voters(
            voter_ids=ids, user=request.user, reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        _errors(request, exc)
    except VoteError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("已吊销 %(n)s 位投票人的投票凭证，其再次投票前须重新验证手机号。") % {"n": n}
        )
    return redirect("reviews:votes", pk=round_.pk)


@require_http_methods(["GET", "POST"])
@staff_required
def close_vote(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = get_round(pk, S.VOTING)
    if not confirm.is_confirmed(request):
        return confirm.ask(
            request,
            confirm.Confirmation(
                title=_("结束网络投票"),
                subject=str(round_),
                consequences=[
                    _("投票立即关闭，公众不能再投票。"),
                    _("按票数计算入围名单（入围 %(n)s 个，并列者一同入围），评选转入专家评审。")
                    % {"n": round_.shortlist_size or _("全部")},
                    _("此后不能再作废选票或吊销投票人。"),
                ],
                button=_("结束投票，计算入围名单"),
                cancel_url=reverse("reviews:votes", args=[round_.pk]),
            ),
        )
    try:
        shortlist = monitor.close_vote(round=round_, user=request.user)
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("reviews:votes", pk=round_.pk)
    messages.success(
        request, _("网络投票已结束，%(n)s 个案例入围专家评审。") % {"n": len(shortlist)}
    )
    return redirect("reviews:assignments", pk=round_.pk)


@staff_required
def experts(request: HttpRequest) -> HttpResponse:
    form = ExpertForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        messages.success(request, _("已登记评审专家 %(name)s。") % {"name": user})
        return redirect("reviews:experts")
    return render(
        request, "reviews/staff_experts.html", {"form": form, "experts": review.experts()}
    )


@staff_required
def assignments(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = get_round(pk, S.REVIEW, S.APPROVED, S.PUBLICITY, S.PUBLISHED)
    cases = list(review.shortlisted_cases(round_))
    pool = list(review.experts())
    by_pair = {
        (a.case_id, a.expert_id): a
        for a in Assignment.objects.filter(round=round_).select_related("sheet")
    }
    rows = []
    for case in cases:
        cells = []
        for expert in pool:
            assignment = by_pair.get((case.pk, expert.pk))
            sheet = getattr(assignment, "sheet", None) if assignment else None
            cells.append(
                {
                    "expert": expert,
                    "assignment": assignment,
                    "sheet_status": sheet.status if sheet else "",
                    "conflict": review.conflict_reason(expert=expert, case=case),
                }
            )
            # What the cell shows as 回避: a declared recusal, or a conflict left unassigned.
            cells[-1]["recusal"] = (
                assignment.recused if assignment else cells[-1]["conflict"] is not None
            )
        rows.append({"case": case, "cells": cells})
    closed = review.review_closed(round_)
    # The progress table's 回避 column counts exactly the cells that say 回避 (not only the
    # declared recusals: a conflict of district or organisation is 回避 too).
    recusals = Counter(
        cell["expert"].pk for row in rows for cell in row["cells"] if cell["recusal"]
    )
    finished = review.progress(round_)
    for line in finished:
        line.recusal_cells = recusals[line.expert.pk]
    context = {
        "round": round_,
        "experts": pool,
        "rows": rows,
        "progress": finished,
        "missing": review.missing_sheets(round_).count(),
        "closed": closed,
        "review_is_closed": closed,
        "editable": round_.status == S.REVIEW and not closed,
        "close_form": CloseReviewForm(),
        "approved": is_approved(round_),
    }
    return render(request, "reviews/staff_assignments.html", context)


def _ask_close_review(request: HttpRequest, round_: Round) -> HttpResponse:
    missing = review.missing_sheets(round_).count()
    warnings = []
    if missing:
        warnings.append(
            _("尚有 %(n)s 份评分表未提交；未勾选“允许缺少评分表”时将无法结束。") % {"n": missing}
        )
    return confirm.ask(
        request,
        confirm.Confirmation(
            title=_("结束评审并解封评分"),
            subject=str(round_),
            consequences=[
                _("专家不能再修改或提交评分表，分配不能再调整。"),
                _("所有专家的评分解封，工作人员可在评选结果页看到排名和每位专家的分数。"),
                _("解封后不能再封存。"),
            ],
            warnings=warnings,
            button=_("结束评审并解封评分"),
            cancel_url=reverse("reviews:assignments", args=[round_.pk]),
            carry=("action", "allow_missing"),
        ),
    )


@require_POST
@staff_required
def assignment_action(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = get_round(pk, S.REVIEW)
    action = request.POST.get("action")
    if action == "close" and not confirm.is_confirmed(request):
        return _ask_close_review(request, round_)
    try:
        if review.review_closed(round_):
            raise ValidationError(_("评审已结束，不能再修改分配。"))
        if action == "default":
            n = review.assign_default(round=round_)
            messages.success(request, _("已按默认规则新增 %(n)s 项分配。") % {"n": n})
        elif action == "add":
            case = get_object_or_404(
                review.shortlisted_cases(round_), pk=_id(request.POST.get("case"))
            )
            expert = get_object_or_404(review.experts(), pk=_id(request.POST.get("expert")))
            review.add_assignment(case=case, expert=expert, user=request.user)
        elif action == "remove":
            assignment = get_object_or_404(
                Assignment, round=round_, pk=_id(request.POST.get("assignment"))
            )
            review.remove_assignment(assignment=assignment, user=request.user)
        elif action == "reopen":
            sheet = get_object_or_404(
                ScoreSheet,
                assignment__round=round_,
                assignment_id=_id(request.POST.get("assignment")),
            )
            review.reopen_sheet(
                sheet=sheet, user=request.user, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("评分表已退回专家修改。"))
        elif action == "close":
            form = CloseReviewForm(request.POST)
            form.is_valid()
            review.close_review(
                round=round_,
                user=request.user,
                allow_missing=form.cleaned_data.get("allow_missing", False),
            )
            messages.success(request, _("专家评审已结束，评分已解封。"))
            return redirect("reviews:results", pk=round_.pk)
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("reviews:assignments", pk=round_.pk)


@staff_required
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = get_round(pk, S.REVIEW)
    form = UploadForm()
    preview = None
    if request.method == "POST" and request.POST.get("confirm"):
        stored = request.session.get(UPLOAD_SESSION_KEY) or {}
        if stored.get("round") != round_.pk or stored.get("digest") != request.POST["confirm"]:
            messages.error(request, _("预览已过期，请重新上传文件。"))
            return redirect("reviews:upload", pk=round_.pk)
        try:
            n = apply_upload(
                round=round_,
                data=base64.b64decode(stored["data"]),
                user=request.user,
                # The online drafts staff ticked, one by one, to be replaced by paper sheets.
                replace_drafts=[
                    v for v in request.POST.getlist("replace") if v.isascii() and v.isdigit()
                ],
            )
        except ValidationError as exc:
            _errors(request, exc)
            return redirect("reviews:upload", pk=round_.pk)
        request.session.pop(UPLOAD_SESSION_KEY, None)
        messages.success(request, _("已录入 %(n)s 份纸质评分表。") % {"n": n})
        return redirect("reviews:assignments", pk=round_.pk)
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data["file"].read()
            preview = parse_upload(round=round_, data=data)
            digest = hashlib.sha256(data).hexdigest()
            request.session[UPLOAD_SESSION_KEY] = {
                "round": round_.pk,
                "digest": digest,
                "data": base64.b64encode(data).decode(),
            }
            preview.digest = digest
    context = {
        "round": round_,
        "form": form,
        "preview": preview,
        "criteria": review.round_criteria(round_),
    }
    return render(request, "reviews/staff_upload.html", context)


@staff_required
def print_for(request: HttpRequest, pk: int, expert_pk: int) -> HttpResponse:
    from .expert import render_print_sheet

    round_ = get_round(pk)
    expert = get_object_or_404(get_user_model(), pk=expert_pk, role="expert")
    return render_print_sheet(request, round_, expert)
