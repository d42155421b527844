"""Objections during the public notice period: filed by anyone, answered by staff."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases.models import Round
from publishing import objections, publication
from publishing.models import Objection, PublicationEvent
from tests.factories import approved_round

pytestmark = pytest.mark.django_db
S = Round.Status
DURING = timezone.make_aware(datetime.datetime(2024, 10, 8, 10))


@pytest.fixture
def round_in_publicity():
    round_ = approved_round()
    publication.start_publicity(
        round=round_, now=timezone.make_aware(datetime.datetime(2024, 10, 7))
    )
    round_.refresh_from_db()
    return round_


def file(round_, title="智能退税", **kwargs):
    values = dict(name="张三", contact="13800000000", grounds="数据与事实不符", now=DURING)
    values.update(kwargs)
    return objections.file_objection(case=round_.cases.get(title=title), **values)


def test_anyone_may_object_to_a_listed_case_during_the_period(round_in_publicity):
    objection = file(round_in_publicity, ip="10.0.0.1")
    assert objection.is_open and objection.round == round_in_publicity
    assert objection.ip == "10.0.0.1"


def test_it_refuses_objections_after_the_period(round_in_publicity):
    with pytest.raises(ValidationError, match="不在公示期内"):
        file(round_in_publicity, now=round_in_publicity.publicity_ends)


def test_it_refuses_objections_to_cases_not_on_the_list(round_in_publicity):
    with pytest.raises(ValidationError, match="公示名单"):
        file(round_in_publicity, title="未获奖案例")


def test_it_requires_name_contact_and_grounds(round_in_publicity):
    with pytest.raises(ValidationError, match="联系方式"):
        file(round_in_publicity, contact=" ")


def test_dismissal_needs_a_reason_and_happens_once(round_in_publicity, staff):
    objection = file(round_in_publicity)
    with pytest.raises(ValidationError, match="处理意见"):
        objections.dismiss_objection(objection=objection, user=staff, reason="")
    objections.dismiss_objection(objection=objection, user=staff, reason="经核实无误")
    objection.refresh_from_db()
    assert objection.status == Objection.Status.DISMISSED
    assert objection.answered_by == staff and objection.answer == "经核实无误"
    with pytest.raises(ValidationError, match="已处理"):
        objections.dismiss_objection(objection=objection, user=staff, reason="again")


def test_upholding_may_reopen_the_review(round_in_publicity, staff):
    objection = file(round_in_publicity)
    objections.uphold_objection(
        objection=objection, user=staff, reason="评分有误", remedy=Objection.Remedy.REOPEN_REVIEW
    )
    round_in_publicity.refresh_from_db()
    assert round_in_publicity.status == S.REVIEW
    assert round_in_publicity.history.first().history_change_reason.startswith("采纳异议")
    assert PublicationEvent.objects.filter(kind="review_reopened").exists()


def test_upholding_may_adjust_the_result_with_a_recorded_reason(round_in_publicity, staff):
    objection = file(round_in_publicity)
    objections.uphold_objection(
        objection=objection,
        user=staff,
        reason="存在重复申报",
        remedy=Objection.Remedy.ADJUST_RESULT,
        tier="",
    )
    case = round_in_publicity.cases.get(title="智能退税")
    assert case.tier == "" and case.rank is None
    assert "存在重复申报" in case.history.first().history_change_reason
    assert not publication.listed_cases(round_in_publicity).filter(pk=case.pk).exists()
    event = PublicationEvent.objects.get(kind="result_adjusted")
    assert "良好实践 2" in event.reason and "存在重复申报" in event.reason
    assert Round.objects.get(pk=round_in_publicity.pk).status == S.PUBLICITY


def test_adjusting_to_an_unknown_tier_is_refused(round_in_publicity, staff):
    objection = file(round_in_publicity)
    with pytest.raises(ValidationError, match="不是本评选的档次"):
        objections.uphold_objection(
            objection=objection,
            user=staff,
            reason="x",
            remedy="adjust_result",
            tier="特等奖",
            rank=1,
        )
    assert Objection.objects.get().is_open  # nothing half-done
