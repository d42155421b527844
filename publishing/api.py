"""The read-only JSON API over the published archive.

GET /api/                             this list of endpoints, as JSON
GET /api/rounds/                       published rounds with their notice files
GET /api/cases/?q=&year=&tier=&district=&page=
                                       {"count", "next", "previous", "results": [...]}
GET /api/cases/<id>/                   one published case with its full text
GET /api/adoptions/?year=&page=        confirmed adoption records (互学互鉴), paginated
Only published data; a bad parameter answers 400 with {"error": "<Chinese message>"}.
"""

from django.core.paginator import EmptyPage, Paginator
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET

from cases.adoption import export as adoption_export
from cases.archive.query import ArchiveFilters, BadFilter, archive_cases, paginate
from cases.models import Case, Round
from core.identifiers import IdentifierError, optional_int

from .models import NoticeDocument

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


def _json(data, status=200) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"  # public, read-only data
    return response


def _error(message: str, status: int = 400) -> JsonResponse:
    return _json({"error": message}, status=status)


def _case_summary(request, case: Case) -> dict:
    return {
        "id": case.pk,
        "year": case.round.year,
        "tier": case.tier,
        "rank": case.rank,
        "district": case.district.name if case.district else None,
        "title": case.title,
        "subtitle": case.subtitle,
        "url": request.build_absolute_uri(case.get_absolute_url()),
    }


def _positive_int(value, name, default, maximum=None):
    """A positive integer typed in any script's digits (core.identifiers), else BadFilter."""
    try:
        number = optional_int(value, minimum=1, maximum=maximum)
    except IdentifierError:
        raise BadFilter(
            _("参数 %(name)s 须为不大于 %(max)d 的正整数。") % {"name": name, "max": maximum}
            if maximum
            else _("参数 %(name)s 须为正整数。") % {"name": name}
        ) from None
    return default if number is None else number


