"""Public pages: the latest list, a round's list, a case, and the archive with search."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from cases.adoption import public as adoption_public
from cases.archive import related, search
from cases.archive.query import ArchiveFilters, archive_cases, paginate
from cases.models import Case, District, Round, Topic
from core.identifiers import IdentifierError, optional_int

ARCHIVE_PAGE_SIZE = 20


def _tiers_of(round_):
    """The round's published cases grouped by tier, in the order the round lists them; a
    compilation's grouped by district, as it prints them."""
    cases = list(round_.cases.published().select_related("district").in_notice_order())
    if round_.is_compilation:
        groups = {}
        for case in cases:
            groups.setdefault(case.district.name if case.district else "", []).append(case)
        return [{"name": name, "cases": group} for name, group in groups.items()]
    tiers = []
    for name in round_.tier_names:
        tier_cases = [c for c in cases if c.tier == name]
        if tier_cases:
            tiers.append({"name": name, "cases": tier_cases})
    return tiers


def home(request):
    round_ = Round.objects.filter(status=Round.Status.PUBLISHED).order_by("-year", "-id").first()
    context = {"round": round_, "tiers": _tiers_of(round_) if round_ else []}
    return render(request, "cases/home.html", context)


def round_detail(request, pk):
    round_ = get_object_or_404(Round, pk=pk, status=Round.Status.PUBLISHED)
    return render(request, "cases/round_detail.html", {"round": round_, "tiers": _tiers_of(round_)})


def case_detail(request, pk):
    case = get_object_or_404(Case.objects.select_related("round", "district", "topic"), pk=pk)
    if not request.user.has_perm("cases.view_case", case):
        # Strangers, signed in or not, learn nothing: an unpublished case does not exist for
        # them (a 403 would tell another district that it does).
        raise Http404
    siblings = []
    if case.status == Case.Status.PUBLISHED and case.tier:
        siblings = list(
            case.round.cases.published()
            .filter(tier=case.tier)
            .select_related("district")
            .defer("sections", "search_text", "summary")  # a list of titles: not the texts
            .in_notice_order()
        )
    index = next((i for i, c in enumerate(siblings) if c.pk == case.pk), None)
    context = {
        "case": case,
        "siblings": _window(siblings, index),
        "siblings_total": len(siblings),
        "previous": siblings[index - 1] if index else None,
        "next": siblings[index + 1] if index is not None and index + 1 < len(siblings) else None,
        "key_figures": case.key_figures.all(),
        "related": related_cases(case) if case.status == Case.Status.PUBLISHED else [],
        "taken_up_by": adoption_public.taken_up_by(case),
        "adopted_from": adoption_public.adopted_from(case),
    }
    return render(request, "cases/case_detail.html", context)


# The tier's list beside a case shows at most this many titles, around the case: a real tier
# holds ten or twenty, but a list of hundreds took most of the page's time to render.
SIBLINGS_SHOWN = 30


def _window(siblings, index):
    if len(siblings) <= SIBLINGS_SHOWN:
        return siblings
    start = max(0, min((index or 0) - SIBLINGS_SHOWN // 2, len(siblings) - SIBLINGS_SHOWN))
    return siblings[start : start + SIBLINGS_SHOWN]


RELATED_LIMIT = 5


def related_cases(case, limit=RELATED_LIMIT):
    """The most similar other published cases, for readers who want to learn more: the
    same similarity that shows staff near-copies of a submission, read from the index kept
    as cases change (cases.archive.related), never computed in the request."""
    return related.related_to(case, limit)


# What the archive list shows of each case: not its long texts, nor its round's settings.
LIST_FIELDS = (
    "id",
    "title",
    "subtitle",
    "tier",
    "rank",
    "status",
    "round__id",
    "round__year",
    "round__status",
    "district__id",
    "district__name",
    "topic__id",
    "topic__name",
)


def archive(request):
    filters = ArchiveFilters.from_params(request.GET)
    try:
        number = optional_int(request.GET.get("page"), minimum=1) or 1
    except IdentifierError:
        number = 1
        filters.errors.append(_("页码须为正整数。"))
    for error in filters.errors:  # the page shows why a value was ignored
        messages.error(request, error)
    cases = archive_cases(filters).select_related("round", "district", "topic").only(*LIST_FIELDS)
    page = paginate(cases, number, ARCHIVE_PAGE_SIZE, one_query=bool(filters.q))
    if filters.q:
        # The text is read for the twenty rows shown, not for every row the query sorts.
        texts = dict(
            Case.objects.filter(pk__in=[c.pk for c in page.object_list]).values_list(
                "pk", "search_text"
            )
        )
        for case in page.object_list:
            case.snippet = search.highlight(texts.get(case.pk, ""), filters.q)
    query_without_page = request.GET.copy()
    query_without_page.pop("page", None)
    published = list(
        Round.objects.filter(status=Round.Status.PUBLISHED)
        .only("id", "year", "title", "notice_title", "tiers")
        .order_by("-year", "-id")
    )
    tier_names = []
    for round_ in published:
        tier_names += [n for n in round_.tier_names if n not in tier_names]
    context = {
        "page": page,
        "filters": filters.as_dict(),
        "querystring": query_without_page.urlencode(),
        "years": sorted({r.year for r in published}, reverse=True),
        "tier_names": tier_names,
        "districts": District.objects.all(),
        "topics": Topic.objects.all(),
        "rounds": published,
    }
    return render(request, "cases/archive.html", context)
