"""The archive's filters, shared by the archive page, the JSON API and the exports.

One place reads the query parameters (year, tier, district, topic, q) and narrows the
published cases; the callers differ only in how they answer bad values (the page shows their
message and ignores them, the API and the exports answer 400). Years and topic ids typed in
any script's digits (２０２２) become ASCII through ``core.identifiers``, before any query.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.archive import search
from cases.models import Case, District
from core.identifiers import IdentifierError, parse_id, parse_int

MAX_QUERY = 100
ORDER = ("-round__year", "round_id", "tier_order", "rank", "position", "id")
YEARS = (1990, 2100)


class BadFilter(ValueError):
    """A filter value that names nothing; ``str(e)`` is one line in Chinese."""


def _year(text: str) -> str:
    return str(parse_int(text, minimum=YEARS[0], maximum=YEARS[1]))


def _topic(text: str) -> str:
    return str(parse_id(text))


# Filters that are numbers: their canonical form and the message for a value that is none.
NUMBERS = (
    ("year", _year, gettext_lazy("年度须为四位数字，如 2022。")),
    ("topic", _topic, gettext_lazy("领域须为编号。")),
)


@dataclass
class ArchiveFilters:
    q: str = ""
    year: str = ""
    tier: str = ""
    district: str = ""
    topic: str = ""

    def __post_init__(self):
        # Numbers in their ASCII form, or dropped with a message in ``errors`` (not a field:
        # neither compared nor part of ``as_dict``).
        self.errors: list[str] = []
        for name, canonical, message in NUMBERS:
            text = getattr(self, name).strip()
            try:
                setattr(self, name, canonical(text) if text else "")
            except IdentifierError:
                setattr(self, name, "")
                self.errors.append(str(message))

    @classmethod
    def from_params(cls, params, *, strict: bool = False) -> ArchiveFilters:
        """Read the GET parameters; with ``strict``, a bad value raises ``BadFilter``."""
        filters = cls(
            q=search.normalise_query(params.get("q", "")),
            year=params.get("year", ""),
            tier=params.get("tier", "").strip(),
            district=params.get("district", "").strip(),
            topic=params.get("topic", ""),
        )
        if strict:
            filters.check()
        filters.q = filters.q[:MAX_QUERY]
        return filters

    def check(self) -> None:
        if len(self.q) > MAX_QUERY:
            raise BadFilter(_("关键词不能超过 %(n)d 个字符。") % {"n": MAX_QUERY})
        if self.errors:
            raise BadFilter(self.errors[0])
        if self.district and self.district != "none" and not self._district_exists():
            raise BadFilter(_("没有名为“%(d)s”的区。") % {"d": self.district})

    def _district_exists(self) -> bool:
        return (
            District.objects.filter(code=self.district).exists()
            or District.objects.filter(name=self.district).exists()
        )

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def active(self) -> bool:
        return any(asdict(self).values())


def archive_cases(filters: ArchiveFilters):
    """Published cases narrowed by ``filters``, newest year first, then in notice order."""
    cases = Case.objects.published()
    if filters.year:
        cases = cases.filter(round__year=int(filters.year))
    if filters.tier:
        cases = cases.filter(tier=filters.tier)
    if filters.district == "none":
        cases = cases.filter(district__isnull=True)
    elif filters.district:
        # A code (jiading) from the page's select, or a name (嘉定区) from an API client.
        district = District.objects.filter(code=filters.district).first() or (
            District.objects.filter(name=filters.district).first()
        )
        cases = cases.filter(district=district) if district else cases.none()
    if filters.topic:
        cases = cases.filter(topic_id=int(filters.topic))
    cases = search.filter_cases(cases, filters.q)
    return cases.order_by(*ORDER)


def paginate(queryset, number, per_page: int, *, strict: bool = False, one_query: bool = False):
    """A page of ``queryset`` whose rows are read only for the page itself.

    Counting and ordering run on the primary keys alone, which the archive index covers
    (``case_archive_order``); the full rows (with their long texts) are then fetched for the
    page's keys only. Without this, SQLite sorts every matching row with all its columns and
    reads each long text's overflow pages just to reach the status and rank columns behind
    them. With ``one_query`` (a full-text search, whose matching is the expensive part) every
    matching key is read once and counted in Python, instead of matching twice for COUNT and
    for the page. With ``strict``, a page number out of range raises ``EmptyPage`` or
    ``PageNotAnInteger`` instead of falling back to the nearest page.
    """
    from django.core.paginator import Paginator

    keys_query = queryset.values_list("pk", flat=True)
    if one_query:
        with search.index_scans():
            keys_query = list(keys_query)
    paginator = Paginator(keys_query, per_page)
    page = paginator.page(number) if strict else paginator.get_page(number)
    keys = list(page.object_list)
    rows = queryset.model.objects.filter(pk__in=keys)
    rows.query.select_related = queryset.query.select_related
    rows.query.deferred_loading = queryset.query.deferred_loading
    found = rows.in_bulk(keys)
    page.object_list = [found[key] for key in keys if key in found]
    return page
