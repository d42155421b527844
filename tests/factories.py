"""Small builders for test data, shared by the test modules."""

import datetime

from cases.models import Case, District, Round


def published_round(year=2022, tiers=(("优秀案例", 3), ("良好实践", 3)), **extra):
    defaults = dict(
        year=year,
        # As published rounds are titled (README, "Titles"): the round's name, and the notice's.
        title=f"上海市{year}年度各区优化营商环境优秀案例和良好实践",
        notice_title=f"关于印发上海市{year}年度各区优化营商环境优秀案例和良好实践的通知",
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


def approved_round(year=2024, tiers=(("优秀案例", 2), ("良好实践", 2)), cases=None, **extra):
    """A round whose result staff approved: accepted cases carrying their tier and rank."""
    defaults = dict(
        year=year,
        title=f"{year} 年度评选",
        status=Round.Status.APPROVED,
        tiers=[{"name": n, "size": s} for n, s in tiers],
        publicity_days=5,
    )
    defaults.update(extra)
    round_ = Round.objects.create(**defaults)
    cases = cases or [
        (
            "优秀案例",
            1,
            "打造“小嘉帮办”服务品牌",
            "嘉定区",
            "嘉定区推出帮办服务，年均办件量83.97万件。",
        ),
        ("优秀案例", 2, "推进商事登记确认制", "浦东新区", "浦东新区以立法为抓手，推进确认制。"),
        ("良好实践", 1, "“益”企助企法律服务团", "长宁区", "长宁区为企业提供法律服务。"),
        ("良好实践", 2, "智能退税", "静安区", "静安区税务局推出智能退税系统。"),
    ]
    for position, (tier, rank, title, district, body) in enumerate(cases, start=1):
        Case.objects.create(
            round=round_,
            tier=tier,
            rank=rank,
            title=title,
            position=position,
            district=District.objects.get(name=district) if district else None,
            status=Case.Status.ACCEPTED,
            subtitle="副标题" if rank == 1 else "",
            sections=[
                {"heading": "一、工作背景", "body": body},
                {"heading": "二、主要做法", "body": "第一段。\n第二段。"},
            ],
        )
    # Not listed: no tier, or withdrawn.
    Case.objects.create(round=round_, title="未获奖案例", status=Case.Status.ACCEPTED)
    Case.objects.create(
        round=round_, title="已撤回案例", tier="优秀案例", rank=3, status=Case.Status.WITHDRAWN
    )
    return round_


def ensure_districts():
    """The 16 districts, for transactional tests that run after a flush emptied the table."""
    from cases.districts import DISTRICTS

    for order, (code, name, short) in enumerate(DISTRICTS, start=1):
        District.objects.get_or_create(
            code=code, defaults={"name": name, "short_name": short, "order": order}
        )


def approved_round_from_notice(path, year=2022):
    """The real notice imported, then set back to an approved result awaiting publication."""
    from cases.notices.importer import import_notice
    from cases.notices.parser import parse_notice

    ensure_districts()
    round_ = import_notice(parsed=parse_notice(path.read_bytes()), year=year).round
    round_.cases.update(status=Case.Status.ACCEPTED)
    Round.objects.filter(pk=round_.pk).update(
        status=Round.Status.APPROVED,
        title=f"{year}年度各区优化营商环境案例评选",
        notice_title="",
        notice_preamble="",
        notice_attachment="",
        notice_date=None,
        published_at=None,
        publicity_days=5,
    )
    round_.refresh_from_db()
    return round_
