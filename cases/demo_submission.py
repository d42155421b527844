"""Demo data for the submission feature: the 2027 round, open for submissions, with a few
drafts and submitted cases from three districts. Idempotent: a second run changes nothing.

Kept apart from cases/demo.py (which imports the notice parser) so it can be used and tested
on its own; cases.demo.ensure_submission_round calls it.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from cases import workflow
from cases.models import Case, KeyFigure, Round, Topic, default_criteria, default_tiers

DEMO_YEAR = 2027

# (district code, topic, status, title, subtitle, summary, [(heading, paragraphs)], figures)
DEMO_CASES = [
    (
        "jiading",
        "政务服务",
        "submitted",
        "“远程虚拟窗口”跨域通办",
        "让企业在家门口办成长三角事项",
        "嘉定区在各街镇设置远程虚拟窗口，"
        "企业和群众在家门口即可办理长三角 41 个城市的政务服务事项。",
        [
            (
                "一、工作背景",
                [
                    "长三角一体化发展中，企业跨地区办事需要往返奔波。",
                    "嘉定区与周边城市企业往来密切，异地办事需求大。",
                ],
            ),
            (
                "二、主要做法",
                [
                    "一是在 12 个街镇设置远程虚拟窗口，通过视频连线由属地窗口人员远程受理。",
                    "二是统一受理标准和材料清单，实现“收受分离、异地代收”。",
                    "三是建立跨区域协同机制，明确责任分工和办理时限。",
                ],
            ),
            (
                "三、取得成效",
                ["运行以来累计办件 2.3 万件，企业平均少跑 2 次，办事满意度 99.2%。"],
            ),
        ],
        [("累计办件", "2.3", "万件"), ("办事满意度", "99.2", "%")],
    ),
    (
        "jiading",
        "市场准入",
        "draft",
        "“一业一证”改革再提速",
        "",
        "",
        [("一、工作背景", ["行业准入涉及多个许可证，企业需要分别申请。"])],
        [],
    ),
    (
        "pudong",
        "法治保障",
        "submitted",
        "涉企行政检查“白名单”制度",
        "无事不扰、有求必应",
        "浦东新区对信用良好的企业实行行政检查白名单管理，减少重复检查，检查频次下降四成。",
        [
            ("一、工作背景", ["企业反映多头检查、重复检查，影响正常经营。"]),
            (
                "二、主要做法",
                [
                    "一是按信用等级编制白名单，名单内企业原则上不主动开展现场检查。",
                    "二是推行“综合查一次”，多个部门联合检查。",
                    "三是上线检查码，企业扫码即可核验检查人员和任务。",
                ],
            ),
            (
                "三、取得成效",
                ["全区涉企现场检查次数同比下降 41%，1.2 万家企业纳入白名单。"],
            ),
        ],
        [("检查次数下降", "41", "%"), ("白名单企业", "1.2", "万家")],
    ),
    (
        "changning",
        "税费服务",
        "draft",
        "跨境电商出口退税“快退”服务",
        "",
        "长宁区为跨境电商企业提供出口退税预审服务，退税平均时间缩短到 3 个工作日。",
        [
            ("一、工作背景", ["跨境电商企业资金周转压力大，对退税速度要求高。"]),
            ("二、主要做法", ["一是建立退税预审清单。", "二是推行无纸化申报。"]),
        ],
        [("平均退税时间", "3", "个工作日")],
    ),
]


def ensure_open_round(now=None):
    """The 2027 round in its submission phase, closing in three weeks; its pk."""
    now = now or timezone.now()
    round_, created = Round.objects.get_or_create(
        year=DEMO_YEAR,
        defaults={
            "title": f"{DEMO_YEAR} 年度上海市各区优化营商环境优秀案例评选",
            "status": Round.Status.SUBMISSION,
            "criteria": default_criteria(),
            "tiers": default_tiers(),
            "shortlist_size": 30,
            "max_cases_per_district": 3,
            "submission_opens": now - timedelta(days=7),
            "submission_closes": (now + timedelta(days=21)).replace(
                hour=17, minute=0, second=0, microsecond=0
            ),
            "vote_opens": now + timedelta(days=28),
            "vote_closes": now + timedelta(days=35),
            "review_opens": now + timedelta(days=40),
            "review_closes": now + timedelta(days=45),
        },
    )
    return round_, created


def ensure_submission_round(now=None) -> str:
    round_, created = ensure_open_round(now)
    if not created:
        return f"{DEMO_YEAR} 年度申报演示数据已存在"
    User = get_user_model()
    topics = {t.name: t for t in Topic.objects.all()}
    made = 0
    for code, topic, status, title, subtitle, summary, sections, figures in DEMO_CASES:
        officer = User.objects.filter(role="officer", district__code=code).order_by("id").first()
        if officer is None:
            continue
        case = Case.objects.create(
            round=round_,
            district=officer.district,
            topic=topics.get(topic),
            title=title,
            subtitle=subtitle,
            summary=summary,
            sections=[{"heading": h, "body": "\n".join(ps)} for h, ps in sections],
            contact_name=officer.get_full_name() or officer.username,
            contact_phone="021-69989000",
            created_by=officer,
        )
        for order, (indicator, value, unit) in enumerate(figures):
            KeyFigure.objects.create(
                case=case, indicator=indicator, value=value, unit=unit, order=order
            )
        if status == "submitted":
            workflow.submit(case=case, user=officer)
        made += 1
    return f"已创建 {DEMO_YEAR} 年度评选（申报中）及 {made} 个演示案例"
