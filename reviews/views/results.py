"""The round's results for staff: the engine's ranking explained line by line, and approval."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.models import Round

from .. import results
from ..models import Result
from ..review import progress, selection_of
from ..rules import can
from .common import get_round, staff_required

S = Round.Status


@staff_required
def results_page(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = get_round(pk, S.REVIEW, S.APPROVED, S.PUBLICITY, S.PUBLISHED)
    selection = selection_of(round_)
    context = {"round": round_, "selection": selection, "ranking": None, "error": None}
    frozen = list(Result.objects.filter(round=round_).select_related("case", "case__district"))
    if frozen:
        context["frozen"] = frozen
        context["rows"] = results.rows_of_results(frozen)
    elif can("reviews.view_scores", request.user, round_):
        try:
            context["ranking"] = results.compute(round_)
            context["rows"] = results.rows_of_ranking(context["ranking"])
        except ValidationError as exc:
            context["error"] = " ".join(exc.messages)
    else:
        # Sealed: until the review closes staff see who has finished, never a score.
        context["progress"] = progress(round_)
    return render(request, "reviews/results.html", context)


@require_POST
@staff_required
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = get_round(pk)
    try:
        lines = results.approve(round=round_, user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("评选结果已审定并冻结，共 %(n)s 个案例。") % {"n": len(lines)})
    return redirect("reviews:results", pk=round_.pk)
