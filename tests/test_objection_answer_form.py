"""Answering an objection on the staff page: the new tier is chosen from the round's tiers, with
"移出名单" as one of the choices (it was free text, where a typo or a blank did the wrong thing)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from publishing import objections, publication
from publishing.forms import AnswerForm
from publishing.models import Objection
from tests.factories import approved_round

pytestmark = pytest.mark.django_db
DURING = timezone.make_aware(datetime.datetime(2024, 10, 8, 10))


@pytest.fixture
def objection():
    round_ = approved_round()
    publication.start_publicity(
        round=round_, now=timezone.make_aware(datetime.datetime(2024, 10, 7))
    )
    return objections.file_objection(
        case=round_.cases.get(title="智能退税"),
        name="张三",
        contact="13800000000",
        grounds="数据与事实不符",
        now=DURING,
    )


def answer(client, objection, **data):
    return client.post(
        reverse("publishing:answer", args=[objection.pk]),
        {"action": "adjust_result", "reason": "经核实调整", **data},
        follow=True,
    )


def test_the_tier_is_a_choice_of_the_rounds_tiers_and_removal(client, staff, objection):
    client.force_login(staff)
    page = client.get(reverse("publishing:round", args=[objection.round_id])).content.decode()
    assert '<select name="tier"' in page
    form = AnswerForm(round_=objection.round)
    values = [value for value, _label in form.fields["tier"].choices]
    assert values == ["", "优秀案例", "良好实践", AnswerForm.REMOVE]
    assert "移出名单" in page


def test_a_chosen_tier_and_rank_move_the_case(client, staff, objection):
    client.force_login(staff)
    answer(client, objection, tier="优秀案例", rank="3")
    case = objection.case
    case.refresh_from_db()
    assert (case.tier, case.rank) == ("优秀案例", 3)
    assert not Objection.objects.get().is_open


def test_removal_is_a_choice_of_its_own(client, staff, objection):
    client.force_login(staff)
    answer(client, objection, tier=AnswerForm.REMOVE)
    case = objection.case
    case.refresh_from_db()
    assert (case.tier, case.rank) == ("", None)


@pytest.mark.parametrize(
    "data, message",
    [
        ({}, "请选择调整后的档次，或选择“移出名单”。"),  # a blank no longer removes the case
        ({"tier": "特等奖", "rank": "1"}, "调整后的档次："),  # not one of the round's tiers
        ({"tier": "良好实践"}, "请填写调整后的排名。"),
    ],
)
def test_a_missing_or_unknown_tier_is_refused_with_a_message(
    client, staff, objection, data, message
):
    client.force_login(staff)
    page = answer(client, objection, **data).content.decode()
    assert message in page
    assert Objection.objects.get().is_open
    case = objection.case
    case.refresh_from_db()
    assert case.tier == "良好实践"
