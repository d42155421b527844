"""Staff downloads of 荣誉证书: the round's PDF and one case's. Thin: ``certificates`` holds
the rules (which rounds and cases have certificates) and the rendering."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from cases.models import Case, Round

from . import certificates


def _staff(request: HttpRequest) -> None:
    if not request.user.has_perm("publishing.manage_publication"):
        raise PermissionDenied


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def round_certificates(request: HttpRequest, pk: int) -> HttpResponse:
    """Every awarded case's certificate, one page each."""
    _staff(request)
    round_ = get_object_or_404(Round, pk=pk)
    try:
        data = certificates.certificate_pdf(round_)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("publishing:round", pk=round_.pk)
    return _pdf(data, certificates.file_name(round_))


@login_required
@require_GET
def case_certificate(request: HttpRequest, pk: int) -> HttpResponse:
    """One case's certificate, from the case's staff page."""
    _staff(request)
    case = get_object_or_404(Case.objects.select_related("round", "district"), pk=pk)
    try:
        data = certificates.certificate_pdf(case.round, case)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("cases:staff_case", pk=case.pk)
    return _pdf(data, certificates.file_name(case.round, case))
