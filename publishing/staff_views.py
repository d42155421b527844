"""The staff workspace (every round with its next step) and ending the 公示 early."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cases.models import Round
from core import confirm

from . import publication_confirm, workspace
from .publicity_end import end_publicity_early


@login_required
def workspace_page(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("accounts.staff_area"):
        raise PermissionDenied
    cards = workspace.round_cards()
    context = {
        "active": [c for c in cards if c.round.status != Round.Status.PUBLISHED],
        "published": [c for c in cards if c.round.status == Round.Status.PUBLISHED],
    }
    return render(request, "publishing/workspace.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def end_publicity(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm("publishing.manage_publication"):
        raise PermissionDenied
    round_ = get_object_or_404(Round, pk=pk, status=Round.Status.PUBLICITY)
    reason = request.POST.get("reason", "").strip() if request.method == "POST" else ""
    if not (reason and confirm.is_confirmed(request)):
        return confirm.ask(request, publication_confirm.end_publicity(round_))
    try:
        end_publicity_early(round=round_, user=request.user, reason=reason)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("公示已提前结束。"))
    return redirect("publishing:round", pk=round_.pk)