def paginator_pages(queryset, size) -> int:
    return max(1, -(-queryset.count() // size))


@require_GET
def rounds(request: HttpRequest) -> JsonResponse:
    published = Round.objects.filter(status=Round.Status.PUBLISHED).order_by("-year", "-id")
    documents = {}
    for document in NoticeDocument.objects.filter(round__in=published, status="done"):
        documents.setdefault(document.round_id, {})[document.format] = request.build_absolute_uri(
            reverse("publishing:download", args=[document.round_id, document.format])
        )
    results = []
    for round_ in published:
        counts = dict.fromkeys(round_.tier_names, 0)
        for tier in round_.cases.published().values_list("tier", flat=True):
            counts[tier] = counts.get(tier, 0) + 1
        results.append(
            {
                "id": round_.pk,
                "year": round_.year,
                "title": round_.title,
                "notice_title": round_.notice_title or round_.title,
                "notice_date": round_.notice_date.isoformat() if round_.notice_date else None,
                "published_at": round_.published_at.isoformat() if round_.published_at else None,
                "tiers": [{"name": name, "count": n} for name, n in counts.items()],
                "url": request.build_absolute_uri(round_.get_absolute_url()),
                "documents": documents.get(round_.pk, {}),
            }
        )
    return _json({"count": len(results), "results": results})


@require_GET
def cases(request: HttpRequest) -> JsonResponse:
    try:
        filters = ArchiveFilters.from_params(request.GET, strict=True)
        number = _positive_int(request.GET.get("page"), "page", 1)
        size = _positive_int(request.GET.get("page_size"), "page_size", PAGE_SIZE, MAX_PAGE_SIZE)
    except BadFilter as exc:
        return _error(str(exc))
    queryset = archive_cases(filters).select_related("round", "district")
    queryset = queryset.defer("sections", "search_text", "summary")
    try:
        page = paginate(queryset, number, size, strict=True, one_query=bool(filters.q))
    except EmptyPage:
        return _error(_("页码超出范围：共 %(n)d 页。") % {"n": paginator_pages(queryset, size)})
    paginator = page.paginator

    def link(n):
        params = request.GET.copy()
        params["page"] = n
        return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")

    return _json(
        {
            "count": paginator.count,
            "next": link(page.next_page_number()) if page.has_next() else None,
            "previous": link(page.previous_page_number()) if page.has_previous() else None,
            "results": [_case_summary(request, c) for c in page.object_list],
        }
    )


@require_GET
def case_detail(request: HttpRequest, pk: int) -> JsonResponse:
    case = (
        Case.objects.published().select_related("round", "district", "topic").filter(pk=pk).first()
    )
    if case is None:
        return _error(_("没有编号为 %(id)d 的已公布案例。") % {"id": pk}, status=404)
    data = _case_summary(request, case)
    data.update(
        {
            "topic": case.topic.name if case.topic else None,
            "round": case.round_id,
            "sections": [
                {"heading": s.get("heading", ""), "body": s.get("body", "")} for s in case.sections
            ],
            "key_figures": [
                {"indicator": f.indicator, "value": f.value, "unit": f.unit}
                for f in case.key_figures.all()
            ],
        }
    )
    return _json(data)


# What /api/ lists: each endpoint's URL name, its path parameters and what it answers.
ENDPOINTS = (
    ("api_rounds", (), {}, _lazy("已公布的评选及其通知文件")),
    (
        "api_cases",
        (),
        {
            "q": _lazy("检索词"),
            "year": _lazy("年度"),
            "tier": _lazy("档次"),
            "district": _lazy("区"),
            "topic": _lazy("领域"),
            "page": _lazy("页码"),
        },
        _lazy("已公布的案例，分页"),
    ),
    ("api_case", ("id",), {}, _lazy("一个已公布案例的全文")),
    (
        "api_adoptions",
        (),
        {"year": _lazy("被借鉴案例的年度"), "page": _lazy("页码")},
        _lazy("已确认的借鉴记录（互学互鉴），分页"),
    ),
)


@require_GET
def index(request: HttpRequest) -> JsonResponse:
    """GET /api/: the endpoints, so that a reader of the API finds its parts from its root."""
    endpoints = []
    for name, path_params, query_params, description in ENDPOINTS:
        args = [1 for _p in path_params]
        url = request.build_absolute_uri(reverse(f"publishing:{name}", args=args or None))
        for param in path_params:  # show the template, not a made-up id
            url = url.replace("/1/", "/{" + param + "}/")
        endpoints.append(
            {
                "url": url,
                "method": "GET",
                "description": str(description),
                "query": {k: str(v) for k, v in query_params.items()},
            }
        )
    return _json(
        {"name": _("上海市各区优化营商环境优秀案例 · 公开数据接口"), "endpoints": endpoints}
    )


@require_GET
def adoptions(request: HttpRequest) -> JsonResponse:
    """Confirmed adoption records only; ``year``: the source case's year."""
    try:
        year = _positive_int(request.GET.get("year"), "year", None, 9999)
        number = _positive_int(request.GET.get("page"), "page", 1)
        size = _positive_int(request.GET.get("page_size"), "page_size", PAGE_SIZE, MAX_PAGE_SIZE)
    except BadFilter as exc:
        return _error(str(exc))
    queryset = adoption_export.confirmed(year)
    try:
        page = Paginator(queryset, size).page(number)
    except EmptyPage:
        return _error(_("页码超出范围：共 %(n)d 页。") % {"n": paginator_pages(queryset, size)})

    def link(n):
        params = request.GET.copy()
        params["page"] = n
        return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")

    results = []
    for adoption in page.object_list:
        row = adoption_export.adoption_row(adoption)
        row["source_url"] = request.build_absolute_uri(adoption.source.get_absolute_url())
        results.append(row)
    return _json(
        {
            "count": page.paginator.count,
            "next": link(page.next_page_number()) if page.has_next() else None,
            "previous": link(page.previous_page_number()) if page.has_previous() else None,
            "results": results,
        }
    )
