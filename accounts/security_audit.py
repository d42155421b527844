"""Reading the security audit: the auditor's page and its Excel export (accounts.views)."""

import datetime
import io
from dataclasses import dataclass

from django.utils import timezone
from openpyxl import Workbook

from core.spreadsheet import save_workbook, xlsx_row

from .audit import local_time
from .models import SecurityEvent

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000
HEADERS = ["时间", "事件", "结果", "操作人", "涉及账号", "地址", "说明"]


@dataclass
class Filters:
    kind: str = ""
    person: str = ""  # a username: as actor or as the account concerned
    since: datetime.date | None = None
    until: datetime.date | None = None


def events(filters: Filters):
    rows = SecurityEvent.objects.all()
    if filters.kind in SecurityEvent.Kind.values:
        rows = rows.filter(kind=filters.kind)
    if filters.person:
        rows = rows.filter(actor=filters.person) | rows.filter(subject=filters.person)
    zone = timezone.get_current_timezone()
    if filters.since:
        start = datetime.datetime.combine(filters.since, datetime.time.min, tzinfo=zone)
        rows = rows.filter(at__gte=start)
    if filters.until:
        end = datetime.datetime.combine(filters.until, datetime.time.min, tzinfo=zone)
        rows = rows.filter(at__lt=end + datetime.timedelta(days=1))
    return rows.order_by("-at", "-id")


def row_values(event) -> list:
    return [
        local_time(event.at),
        event.get_kind_display(),
        event.get_outcome_display(),
        event.actor or "系统",
        event.subject,
        event.address or "",
        event.detail,
    ]


def workbook_bytes(filters: Filters) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("安全审计")
    sheet.append(xlsx_row(sheet, HEADERS))
    for event in events(filters)[:EXPORT_LIMIT].iterator(chunk_size=2000):
        sheet.append(xlsx_row(sheet, row_values(event)))
    handle = io.BytesIO()
    save_workbook(workbook, handle)
    return handle.getvalue()
