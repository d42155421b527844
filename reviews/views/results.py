"""The round's results for staff: the engine's ranking explained line by line, the panel's
agreement (专家评分一致性), the results workbook, and approval."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import security
from cases.models import Round
from core import confirm

from .. import results, results_panel
from ..models import Result
from ..results_export import panel_members, results_workbook
from ..review import progress, review_closed, selection_of
from ..rules import can
from .common import get_round, staff_required

S = Round.Status
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _results(request: HttpRequest, round_: Round) -> dict:
    """The frozen result once approved, else the live ranking once the review is closed; while
    scores are sealed, neither (``sealed``). Rows, the panel report or the engine's error."""
    found = {"frozen": None, "ranking": None, "rows": None, "panel": None, "error": None}
    frozen = list(Result.objects.filter(round=round_).select_related("case", "case__district"))
    if frozen:
        found["frozen"], found["rows"] = frozen, results.rows_of_results(frozen)
        found["panel"] = results_panel.report_of_results(round_, frozen)
    elif can("reviews.view_scores", request.user, round_):
        try:
            ranking = results.compute(round_)
        except ValidationError as exc:
            found["error"] = " ".join(exc.messages)
        else:
            found["ranking"], found["rows"] = ranking, results.rows_of_ranking(ranking)
            found["panel"] = results_panel.report_of_ranking(round_, ranking)
    else:
        found["sealed"] = True
    return found


@staff_required
def results_page(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = get_round(pk, S.REVIEW, S.APPROVED, S.PUBLICITY, S.PUBLISHED)
    context = {"round": round_, "selection": selection_of(round_), **_results(request, round_)}
    context["review_is_closed"] = review_closed(round_)
    context["signatories"] = panel_members(context["rows"] or [])
    try:
        context["full_marks"] = results.build_config(round_).full_marks
    except results.RankingError:
        context["full_marks"] = ""
    if context.get("sealed"):
        # Sealed: until the review closes staff see who has finished, never a score.
        context["progress"] = progress(round_)
    return render(request, "reviews/results.html", context)


@staff_required
def results_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The results page as an .xlsx workbook: the ranking and the panel's agreement."""
    round_ = get_round(pk, S.REVIEW, S.APPROVED, S.PUBLICITY, S.PUBLISHED)
    found = _results(request, round_)
    if found.get("sealed"):
        raise PermissionDenied  # no score leaves the server before the review closes
    if found["error"]:
        messages.error(request, found["error"])
        return redirect("reviews:results", pk=round_.pk)
    content = results_workbook(round_=round_, rows=found["rows"], report=found["panel"])
    response = HttpResponse(content, content_type=XLSX)
    filename = f"results-{round_.year}-{round_.pk}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # The panel's sheet names each expert with their offsets: personal data (accounts.security).
    security.record_export(request, f"评审结果导出：{round_}（含专家姓名和评分一致性）")
    return response


@require_http_methods(["GET", "POST"])
@staff_required
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = get_round(pk)
    if not confirm.is_confirmed(request):
        return confirm.ask(
            request,
            confirm.Confirmation(
                title=_("审定评选结果"),
                subject=str(round_),
                consequences=[
                    _("当前排名和各档次名单冻结为审定结果，不能再修改。"),
                    _("评选转入“结果已审定”阶段，下一步可开始公示。"),
                ],
                button=_("审定结果（冻结）"),
                cancel_url=reverse("reviews:results", args=[round_.pk]),
            ),
        )
    try:
        lines = results.approve(round=round_, user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("评选结果已审定并冻结，共 %(n)s 个案例。") % {"n": len(lines)})
    return redirect("reviews:results", pk=round_.pk)
