"""Staff preview of the notice's Word and PDF files before publishing. Thin: the file is
``notice_documents.preview``, which renders through the same function publishing stores."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from cases.models import Round

from . import notice_documents

PREVIEW_FORMATS = ("docx", "pdf")


@login_required
@require_GET
def notice_preview(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The notice as it would be published now, as a download; for staff only."""
    if not request.user.has_perm("publishing.manage_publication"):
        raise PermissionDenied
    round_ = get_object_or_404(Round, pk=pk)
    if fmt not in PREVIEW_FORMATS:
        raise Http404
    try:
        data = notice_documents.preview(round_, fmt)
    except ValueError as exc:  # a case the layout cannot place (no title, no district)
        messages.error(request, str(exc))
        return redirect("publishing:notice", pk=round_.pk)
    response = HttpResponse(data, content_type=notice_documents.CONTENT_TYPES[fmt])
    name = "（预览）" + notice_documents.file_name(round_, fmt)
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["Cache-Control"] = "private, no-store"
    return response
