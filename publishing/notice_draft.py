"""The notice's words before anything is published: which cases the list holds, the fields of
the notice and their draft from the round. Below ``publication`` (which changes phases) and
``notice_documents`` (which renders), both of which read it.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Max
from django.utils import timezone

from cases.models import Case, Round
from reviews.models import ScoreSheet

# Cases that never take part in the published list, whatever tier they carry.
NOT_LISTED = (Case.Status.DRAFT, Case.Status.WITHDRAWN, Case.Status.REJECTED)


def listed_cases(round_: Round):
    """The cases of a round that carry a tier: the list shown in 公示 and then published.
    A compilation has no tiers: every case it lists is 入选."""
    cases = round_.cases.exclude(status__in=NOT_LISTED)
    if round_.is_compilation:
        return cases
    return cases.exclude(tier="").exclude(rank=None)


NOTICE_FIELDS = (
    "notice_title",
    "document_number",  # 发文字号, printed in the red header when it is on
    "red_header",
    "notice_addressee",
    "notice_preamble",
    "notice_attachment",
    "notice_signature",
    "notice_date",
)


def tier_words(names: list[str]) -> str:
    """优秀案例和良好实践; 甲、乙和丙."""
    if len(names) <= 1:
        return "".join(names)
    return "、".join(names[:-1]) + "和" + names[-1]


def review_day(round_: Round, notice_date: datetime.date) -> datetime.date | None:
    """The day the expert review ended: the last score sheet handed in, else the review's close,
    else its opening. A moment after the notice's date (a deadline set late, a sheet handed in
    after publication) is not when the review took place; None when nothing tells."""
    last_sheet = ScoreSheet.objects.filter(
        assignment__round=round_, status=ScoreSheet.Status.SUBMITTED
    ).aggregate(last=Max("submitted_at"))["last"]
    for moment in (last_sheet, round_.review_closes, round_.review_opens):
        if moment and timezone.localtime(moment).date() <= notice_date:
            return timezone.localtime(moment).date()
    return None


def review_when(round_: Round, notice_date: datetime.date) -> str:
    """今年10月 (2022's wording), 2022年12月 for a review in the year before the notice, 今年 alone
    when the round does not say (the 2023 notice's wording)."""
    day = review_day(round_, notice_date)
    if day is None:
        return "今年"
    if day.year != notice_date.year:
        return f"{day.year}年{day.month}月"
    return f"今年{day.month}月"


def draft_notice(round_: Round, today: datetime.date | None = None) -> dict:
    """The notice fields prefilled from the round: year, criteria words, counts per tier, date.

    Fields staff already wrote are kept; the rest follow the wording of the 2022 notice.
    """
    today = today or timezone.localdate()
    year = round_.year
    counts = dict(
        listed_cases(round_).values_list("tier").annotate(n=Count("id")).values_list("tier", "n")
    )
    names = [name for name in round_.tier_names if counts.get(name)]
    tiers = tier_words(names)
    per_tier = "、".join(f"{name}{counts[name]}个" for name in names)
    when = review_when(round_, round_.notice_date or today)  # 今年10月
    attachment = f"上海市{year}年度各区优化营商环境{tiers}"
    preamble = "\n".join(
        [
            f"优化营商环境是增强上海城市核心竞争力的关键所在。{year}年以来，各区按照全市优化"
            "营商环境工作要求，聚焦市场主体反映的突出问题，结合区域产业发展特点，开拓创新、"
            f"攻坚克难，形成了一批针对性强、有特色的改革举措。{when}，经过网络投票初选"
            f"和专家集中评审，选出具有{round_.criteria_words}的{attachment}"
            f"（{per_tier}）。",
            f"为促进互学互鉴，共同提升进步，现将{year}年各区优化营商环境{tiers}印发公布。"
            "下一步，各区要既不断巩固深化行之有效的现有做法，又大力度探索创新改革举措，"
            "共同努力打造市场化、法治化、国际化的一流营商环境。",
        ]
    )
    draft = {
        "notice_title": f"关于印发{attachment}的通知",
        "document_number": "",
        "red_header": False,
        "notice_addressee": "各区人民政府、各相关单位：",
        "notice_preamble": preamble,
        "notice_attachment": attachment,
        "notice_signature": "上海市发展和改革委员会",
        "notice_date": today,
    }
    for name in NOTICE_FIELDS:
        value = getattr(round_, name)
        if value and name != "notice_date":
            draft[name] = value
    if round_.notice_date:
        draft["notice_date"] = round_.notice_date
    return draft
