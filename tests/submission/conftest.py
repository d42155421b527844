"""Fixtures for the submission tests: an open round and complete cases in any state."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import Case, KeyFigure, Round, Topic

SECTIONS = [
    {"heading": "一、工作背景", "body": "嘉定区企业反映开办手续多。\n需要跑多个窗口。"},
    {"heading": "二、主要做法", "body": "一是推行一窗通办。\n二是实行容缺受理。"},
    {"heading": "三、取得成效", "body": "年均办件量83.97万件，办理时限压缩80%。"},
]


def make_case(round_, district, status=Case.Status.DRAFT, *, title="一窗通办提速企业开办", **extra):
    fields = {
        "round": round_,
        "district": district,
        "title": title,
        "subtitle": "持续优化政务服务",
        "topic": Topic.objects.get(name="政务服务"),
        "summary": "嘉定区推行一窗通办，企业开办时间压缩到一天。",
        "sections": SECTIONS,
        "contact_name": "李嘉定",
        "contact_phone": "021-59991234",
        "status": status,
    }
    fields.update(extra)
    if status not in (Case.Status.DRAFT,) and "submitted_at" not in fields:
        fields["submitted_at"] = timezone.now()
    case = Case.objects.create(**fields)
    KeyFigure.objects.create(case=case, indicator="年均办件量", value="83.97", unit="万件")
    return case


@pytest.fixture
def open_round(db):
    now = timezone.now()
    return Round.objects.create(
        year=2027,
        title="2027 年度上海市各区优化营商环境优秀案例评选",
        status=Round.Status.SUBMISSION,
        submission_opens=now - timedelta(days=1),
        submission_closes=now + timedelta(days=10),
        vote_opens=now + timedelta(days=20),
        vote_closes=now + timedelta(days=30),
        max_cases_per_district=2,
    )


@pytest.fixture
def case_factory(open_round, district_a):
    def factory(status=Case.Status.DRAFT, round_=None, district=None, **extra):
        return make_case(round_ or open_round, district or district_a, status, **extra)

    return factory


@pytest.fixture
def submitted(case_factory):
    """A submitted (locked) case of district A."""
    return case_factory(Case.Status.SUBMITTED)
