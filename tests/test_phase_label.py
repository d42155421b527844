"""One phase label for a round, from Round.phase_label, on every page that names the phase,
including the steps that wait for staff (评审已结束，待审定); and an expert whose review is over
is told so, and when."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from cases.demo import ensure_accounts
from cases.models import Round
from cases.notices.writer import format_date
from publishing import publication
from reviews import review
from reviews.demo_panel import ensure_panel_demo
from tests.factories import approved_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_review():
    ensure_accounts()
    ensure_panel_demo()
    return Round.objects.get(year=2024)


def test_every_staff_page_names_a_closed_review_alike(client, closed_review):
    User = get_user_model()
    client.force_login(User.objects.get(username="staff"))
    assert closed_review.phase_label == "评审已结束，待审定"
    for url in [
        reverse("publishing:workspace"),
        reverse("reviews:results", args=[closed_review.pk]),
        reverse("reviews:rounds"),
        reverse("cases:staff_rounds"),
        reverse("cases:staff_dashboard") + f"?round={closed_review.pk}",
    ]:
        page = client.get(url).content.decode()
        assert "评审已结束，待审定" in page, url
        assert "专家评审</span>" not in page and "（专家评审）" not in page, url


def test_the_expert_is_told_the_review_is_over_and_when(client, closed_review):
    User = get_user_model()
    client.force_login(User.objects.get(username="expert_zhao"))
    page = client.get(reverse("reviews:expert_home")).content.decode()
    closed = closed_review.selection.review_closed_at
    assert f"评审已结束（{format_date(timezone.localtime(closed).date())}）" in page
    assert "评审未开放" not in page


def test_the_review_state_before_during_and_after(closed_review):
    now = timezone.now()
    round_ = Round.objects.create(
        year=2030,
        title="未开放的评审",
        status=Round.Status.REVIEW,
        review_opens=now + datetime.timedelta(days=3),
        review_closes=now + datetime.timedelta(days=10),
    )
    opens = format_date(timezone.localtime(round_.review_opens).date())
    assert review.review_state(round_, now) == (False, f"评审未开放（{opens} 开始）")
    assert review.review_state(round_, now + datetime.timedelta(days=4)) == (True, "评审进行中")
    closes = format_date(timezone.localtime(round_.review_closes).date())
    later = now + datetime.timedelta(days=11)
    assert review.review_state(round_, later) == (False, f"评审已结束（{closes}）")


def test_a_publicity_over_waits_for_publication():
    round_ = approved_round()
    publication.start_publicity(round=round_, now=timezone.now() - datetime.timedelta(days=30))
    round_.refresh_from_db()
    assert round_.phase_label == "公示期已结束，待公布"
    assert approved_round(year=2031).phase_label == "结果已审定"
