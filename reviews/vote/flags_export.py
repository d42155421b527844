"""The vote monitor's flags as an Excel workbook, for the record: one row per flag, and one
row per flagged vote with its voter's whole phone number (staff only, as on the fraud review).
Every text cell goes through core.spreadsheet, so a typed "=…" never runs as a formula."""

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from cases.models import Case, Round
from core.spreadsheet import save_workbook, xlsx_row

from ..models import Vote
from .monitor import Burst


def _kind(flag: Burst) -> str:
    return {
        "block": _("同一地址段集中投票"),
        "swarm": _("新号集中投票"),
        "phones": _("相近号码"),
    }.get(flag.kind, flag.kind)


def _at(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


def write(round_: Round, found: list[Burst], scanned_at, handle) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("异常标记"))
    when = _at(scanned_at) if scanned_at else _("尚未检测")
    sheet.append(xlsx_row(sheet, [str(round_), _("异常检测时间"), when]))
    heads = ["序号", "类型", "地址段", "说明", "首票时间", "末票时间", "票数", "投票人数"]
    sheet.append(xlsx_row(sheet, [_(head) for head in heads]))
    for number, flag in enumerate(found, 1):
        sheet.append(
            xlsx_row(
                sheet,
                [
                    number,
                    _kind(flag),
                    flag.block,
                    flag.detail,
                    _at(flag.first),
                    _at(flag.last),
                    flag.count,
                    len(flag.voters),
                ],
            )
        )
    votes = workbook.create_sheet(_("标记选票"))
    heads = ["标记序号", "选票编号", "投票时间", "案例", "手机号", "IP 地址", "现状"]
    votes.append(xlsx_row(votes, [_(head) for head in heads]))
    ids = [pk for flag in found for pk in flag.vote_ids]
    rows = {
        row[0]: row
        for row in Vote.objects.filter(pk__in=ids).values_list(
            "pk", "created_at", "case_id", "voter__phone", "ip", "voided"
        )
    }
    titles = dict(
        Case.objects.filter(pk__in={row[2] for row in rows.values()}).values_list("pk", "title")
    )
    for number, flag in enumerate(found, 1):
        for pk in flag.vote_ids:
            if pk not in rows:
                continue
            _pk, at, case_id, phone, ip, voided = rows[pk]
            state = _("已作废") if voided else _("有效")
            title = titles.get(case_id, "")
            row = [number, pk, _at(at), title, phone, ip or "", state]
            votes.append(xlsx_row(votes, row))
    save_workbook(workbook, handle)
