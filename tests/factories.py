"""Small builders for test data, shared by the test modules."""

import datetime

from cases.models import Case, District, Round


def published_round(year=2022, tiers=(("优秀案例", 3), ("良好实践", 3)), **extra):
    defaults = dict(
        year=year,
        title=f"{year} 年度评选",
        notice_title=f"上海市{year}年度各区优化营商环境优秀案例和良好实践",
        status=Round.Status.PUBLISHED,
        tiers=[{"name": n, "size": s} for n, s in tiers],
        notice_date=datetime.date(year, 11, 8),
    )
    defaults.update(extra)
    return Round.objects.create(**defaults)


def published_case(round_, *, tier, rank, title, district=None, body="正文。", **extra):
    district_obj = District.objects.get(name=district) if district else None
    defaults = dict(
        round=round_,
        tier=tier,
        rank=rank,
        title=title,
        district=district_obj,
        district_needs_review=district_obj is None,
        status=Case.Status.PUBLISHED,
        sections=[{"heading": "一、工作背景", "body": body}],
    )
    defaults.update(extra)
    return Case.objects.create(**defaults)
