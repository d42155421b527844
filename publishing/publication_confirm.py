"""What the publication steps say before they act (core.confirm): one place for the words."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Round
from cases.notices.writer import format_date
from core.confirm import Confirmation

from . import publication


def _back(round_: Round) -> str:
    return reverse("publishing:round", args=[round_.pk])


def start_publicity(round_: Round) -> Confirmation:
    starts, ends = publication.publicity_window(timezone.now(), round_.publicity_days or 1)
    count = publication.listed_cases(round_).count()
    return Confirmation(
        title=_("开始公示"),
        subject=str(round_),
        consequences=[
            _("审定名单（%(n)s 个案例）在公示页向社会公开，任何人可提出异议。") % {"n": count},
            _("公示 %(days)s 个工作日，至 %(end)s 止（节假日不计，调休上班日计入）。")
            % {
                "days": round_.publicity_days or 1,
                "end": format_date(Round(publicity_ends=ends).publicity_last_day),
            },
            _("公示开始后名单不能直接修改，只能通过答复异议调整。"),
        ],
        warnings=[w for w in [publication.calendar_warning(round_)] if w],
        button=_("开始公示"),
        cancel_url=_back(round_),
    )


def publish(round_: Round, form) -> Confirmation:
    count = publication.listed_cases(round_).count()
    return Confirmation(
        title=_("印发公布"),
        subject=str(round_),
        consequences=[
            _("保存通知内容，评选转为“已公布”。"),
            _("名单上的 %(n)s 个案例在案例库和开放接口中向社会公开。") % {"n": count},
            _("系统随后生成通知的 Word 和 PDF 文件。"),
            _("如需更正，只能填写理由撤回公布。"),
        ],
        warnings=publication.publish_blockers(round_),
        button=_("确认印发公布"),
        cancel_url=reverse("publishing:notice", args=[round_.pk]),
        carry=(*form.fields, "publish"),
    )


def end_publicity(round_: Round) -> Confirmation:
    open_count = round_.objections.filter(status="open").count()
    warnings = []
    if open_count:
        warnings.append(_("尚有 %(n)s 件异议未处理，公布前须全部处理。") % {"n": open_count})
    return Confirmation(
        title=_("提前结束公示"),
        subject=str(round_),
        consequences=[
            _("公示期立即结束，公众不能再提出异议。"),
            _("结束的时间和理由记入公布记录和操作记录。"),
            _("异议全部处理后即可印发公布。"),
        ],
        warnings=warnings,
        button=_("提前结束公示"),
        cancel_url=_back(round_),
        carry=("reason",),
        reason_label=_("提前结束的理由（必填，记入公布记录）"),
    )
