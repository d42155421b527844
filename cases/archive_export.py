"""The published list of a round as rows: one shape for JSON, CSV and Excel exports."""

import csv
import io
import json

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from .models import Case

# (key, Chinese header) in column order; JSON uses the keys, CSV and Excel the headers.
COLUMNS = [
    ("year", "年度"),
    ("tier", "档次"),
    ("rank", "排名"),
    ("district", "区"),
    ("title", "标题"),
    ("subtitle", "副标题"),
    ("topic", "领域"),
    ("sections", "正文"),
]
FORMATS = ("json", "csv", "xlsx")


def case_row(case: Case) -> dict:
    return {
        "id": case.pk,
        "year": case.round.year,
        "tier": case.tier or None,
        "rank": case.rank,
        "district": case.district.name if case.district else None,
        "district_needs_review": case.district_needs_review,
        "title": case.title,
        "subtitle": case.subtitle or None,
        "topic": case.topic.name if case.topic else None,
        "sections": [
            {"heading": s.get("heading", ""), "body": s.get("body", "")} for s in case.sections
        ],
    }


def rows_for(cases) -> list[dict]:
    return [case_row(c) for c in cases.select_related("round", "district", "topic")]


def sections_as_text(sections) -> str:
    return "\n".join(
        "\n".join(part for part in (s["heading"], s["body"]) if part) for s in sections
    )


def render(rows: list[dict], fmt: str) -> bytes:
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2).encode("utf-8")
    flat = [
        [
            sections_as_text(row[key])
            if key == "sections"
            else ("" if row[key] is None else row[key])
            for key, _ in COLUMNS
        ]
        for row in rows
    ]
    headers = [label for _, label in COLUMNS]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(headers)
        writer.writerows(flat)
        # A BOM so that Excel opens the Chinese text as UTF-8.
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
    if fmt == "xlsx":
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "案例"
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for values in flat:
            sheet.append(values)
        for column, width in zip("ABCDEFGH", (8, 12, 8, 12, 40, 40, 12, 80), strict=True):
            sheet.column_dimensions[column].width = width
        for row in sheet.iter_rows(min_row=2, min_col=8, max_col=8):
            row[0].alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "A2"
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
    raise ValueError(f"unknown format {fmt}")
