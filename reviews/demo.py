"""Demo data for the selection: a round whose public vote is open (2026) and a round in
expert review (2025) with the demo experts assigned. Idempotent: a second run changes nothing.

Voters need no account: any mainland mobile number works, and the console sender prints the
one-time code in the terminal running the server.
"""

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from cases.models import Case, District, Round

from . import review
from .models import Vote, Voter
from .vote.casting import ip_block

VOTE_YEAR, REVIEW_YEAR = 2026, 2025
DEMO_TITLE = "%s 年度上海市各区优化营商环境案例评选（演示）"

# (district code, title, subtitle, summary, figures sentence)
DEMO_CASES = [
    (
        "jiading",
        "打造“一业一证”改革升级版",
        "推动行业综合许可“一证准营”",
        "将一个行业准入涉及的多张许可证整合为一张行业综合许可证，实现“一证准营、跨地互认”。",
        "累计发放行业综合许可证 1.2 万张，审批时限平均压缩 88%。",
    ),
    (
        "pudong",
        "推进商事登记确认制",
        "持续创新市场准入便利化改革",
        "对企业登记事项由“核准”改为“确认”，申请材料齐全即予确认登记。",
        "新设企业 4.6 万户，平均开办时间压缩至 0.5 个工作日。",
    ),
    (
        "huangpu",
        "构建“企业服务专员”全覆盖机制",
        "",
        "为辖区重点企业配备服务专员，建立诉求收集、分办、督办、反馈闭环。",
        "服务企业 3.1 万家，解决诉求 8,600 余件，满意率 98.7%。",
    ),
    (
        "jingan",
        "打造国际化法律服务高地",
        "“一站式”涉外商事纠纷解决平台",
        "整合仲裁、调解、公证等资源，为外资企业提供一站式商事纠纷解决服务。",
        "受理涉外商事纠纷 1,240 件，平均化解周期缩短 40%。",
    ),
    (
        "xuhui",
        "人工智能赋能“一网通办”",
        "",
        "运用大模型技术实现政务服务智能预审、智能导办，办事材料“免填写、少提交”。",
        "智能预审覆盖事项 326 项，一次办成率提升至 96%。",
    ),
    (
        "changning",
        "“首违不罚”清单制度",
        "包容审慎监管的长宁实践",
        "对首次轻微违法且及时改正的市场主体依法不予行政处罚，并开展指导教育。",
        "适用“首违不罚”案件 2,300 余件，涉及市场主体 2,100 余户。",
    ),
    (
        "minhang",
        "工程建设项目审批“拿地即开工”",
        "",
        "通过容缺受理、并联审批、告知承诺，实现项目取得土地后即可开工建设。",
        "32 个项目实现“拿地即开工”，审批时间平均缩短 60 个工作日。",
    ),
    (
        "songjiang",
        "G60 科创走廊“一网通办”跨区域协同",
        "",
        "联合长三角九城市推动政务服务事项跨省通办、异地可办。",
        "跨省通办事项 180 项，累计办件 12.5 万件。",
    ),
]


PRACTICE = (
    "一是强化顶层设计，建立工作专班。\n二是优化业务流程，推动数据共享。\n"
    "三是加强宣传引导，提升企业知晓度。"
)


def _case_sections(summary, figures):
    return [
        {"heading": "一、工作背景", "body": summary},
        {"heading": "二、主要做法", "body": PRACTICE},
        {"heading": "三、取得成效", "body": figures},
    ]


# What the demo's 公示 page names as the place for objections (an address that reaches no one).
DEMO_OBJECTION_CONTACT = "上海市发展和改革委员会（演示）\n电子邮箱：objection@example.com"


def _ensure_round(year, status, **fields):
    defaults = {"status": status, "objection_contact": DEMO_OBJECTION_CONTACT, **fields}
    round_, created = Round.objects.get_or_create(
        year=year, title=DEMO_TITLE % year, defaults=defaults
    )
    return round_, created


def _ensure_cases(round_, rows, **fields):
    districts = {d.code: d for d in District.objects.all()}
    cases = []
    for position, (code, title, subtitle, summary, figures) in enumerate(rows, start=1):
        case, _created = Case.objects.get_or_create(
            round=round_,
            title=title,
            defaults={
                "district": districts.get(code),
                "subtitle": subtitle,
                "summary": summary,
                "sections": _case_sections(summary, figures),
                "status": Case.Status.ACCEPTED,
                "position": position,
                **fields,
            },
        )
        cases.append(case)
    return cases


