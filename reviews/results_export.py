"""The round's results as an Excel workbook for staff: the ranking line by line and the panel's
agreement (专家评分一致性), with Chinese headers. Every cell goes through core.spreadsheet, so
a case title or an expert's name that starts with "=" stays text."""

from decimal import Decimal
from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from core.spreadsheet import safe_row

from .results_panel import PanelReport


def _number(value):
    """Decimals shown as text in the results (details keep them as strings) become numbers."""
    if value is None or value == "":
        return None
    return Decimal(str(value))


def _sheet(workbook, title, headers, rows, widths):
    sheet = workbook.create_sheet(title)
    sheet.append(safe_row(headers))
    for row in rows:
        sheet.append(safe_row(row))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    return sheet


def _ranking_rows(rows):
    for row in rows:
        case = row["case"]
        yield [
            row["overall_rank"],
            _("是") if row["tied"] else None,
            row["tier"] or _("未获奖"),
            row["rank"],
            case.title,
            str(case.district or ""),
            row["votes"],
            _number(row["vote_score"]),
            _number(row["mean"]),
            _number(row["expert_score"]),
            _number(row["final"]),
            _number(row["score"]),
            "；".join(f"{e['name']} {e['total']}" for e in row["experts"]),
            "、".join(row["recused"]) or None,
        ]


def _summary_rows(report: PanelReport):
    panel, limits = report.panel, report.panel.thresholds
    return [
        [_("入围案例数（n）"), panel.cases, None],
        [_("评完全部入围案例的专家数（k）"), panel.experts, _("有回避或缺评的专家不计入 ICC 和 W")],
        [_("组内相关系数 ICC(2,k)"), panel.icc2k, report.icc_level],
        [_("肯德尔和谐系数 W"), panel.kendall_w, None],
        [_("提示阈值：排序相关系数低于"), limits.flag_correlation, None],
        [_("提示阈值：平均偏差（百分制）绝对值高于"), limits.flag_offset, None],
        [_("提示阈值：案例离散度（百分制）高于"), limits.flag_spread, None],
    ]


def panel_members(rows) -> list[str]:
    """The experts of the review meeting, in the order the ranking names them (those who
    scored, then those who only declared 回避): the names on the sign-off block."""
    names = []
    for row in rows:
        for name in [e["name"] for e in row["experts"]] + list(row["recused"]):
            if name not in names:
                names.append(name)
    return names


def _sign_off(sheet, names):
    """专家组签字 and 日期 under the ranking, for the meeting's record (printed and signed)."""
    sheet.append([])
    sheet.append(safe_row([_("专家组签字")]))
    sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
    for name in names:
        sheet.append(safe_row([name, _("签字："), None]))
    sheet.append(safe_row([_("日期："), None, None]))


def results_workbook(*, round_, rows, report: PanelReport | None) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.title = str(round_)
    ranking = _sheet(
        workbook,
        _("评选结果"),
        [
            _("总排名"),
            _("并列"),
            _("档次"),
            _("档内名次"),
            _("案例"),
            _("区"),
            _("票数"),
            _("投票得分"),
            _("平均分"),
            _("专家得分"),
            _("未取整得分"),
            _("最终得分"),
            _("各专家总分"),
            _("回避专家"),
        ],
        _ranking_rows(rows),
        [8, 6, 10, 8, 40, 10, 8, 10, 10, 10, 12, 10, 50, 20],
    )
    _sign_off(ranking, panel_members(rows))
    if report is not None:
        _sheet(
            workbook,
            _("专家评分一致性"),
            [_("指标"), _("数值"), _("说明")],
            _summary_rows(report),
            [40, 12, 40],
        )
        _sheet(
            workbook,
            _("专家评分偏差"),
            [
                _("专家"),
                _("评分案例数"),
                _("平均偏差（百分制）"),
                _("排序相关系数"),
                _("需关注"),
                _("原因"),
            ],
            (
                [
                    row.name,
                    row.item.cases,
                    row.item.offset,
                    row.item.correlation,
                    _("是") if row.item.flagged else None,
                    "；".join(row.reasons) or None,
                ]
                for row in report.experts
            ),
            [16, 10, 18, 14, 8, 60],
        )
        _sheet(
            workbook,
            _("案例评分分歧"),
            [
                _("案例"),
                _("区"),
                _("评分专家数"),
                _("离散度（百分制标准差）"),
                _("需关注"),
                _("原因"),
            ],
            (
                [
                    row.case.title if row.case else row.item.case,
                    str(row.case.district or "") if row.case else "",
                    row.item.experts,
                    row.item.spread,
                    _("是") if row.item.flagged else None,
                    "；".join(row.reasons) or None,
                ]
                for row in report.cases
            ),
            [40, 10, 10, 20, 8, 60],
        )
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
