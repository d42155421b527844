"""Feedback to districts: an officer's own cases of published rounds, as reviews.feedback allows.

Cases are fetched only through ``feedback.feedback_cases(user)``: a case of another district, of
an unpublished round or of a round without feedback is not found (404), so an officer learns
nothing about it, not even that it exists.
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from .. import feedback
from .common import require_perm

officer_required = require_perm("reviews.district_feedback")


@officer_required
def feedback_list(request: HttpRequest) -> HttpResponse:
    cases = list(feedback.feedback_cases(request.user))
    return render(request, "reviews/feedback_list.html", {"cases": cases})


@officer_required
def feedback_case(request: HttpRequest, pk: int) -> HttpResponse:
    case = feedback.feedback_cases(request.user).filter(pk=pk).first()
    if case is None:
        raise Http404
    context = {
        "case": case,
        "round": case.round,
        "feedback": feedback.feedback_for(case),
        "min_experts": feedback.MIN_EXPERTS,
    }
    return render(request, "reviews/feedback_case.html", context)