# Mobile prefixes a Shanghai crowd's numbers start with: the demo's voters look like one, so
# the fraud review shows only what was planted for staff to find (``_plant_number_run``).
MOBILE_PREFIXES = (
    "134",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "158",
    "159",
    "176",
    "177",
    "180",
    "181",
    "186",
    "187",
    "189",
    "199",
)
# Six near-consecutive numbers voting for one case within the hour: the number run staff find
# on the fraud review of the demo vote.
PLANTED_RUN = [f"1391682{n:04d}" for n in (41, 42, 44, 45, 47, 48)]


def _crowd_phone(rng, taken):
    while True:
        phone = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        if phone not in taken and phone not in PLANTED_RUN:
            taken.add(phone)
            return phone


def _cast(round_, case, phone, at, ip):
    voter, _created = Voter.objects.get_or_create(
        phone=phone, defaults={"verified_at": at - timedelta(minutes=2)}
    )
    Vote.objects.get_or_create(
        voter=voter,
        case=case,
        defaults={"round": round_, "ip": ip, "ip_block": ip_block(ip), "created_at": at},
    )


def _demo_votes(round_, cases, counts, start):
    """Votes from a crowd (random numbers, a seed per round so a rerun is the same), spread
    over the hours after ``start`` so the staff chart has a shape."""
    rng = random.Random(round_.year)
    taken = set()
    for case, count in zip(cases, counts, strict=False):
        for _i in range(count):
            at = start + timedelta(minutes=rng.randrange(8 * 60))
            ip = f"10.{rng.randrange(1, 255)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
            _cast(round_, case, _crowd_phone(rng, taken), at, ip)
        Case.objects.filter(pk=case.pk).update(vote_count=case.votes.filter(voided=False).count())


def _plant_number_run(round_, case, start):
    for i, phone in enumerate(PLANTED_RUN):
        _cast(round_, case, phone, start + timedelta(minutes=6 * i + 1), f"10.99.7.{20 + i}")
    Case.objects.filter(pk=case.pk).update(vote_count=case.votes.filter(voided=False).count())


@transaction.atomic
def ensure_selection_demo():
    now = timezone.now()
    vote_round, vote_created = _ensure_round(
        VOTE_YEAR,
        Round.Status.VOTING,
        vote_opens=now - timedelta(days=1),
        vote_closes=now + timedelta(days=30),
        votes_per_voter=3,
        vote_count_mode=Round.VoteCounts.LIVE,
        shortlist_size=5,
        vote_weight="0.1",
    )
    if vote_created:
        cases = _ensure_cases(vote_round, DEMO_CASES)
        _demo_votes(vote_round, cases, [14, 11, 9, 9, 6, 4, 3, 1], now - timedelta(hours=8))
        _plant_number_run(vote_round, cases[5], now - timedelta(hours=3))

    review_round, review_created = _ensure_round(
        REVIEW_YEAR,
        Round.Status.REVIEW,
        vote_opens=now - timedelta(days=40),
        vote_closes=now - timedelta(days=10),
        review_opens=now - timedelta(days=1),
        review_closes=now + timedelta(days=14),
        shortlist_size=6,
        trim=0,
        tiers=[{"name": "优秀案例", "size": 3}, {"name": "良好实践", "size": 3}],
    )
    if review_created:
        cases = _ensure_cases(review_round, DEMO_CASES[:6], shortlisted=True)
        _demo_votes(review_round, cases, [20, 17, 15, 12, 10, 8], now - timedelta(days=20))
        review.assign_default(round=review_round)

    vote_round.refresh_from_db()
    review_round.refresh_from_db()
    return f"评选演示：{_vote_line(vote_round)}；{_review_line(review_round)}"


def _vote_line(round_) -> str:
    """What is true of the demo's vote now: a second run, weeks later, tells what moved on."""
    if round_.status == Round.Status.VOTING and round_.window_open("vote"):
        return (
            f"{round_.year} 年度网络投票进行中（/vote/，先填图形验证码，任意手机号，"
            "验证码打印在服务器控制台）"
        )
    return f"{round_.year} 年度：{round_.phase_label}"


def _review_line(round_) -> str:
    if review.is_review_open(round_):
        User = get_user_model()
        experts = User.objects.filter(username__in=["expert_zhao", "expert_qian", "expert_sun"])
        return (
            f"{round_.year} 年度专家评审中（{experts.count()} 位演示专家，"
            f"{round_.assignments.count()} 项评审分配，浦东新区专家自动回避浦东案例）"
        )
    return f"{round_.year} 年度：{round_.phase_label}"
