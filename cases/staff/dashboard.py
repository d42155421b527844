"""What staff see of a round's submissions: counts per district and the Excel export."""

from io import BytesIO

from django.db.models import Count, Exists, Max, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from cases.models import Case, CaseTransition, District, ReturnRequest
from cases.submission import neardup
from core.spreadsheet import xlsx_row

S = Case.Status
# The columns of the per-district table, in the order a case moves through them.
STATUS_COLUMNS = [S.DRAFT, S.SUBMITTED, S.RETURNED, S.ACCEPTED, S.REJECTED, S.WITHDRAWN]


def district_rows(round_) -> list[dict]:
    """One row per district: counts by state, places used, and whether it has filed anything."""
    counts = {}
    for row in (
        Case.objects.filter(round=round_).values("district_id", "status").annotate(n=Count("id"))
    ):
        counts.setdefault(row["district_id"], {})[row["status"]] = row["n"]
    rows = []
    for district in District.objects.all():
        by_status = counts.get(district.pk, {})
        used = sum(by_status.get(s, 0) for s in Case.QUOTA_STATES)
        rows.append(
            {
                "district": district,
                "counts": [by_status.get(s, 0) for s in STATUS_COLUMNS],
                "used": used,
                "max": round_.max_cases_per_district,
                # "Has not submitted yet": nothing filed, or everything filed was withdrawn.
                "not_submitted": used == 0 and not by_status.get(S.REJECTED),
                "total": sum(by_status.values()),
            }
        )
    return rows


def totals(rows) -> list[int]:
    return [sum(r["counts"][i] for r in rows) for i in range(len(STATUS_COLUMNS))]


def filed_cases(round_):
    """The round's cases that left the district (drafts stay private to their district), each
    with ``return_requested``: the district asked for it back and staff have not answered."""
    open_requests = ReturnRequest.objects.filter(
        case=OuterRef("pk"), status=ReturnRequest.Status.OPEN
    )
    return list(
        Case.objects.filter(round=round_)
        .exclude(status=S.DRAFT)
        .annotate(return_requested=Exists(open_requests))
        .select_related("district", "topic", "round")
        .order_by("district__order", "submitted_at", "id")
    )


def with_best_match(cases):
    """Each case with ``best_match`` (its closest other case and the figure) and
    ``late_copy``: a near-copy found after staff checked the case in (a later submission
    copied it), not yet marked "not a copy"."""
    best = neardup.best_matches(cases)
    pairs = neardup.pairs_of({case.pk for case in cases})
    checked_in = dict(
        CaseTransition.objects.filter(case__in=cases, from_status=S.SUBMITTED)
        .values("case_id")
        .annotate(at=Max("at"))
        .values_list("case_id", "at")
    )
    for case in cases:
        case.best_match = best.get(case.pk)
        since = checked_in.get(case.pk)
        case.late_copy = since is not None and any(
            pair.found_at > since and not pair.not_a_copy for pair in pairs.get(case.pk, [])
        )
    return cases


HEADERS = [
    _l("序号"),
    _l("区"),
    _l("主标题"),
    _l("副标题"),
    _l("领域"),
    _l("状态"),
    _l("申报时间"),
    _l("联系人"),
    _l("联系电话"),
    _l("摘要"),
    _l("最相似案例"),
    _l("相似度"),
]
SUMMARY_HEADERS = [
    _l("区"),
    *(s.label for s in STATUS_COLUMNS),
    _l("占用名额"),
    _l("名额上限"),
    _l("尚未申报"),
]


def _style_header(sheet, count):
    fill = PatternFill("solid", fgColor="A61B1B")
    for col in range(1, count + 1):
        cell = sheet.cell(row=1, column=col)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
    sheet.freeze_panes = "A2"


def export_workbook(round_) -> bytes:
    """The round's filed cases and the per-district counts as an .xlsx file, headers in Chinese."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("申报案例")
    sheet.append(xlsx_row(sheet, [str(h) for h in HEADERS]))
    cases = with_best_match(filed_cases(round_))
    for number, case in enumerate(cases, start=1):
        match, score = case.best_match or (None, None)
        sheet.append(
            xlsx_row(
                sheet,
                [
                    number,
                    str(case.district or ""),
                    case.title,
                    case.subtitle,
                    str(case.topic or ""),
                    case.get_status_display(),
                    timezone.localtime(case.submitted_at).strftime("%Y-%m-%d %H:%M")
                    if case.submitted_at
                    else "",
                    case.contact_name,
                    case.contact_phone,
                    case.summary,
                    f"{match.round.year} {match.full_title}" if match else "",
                    round(score, 4) if score is not None else None,
                ],
            )
        )
        if score is not None:
            sheet.cell(row=number + 1, column=len(HEADERS)).number_format = "0.0%"
    _style_header(sheet, len(HEADERS))
    for col, width in enumerate([6, 10, 36, 30, 10, 10, 17, 10, 15, 60, 40, 9], start=1):
        sheet.column_dimensions[get_column_letter(col)].width = width

    summary = workbook.create_sheet(_("各区汇总"))
    summary.append(xlsx_row(summary, [str(h) for h in SUMMARY_HEADERS]))
    for row in district_rows(round_):
        summary.append(
            xlsx_row(
                summary,
                [
                    row["district"].name,
                    *row["counts"],
                    row["used"],
                    row["max"],
                    _("是") if row["not_submitted"] else "",
                ],
            )
        )
    _style_header(summary, len(SUMMARY_HEADERS))
    summary.column_dimensions["A"].width = 12
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
