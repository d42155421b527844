"""Staff pages for the publication steps. Thin: every rule lives in ``publication``,
``objections`` and ``notice_documents``; a view reads a form, calls one function and redirects.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cases.models import Round
from core import confirm

from . import notice_documents, objections, publication, publication_confirm, tasks
from .forms import AnswerForm, NoticeForm, UnpublishForm
from .models import Objection

STAGES = (Round.Status.APPROVED, Round.Status.PUBLICITY, Round.Status.PUBLISHED)


def _staff(request: HttpRequest, perm: str = "publishing.manage_publication") -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _staff_round(request: HttpRequest, pk: int) -> Round:
    """The round a staff page acts on: 403 for anyone but commission staff."""
    _staff(request)
    return get_object_or_404(Round, pk=pk)


def _fail(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@login_required
def round_list(request: HttpRequest) -> HttpResponse:
    _staff(request)
    rounds = Round.objects.filter(status__in=STAGES).order_by("-year", "-id")
    return render(request, "publishing/round_list.html", {"rounds": rounds})


@login_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _staff_round(request, pk)
    context = {
        "round": round_,
        "listed": publication.listed_cases(round_).select_related("district").in_notice_order(),
        "objections": round_.objections.select_related("case", "answered_by"),
        "answer_form": AnswerForm(round_=round_),
        "unpublish_form": UnpublishForm(),
        "blockers": publication.publish_blockers(round_),
        "running": publication.publicity_running(round_),
        "calendar_warning": publication.calendar_warning(round_),
        "documents": round_.notice_documents.all(),
        "events": round_.publication_events.select_related("by"),
    }
    return render(request, "publishing/round_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def start_publicity(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _staff_round(request, pk)
    if not confirm.is_confirmed(request):
        return confirm.ask(request, publication_confirm.start_publicity(round_))
    try:
        publication.start_publicity(round=round_, user=request.user)
    except ValidationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("已开始公示。"))
    return redirect("publishing:round", pk=round_.pk)


@login_required
@require_POST
def answer_objection(request: HttpRequest, pk: int) -> HttpResponse:
    _staff(request, "publishing.answer_objection")
    objection = get_object_or_404(Objection, pk=pk)
    form = AnswerForm(request.POST, round_=objection.round)
    if not form.is_valid():
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            for message in errors:
                messages.error(request, f"{label}：{message}" if label else message)
        return redirect("publishing:round", pk=objection.round_id)
    data = form.cleaned_data
    try:
        if data["action"] == AnswerForm.Action.DISMISS:
            objections.dismiss_objection(
                objection=objection, user=request.user, reason=data["reason"]
            )
        else:
            objections.uphold_objection(
                objection=objection,
                user=request.user,
                reason=data["reason"],
                remedy=data["action"],
                tier=form.domain_tier(),
                rank=data["rank"],
            )
    except ValidationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("异议已处理。"))
    return redirect("publishing:round", pk=objection.round_id)


@login_required
def notice(request: HttpRequest, pk: int) -> HttpResponse:
    """Write the notice (prefilled from the round) and publish."""
    round_ = _staff_round(request, pk)
    if round_.status == Round.Status.PUBLISHED:
        # The notice is out: its files and what can still be done, not a form that refuses.
        if request.method == "POST":
            messages.error(request, _("通知已印发公布，不能再修改；如需修改，请先撤回公布。"))
            return redirect("publishing:notice", pk=round_.pk)
        context = {"round": round_, "documents": round_.notice_documents.all()}
        return render(request, "publishing/notice_published.html", context)
    if request.method == "POST":
        form = NoticeForm(request.POST, instance=round_)
        if form.is_valid():
            values = {name: form.cleaned_data[name] for name in publication.NOTICE_FIELDS}
            if "publish" in request.POST and not confirm.is_confirmed(request):
                return confirm.ask(request, publication_confirm.publish(round_, form))
            if "publish" not in request.POST:
                Round.objects.filter(pk=round_.pk).update(**values)
                messages.success(request, _("通知已保存。"))
                return redirect("publishing:notice", pk=round_.pk)
            try:
                publication.publish_round(round=round_, user=request.user, notice=values)
            except ValidationError as exc:
                _fail(request, exc)
            else:
                messages.success(request, _("已印发公布，通知文件正在生成。"))
                return redirect("publishing:round", pk=round_.pk)
    else:
        form = NoticeForm(initial=publication.draft_notice(round_), instance=round_)
    context = {"round": round_, "form": form, "blockers": publication.publish_blockers(round_)}
    return render(request, "publishing/notice_form.html", context)


@login_required
@require_POST
def unpublish(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _staff_round(request, pk)
    form = UnpublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("撤回公布须填写理由。"))
        return redirect("publishing:round", pk=round_.pk)
    try:
        publication.unpublish_round(
            round=round_,
            user=request.user,
            reason=form.cleaned_data["reason"],
            to=form.cleaned_data["to"],
        )
    except ValidationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("已撤回公布。"))
    return redirect("publishing:round", pk=round_.pk)


@login_required
@require_POST
def generate(request: HttpRequest, pk: int) -> HttpResponse:
    _staff(request, "publishing.generate_notice")
    round_ = get_object_or_404(Round, pk=pk)
    if not round_.is_published:
        messages.error(request, _("评选公布后才能生成通知文件。"))
    else:
        tasks.request_documents(round=round_)
        messages.info(request, _("通知文件正在生成。"))
    return redirect("publishing:round", pk=round_.pk)


@login_required
def document_status(request: HttpRequest, pk: int) -> JsonResponse:
    """Progress of the round's notice files, polled by the staff page."""
    round_ = _staff_round(request, pk)
    return JsonResponse({"round": round_.pk, "documents": notice_documents.status_of(round_)})
