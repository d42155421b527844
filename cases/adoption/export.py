"""Confirmed adoption records as rows: one shape for JSON, CSV and Excel (the command
``export_adoptions``, the API's ``/api/adoptions/``). Text cells go through core.spreadsheet,
so a description such as ``=HYPERLINK(…)`` stays text."""

import io

from cases.models import Adoption, Case
from core import table_export

FORMATS = ("json", "csv", "xlsx")
# (key, Chinese header) in column order; JSON uses the keys, CSV and Excel the headers.
COLUMNS = [
    ("source_year", "案例年度"),
    ("source_district", "案例所属区"),
    ("source_title", "被借鉴案例"),
    ("district", "借鉴区"),
    ("since", "借鉴时间"),
    ("stage", "推进程度"),
    ("description", "借鉴做法"),
    ("key_figures", "关键数据"),
    ("own_case_title", "本区后续案例"),
]
WIDTHS = (10, 12, 40, 12, 12, 10, 60, 30, 40)


def confirmed(year=None):
    """Confirmed records of published sources; ``year``: the source's round year."""
    records = (
        Adoption.objects.confirmed()
        .filter(source__in=Case.objects.published())
        .select_related("source", "source__round", "source__district", "district", "own_case")
        .prefetch_related("key_figures")
        .order_by("source__round__year", "source_id", "since", "district__order", "id")
    )
    return records.filter(source__round__year=year) if year is not None else records


def adoption_row(adoption: Adoption) -> dict:
    source, own = adoption.source, adoption.own_case
    # The district's own later case is named only once it is published.
    own_public = own is not None and own.status == Case.Status.PUBLISHED
    return {
        "id": adoption.pk,
        "source_id": source.pk,
        "source_year": source.round.year,
        "source_district": source.district.name if source.district else None,
        "source_title": source.title,
        "district": adoption.district.name,
        "since": adoption.since.isoformat(),
        "stage": adoption.get_stage_display(),
        "description": adoption.description,
        "key_figures": [
            {"indicator": f.indicator, "value": f.value, "unit": f.unit}
            for f in adoption.key_figures.all()
        ],
        "own_case_id": own.pk if own_public else None,
        "own_case_title": own.title if own_public else None,
    }


def flat(row: dict) -> list:
    def cell(key):
        value = row[key]
        if key == "key_figures":
            return "；".join(f"{f['indicator']} {f['value']}{f['unit']}" for f in value)
        if key == "source_district" and value is None:
            return "未注明区"
        return "" if value is None else value

    return [cell(key) for key, _ in COLUMNS]


def render(rows: list[dict], fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt}")
    buffer = io.BytesIO()
    headers = [label for _, label in COLUMNS]
    if fmt == "json":
        table_export.write_json(buffer, rows)
    elif fmt == "csv":
        table_export.write_csv(buffer, headers, (flat(row) for row in rows))
    else:
        table_export.write_xlsx(
            buffer,
            sheet_title="复制推广情况",
            headers=headers,
            widths=WIDTHS,
            rows=(flat(row) for row in rows),
        )
    return buffer.getvalue()
