"""Published cases as rows: one shape for JSON, CSV and Excel exports.

``write`` streams the rows into a binary file one at a time (the prepared whole-archive files
of cases.archive.prepared hold tens of thousands of rows); ``render`` is the same into bytes.
Every text cell goes through core.spreadsheet, so a title such as ``=HYPERLINK(…)`` stays text.
"""

import io

from cases.models import Case
from core import table_export

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
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
WIDTHS = (8, 12, 8, 12, 40, 40, 12, 80)


def case_row(case: Case) -> dict:
    return {
        "id": case.pk,
        "year": case.round.year,
        "tier": case.tier or None,
        "rank": case.rank,
        # A compilation's case has no tier and no rank: it is 入选 (CSV and Excel say so).
        "compilation": case.round.is_compilation,
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
    return list(iter_rows(cases))


def iter_rows(cases, chunk_size=500):
    """The rows one at a time, read from the database in chunks (not all texts at once)."""
    cases = cases.select_related("round", "district", "topic").defer("search_text")
    for case in cases.iterator(chunk_size=chunk_size):
        yield case_row(case)


def sections_as_text(sections) -> str:
    return "\n".join(
        "\n".join(part for part in (s["heading"], s["body"]) if part) for s in sections
    )


def flat(row: dict) -> list:
    return [
        sections_as_text(row[key])
        if key == "sections"
        else "入选"
        if key == "tier" and row.get("compilation")
        else ("" if row[key] is None else row[key])
        for key, _ in COLUMNS
    ]


def write(rows, fmt: str, handle) -> int:
    """Write ``rows`` (an iterable of ``case_row`` dicts) to the binary file ``handle`` in
    ``fmt``; returns the number of rows."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt}")
    return {"json": _write_json, "csv": _write_csv, "xlsx": _write_xlsx}[fmt](rows, handle)


def render(rows, fmt: str) -> bytes:
    buffer = io.BytesIO()
    write(rows, fmt, buffer)
    return buffer.getvalue()


def _write_json(rows, handle) -> int:
    return table_export.write_json(handle, rows)


def _write_csv(rows, handle) -> int:
    headers = [label for _, label in COLUMNS]
    return table_export.write_csv(handle, headers, (flat(row) for row in rows))


def _write_xlsx(rows, handle) -> int:
    return table_export.write_xlsx(
        handle,
        sheet_title="案例",
        headers=[label for _, label in COLUMNS],
        widths=WIDTHS,
        rows=(flat(row) for row in rows),
        wrap_last=True,
    )
