"""The prefilled notice says "今年N月" with N the month the expert review took place (the 2022
notice: 10月, published 8 November), never a month after the notice's date (#18)."""

import datetime

import pytest
from django.utils import timezone

from publishing import publication
from reviews.models import Assignment, ScoreSheet
from tests.factories import approved_round

pytestmark = pytest.mark.django_db
NOTICE_DAY = datetime.date(2024, 11, 8)


def aware(*args):
    return timezone.make_aware(datetime.datetime(*args))


def preamble(round_):
    return publication.draft_notice(round_, today=NOTICE_DAY)["notice_preamble"]


def hand_in(round_, expert, when):
    case = round_.cases.filter(tier="优秀案例").first()
    assignment = Assignment.objects.create(round=round_, case=case, expert=expert)
    ScoreSheet.objects.create(
        assignment=assignment, status=ScoreSheet.Status.SUBMITTED, submitted_at=when
    )


def test_the_review_month_not_the_publicity_month():
    # The review opened in October; the deadline was left empty; publicity began in November.
    round_ = approved_round(
        review_opens=aware(2024, 10, 20, 9), publicity_starts=aware(2024, 11, 1)
    )
    assert "今年10月，经过网络投票初选" in preamble(round_)


def test_a_deadline_set_after_the_notice_is_not_the_review_month(expert):
    # Experts scored in October under a deadline set at the end of the year.
    round_ = approved_round(
        review_opens=aware(2024, 10, 10, 9), review_closes=aware(2024, 12, 31, 23)
    )
    assert "今年10月" in preamble(round_)
    hand_in(round_, expert, aware(2024, 10, 27, 16))
    assert "今年10月" in preamble(round_)


def test_the_last_sheet_handed_in_dates_the_review(expert):
    round_ = approved_round(
        review_opens=aware(2024, 9, 25, 9), review_closes=aware(2024, 10, 31, 18)
    )
    hand_in(round_, expert, aware(2024, 9, 29, 16))
    assert "今年9月" in preamble(round_)


def test_a_round_without_review_dates_names_no_month():
    round_ = approved_round()
    text = preamble(round_)
    assert "今年，经过网络投票初选" in text and "11月" not in text


def test_a_review_in_the_year_before_the_notice_names_its_year():
    round_ = approved_round(
        review_closes=aware(2023, 12, 20, 18), notice_date=datetime.date(2024, 1, 10)
    )
    assert "2023年12月，经过" in preamble(round_)
