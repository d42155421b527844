"""Public pages of publishing: the draft list in its notice period with the objection form,
the notice files, the statistics and the exports."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django_ratelimit.decorators import ratelimit

from cases.archive import export as archive_export
from cases.archive import search
from cases.archive.query import ArchiveFilters, BadFilter, archive_cases
from cases.models import Case, Round
from core.downloads import protected_file_response
from core.identifiers import IdentifierError, optional_id

from . import exports, notice_documents, objections, publication, statistics
from .forms import ObjectionForm
from .models import NoticeDocument

# A filtered export is written in the request: at most this many rows keeps it near a second
# (xlsx: about 1 ms a row). The whole archive comes from its prepared file (exports.py).
MAX_EXPORT_ROWS = 1000


# The session key holding a new objection's reference code until its page has shown it once.
FILED_CODE_KEY = "publishing_objection_code"
# A 公示 page stays readable once the list is published (links in news and mail keep working);
# objections are then refused.
PUBLICITY_READABLE = (Round.Status.PUBLICITY, Round.Status.PUBLISHED)


def _publicity_round(pk: int) -> Round:
    return get_object_or_404(Round, pk=pk, status=Round.Status.PUBLICITY)


def _readable_publicity_round(pk: int) -> Round:
    return get_object_or_404(Round, pk=pk, status__in=PUBLICITY_READABLE)


def publicity(request: HttpRequest, pk: int) -> HttpResponse:
    """The approved list shown publicly during its notice period (公示), and after it."""
    round_ = _readable_publicity_round(pk)
    listed = publication.listed_cases(round_).select_related("district").in_notice_order()
    tiers = [
        {"name": name, "cases": [c for c in listed if c.tier == name]} for name in round_.tier_names
    ]
    context = {
        "round": round_,
        "tiers": [t for t in tiers if t["cases"]],
        "accepting": objections.accepts_objections(round_),
        "last_day": publication.last_day(round_),
        "contact_lines": [line for line in round_.objection_contact.splitlines() if line.strip()],
    }
    return render(request, "publishing/publicity.html", context)


def publicity_case(request: HttpRequest, pk: int, case_pk: int) -> HttpResponse:
    """A listed case's text under 公示: readable while the round is in 公示 or published, and
    only for the cases on its list (404 otherwise, as for any unpublished case)."""
    round_ = _readable_publicity_round(pk)
    case = get_object_or_404(
        publication.listed_cases(round_).select_related("district", "topic"), pk=case_pk
    )
    context = {
        "round": round_,
        "case": case,
        "key_figures": case.key_figures.all(),
        "accepting": objections.accepts_objections(round_),
    }
    return render(request, "publishing/publicity_case.html", context)


@ratelimit(key="ip", rate="5/h", method="POST", block=False)
def object_to(request: HttpRequest, pk: int) -> HttpResponse:
    """File an objection (异议) to a listed case; five per hour from one address."""
    round_ = _publicity_round(pk)
    cases = publication.listed_cases(round_).in_notice_order()
    if request.method == "POST":
        form = ObjectionForm(request.POST, cases=cases)
        if getattr(request, "limited", False):
            messages.error(request, _("提交过于频繁，请稍后再试。"))
            return render(
                request,
                "publishing/objection_form.html",
                {"round": round_, "form": form},
                status=429,
            )
        if form.is_valid():
            data = form.cleaned_data
            try:
                objection = objections.file_objection(
                    case=data["case"],
                    name=data["name"],
                    contact=data["contact"],
                    grounds=data["grounds"],
                    ip=request.META.get("REMOTE_ADDR"),
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                # The code goes to the next page through the session (server side), shown once.
                request.session[FILED_CODE_KEY] = objection.reference_code
                return redirect("publishing:objection_status")
    else:
        form = ObjectionForm(cases=cases, initial={"case": _case_id(request.GET.get("case"))})
    return render(request, "publishing/objection_form.html", {"round": round_, "form": form})


@ratelimit(key="ip", rate="20/h", method="POST", block=False)
def objection_status(request: HttpRequest) -> HttpResponse:
    """An objector reads the answer to their objection with its reference code (a POST: the
    code stays out of addresses and logs). Nothing else of the objection is shown to anyone
    but staff, and the page never says who objected."""
    filed_code = request.session.pop(FILED_CODE_KEY, None)
    objection, error, status = None, "", 200
    if request.method == "POST":
        if getattr(request, "limited", False):
            error, status = _("查询过于频繁，请稍后再试。"), 429
        else:
            objection = objections.find_by_code(request.POST.get("code", ""))
            if objection is None:
                error, status = _("没有找到该查询码对应的异议，请核对后重试。"), 404
    context = {"filed_code": filed_code, "objection": objection, "error": error}
    response = render(request, "publishing/objection_status.html", context, status=status)
    response["Cache-Control"] = "no-store"  # the code and the answer stay off shared caches
    return response


def _case_id(value):
    """The case a link preselects (?case=), in ASCII digits; junk preselects nothing."""
    try:
        return optional_id(value)
    except IdentifierError:
        return None


def download(request: HttpRequest, pk: int, fmt: str) -> FileResponse:
    """A published round's notice file, named as the commission names it."""
    if fmt not in notice_documents.FORMATS:
        raise Http404
    round_ = get_object_or_404(Round, pk=pk, status=Round.Status.PUBLISHED)
    document = get_object_or_404(NoticeDocument, round=round_, format=fmt)
    if not document.is_done or not document.file.storage.exists(document.file.name):
        raise Http404(notice_documents.missing_message(fmt))
    return protected_file_response(
        document.file,
        filename=notice_documents.file_name(round_, fmt),
        content_type=notice_documents.CONTENT_TYPES[fmt],
    )


def statistics_page(request: HttpRequest) -> HttpResponse:
    table = statistics.district_year_table()
    context = {"table": table, "chart": statistics.chart_data(table)}
    return render(request, "publishing/statistics.html", context)


def _export(rows, fmt: str, name: str) -> HttpResponse:
    if fmt not in archive_export.FORMATS:
        raise Http404
    data = archive_export.render(rows, fmt)
    content_type = {
        "csv": "text/csv; charset=utf-8",
        "json": "application/json; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }[fmt]
    response = HttpResponse(data, content_type=content_type)
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{fmt}"'
    return response


@exports.export_ratelimit
def export_round(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in archive_export.FORMATS:
        raise Http404
    round_ = get_object_or_404(Round, pk=pk, status=Round.Status.PUBLISHED)
    cases = Case.objects.published().filter(round=round_).in_notice_order()
    return _export(archive_export.rows_for(cases), fmt, f"cases-{round_.year}")


@exports.export_ratelimit
def export_search(request: HttpRequest, fmt: str) -> HttpResponse:
    """The archive's current search and filters, at most ``MAX_EXPORT_ROWS`` cases. A file,
    not a page: a bad filter answers 400 with its message rather than a different file."""
    if fmt not in archive_export.FORMATS:
        raise Http404
    try:
        filters = ArchiveFilters.from_params(request.GET, strict=True)
    except BadFilter as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
    if not filters.active:
        return exports.whole_archive(fmt, "cases-search")
    cases = archive_cases(filters)[:MAX_EXPORT_ROWS]
    with search.index_scans():
        rows = archive_export.rows_for(cases)
    return _export(rows, fmt, "cases-search")
