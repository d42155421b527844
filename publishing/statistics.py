"""Cases and awards per district per year, for the statistics page (published rounds only)."""

from __future__ import annotations

from django.db.models import Count

from cases.models import Case, District, Round

NOT_SUBMITTED = (Case.Status.DRAFT, Case.Status.WITHDRAWN)


def district_year_table() -> dict:
    """``{"years": [...], "rows": [{"district", "cells": [{"year", "cases", "awards",
    "tiers": {name: n}}]}], "totals": [...]}`` over the published rounds."""
    rounds = Round.objects.filter(status=Round.Status.PUBLISHED)
    years = sorted(set(rounds.values_list("year", flat=True)))
    base = Case.objects.filter(round__in=rounds).exclude(status__in=NOT_SUBMITTED)
    submitted = {
        (row["district"], row["round__year"]): row["n"]
        for row in base.values("district", "round__year").annotate(n=Count("id"))
    }
    awards: dict = {}
    for row in (
        base.filter(status=Case.Status.PUBLISHED)
        .values("district", "round__year", "tier")
        .annotate(n=Count("id"))
    ):
        awards.setdefault((row["district"], row["round__year"]), {})[row["tier"]] = row["n"]

    districts = [(d.pk, d.name) for d in District.objects.all()]
    if any(key[0] is None for key in submitted):
        districts.append((None, "区待确认"))
    rows = []
    for pk, name in districts:
        cells = []
        for year in years:
            tiers = awards.get((pk, year), {})
            cells.append(
                {
                    "year": year,
                    "cases": submitted.get((pk, year), 0),
                    "awards": sum(tiers.values()),
                    "tiers": tiers,
                }
            )
        rows.append(
            {"district": name, "cells": cells, "total_awards": sum(c["awards"] for c in cells)}
        )
    totals = [
        {
            "year": year,
            "cases": sum(r["cells"][i]["cases"] for r in rows),
            "awards": sum(r["cells"][i]["awards"] for r in rows),
        }
        for i, year in enumerate(years)
    ]
    return {"years": years, "rows": rows, "totals": totals}


def chart_data(table: dict) -> dict:
    """The table as Chart.js datasets: awards per district, one dataset per year."""
    return {
        "labels": [row["district"] for row in table["rows"]],
        "awards": [
            {
                "label": f"{year}年 获奖",
                "data": [row["cells"][i]["awards"] for row in table["rows"]],
            }
            for i, year in enumerate(table["years"])
        ],
        "cases": [
            {"label": f"{year}年 申报", "data": [row["cells"][i]["cases"] for row in table["rows"]]}
            for i, year in enumerate(table["years"])
        ],
    }
