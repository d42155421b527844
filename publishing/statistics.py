"""Cases and awards per district per year, for the statistics page (published rounds only).

A compilation (a round without tiers, 2021) awards nothing: its cases count as 入选 (selected),
apart from the awards of ranked rounds.

A round imported from a published notice (every case carries the notice's fingerprint,
``Case.source_key``) holds only the cases the notice lists: how many were submitted that year
is unknown, so its 申报 count is None (shown as —), never the number of winners."""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext as _

from cases.models import Case, District, Round

NOT_SUBMITTED = (Case.Status.DRAFT, Case.Status.WITHDRAWN)


def district_year_table() -> dict:
    """``{"years": [...], "columns": [{"year", "label"}], "rows": [{"district", "cells":
    [{"year", "cases", "awards", "selected", "tiers": {name: n}}]}], "totals": [...]}`` over
    the published rounds; a column's label is 获奖, or 入选 for a year of compilations."""
    rounds = Round.objects.filter(status=Round.Status.PUBLISHED)
    years = sorted(set(rounds.values_list("year", flat=True)))
    ranked_years = set(rounds.exclude(kind=Round.Kind.COMPILATION).values_list("year", flat=True))
    # A year whose rounds all came from notices: no case was filed here (source_key empty).
    filed_years = set(
        Case.objects.filter(round__in=rounds, source_key="").values_list("round__year", flat=True)
    )
    imported_years = set(years) - filed_years
    base = Case.objects.filter(round__in=rounds).exclude(status__in=NOT_SUBMITTED)
    submitted = {
        (row["district"], row["round__year"]): row["n"]
        for row in base.values("district", "round__year").annotate(n=Count("id"))
    }
    awards: dict = {}
    selected: dict = {}
    for row in (
        base.filter(status=Case.Status.PUBLISHED)
        .values("district", "round__year", "round__kind", "tier")
        .annotate(n=Count("id"))
    ):
        key = (row["district"], row["round__year"])
        if row["round__kind"] == Round.Kind.COMPILATION:
            selected[key] = selected.get(key, 0) + row["n"]
        else:
            awards.setdefault(key, {})[row["tier"]] = row["n"]

    districts = [(d.pk, d.name) for d in District.objects.all()]
    if any(key[0] is None for key in submitted):
        districts.append((None, _("未注明区")))
    rows = []
    for pk, name in districts:
        cells = []
        for year in years:
            tiers = awards.get((pk, year), {})
            cells.append(
                {
                    "year": year,
                    "cases": None if year in imported_years else submitted.get((pk, year), 0),
                    "awards": sum(tiers.values()),
                    "selected": selected.get((pk, year), 0),
                    "tiers": tiers,
                }
            )
        rows.append(
            {
                "district": name,
                "cells": cells,
                "total_awards": sum(c["awards"] for c in cells),
                "total_selected": sum(c["selected"] for c in cells),
            }
        )
    totals = [
        {
            "year": year,
            "cases": None if year in imported_years else sum(r["cells"][i]["cases"] for r in rows),
            "awards": sum(r["cells"][i]["awards"] for r in rows),
        }
        for i, year in enumerate(years)
    ]
    for i, total in enumerate(totals):
        total["selected"] = sum(r["cells"][i]["selected"] for r in rows)
    columns = [
        {
            "year": y,
            "label": "获奖" if y in ranked_years else "入选",
            "imported": y in imported_years,
        }
        for y in years
    ]
    return {
        "years": years,
        "columns": columns,
        "rows": rows,
        "totals": totals,
        "grand_awards": sum(r["total_awards"] for r in rows),
        "grand_selected": sum(r["total_selected"] for r in rows),
        "has_selected": any(r["total_selected"] for r in rows),
        "has_imported": bool(imported_years),
    }


def chart_data(table: dict) -> dict:
    """The table as Chart.js datasets: awards per district, one dataset per year."""
    return {
        "labels": [row["district"] for row in table["rows"]],
        "awards": [
            {
                "label": f"{column['year']}年 {column['label']}",
                "data": [
                    row["cells"][i]["awards" if column["label"] == "获奖" else "selected"]
                    for row in table["rows"]
                ],
            }
            for i, column in enumerate(table["columns"])
        ],
        # Submissions only for years filed here: an imported year's would repeat its winners.
        "cases": [
            {
                "label": f"{column['year']}年 申报",
                "data": [row["cells"][i]["cases"] for row in table["rows"]],
            }
            for i, column in enumerate(table["columns"])
            if not column["imported"]
        ],
    }
