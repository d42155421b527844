"""互学互鉴 figures from confirmed records: the practices most taken up (reach = districts,
speed = days from publication to the first adoption, depth = adoptions that reached 已见效)
and, per district and year of adoption, practices given to others and taken from others."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Min, Q

from cases.models import Adoption, Case, District

from .models import publication_date


@dataclass
class Practice:
    case: Case
    reach: int
    depth: int
    first: object  # date of the first adoption
    speed: int | None  # days from publication to the first adoption


def confirmed(year=None):
    records = Adoption.objects.confirmed().filter(source__in=Case.objects.published())
    return records.filter(source__round__year=year) if year is not None else records


def most_adopted(year=None, limit=20) -> list[Practice]:
    rows = (
        confirmed(year)
        .values("source")
        .annotate(
            reach=Count("district", distinct=True),
            depth=Count("id", filter=Q(stage=Adoption.Stage.EFFECTIVE)),
            first=Min("since"),
        )
        .order_by("-reach", "-depth", "first", "source")[:limit]
    )
    rows = list(rows)
    cases = Case.objects.select_related("round", "district").in_bulk([r["source"] for r in rows])
    practices = []
    for row in rows:
        case = cases[row["source"]]
        published = publication_date(case)
        speed = (row["first"] - published).days if published else None
        practices.append(Practice(case, row["reach"], row["depth"], row["first"], speed))
    return practices


def district_years(year=None):
    """(years, [(district, [(given, taken) per year], given total, taken total)])."""
    given, taken, years = defaultdict(int), defaultdict(int), set()
    records = confirmed(year).values_list("since__year", "source__district", "district")
    for since_year, source_district, district in records:
        years.add(since_year)
        if source_district:
            given[source_district, since_year] += 1
        taken[district, since_year] += 1
    years = sorted(years)
    table = []
    for district in District.objects.all():
        cells = [(given[district.pk, y], taken[district.pk, y]) for y in years]
        table.append((district, cells, sum(c[0] for c in cells), sum(c[1] for c in cells)))
    return years, table
