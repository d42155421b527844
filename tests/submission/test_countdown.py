"""The officer's countdown to the submission deadline: whole days, hours on the last day."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Round
from cases.templatetags.case_tags import time_left_words


@pytest.mark.parametrize(
    "left, words",
    [
        (timedelta(days=20, hours=5), "还剩 20 天"),  # was "还剩 2 周，6 日"
        (timedelta(days=1), "还剩 1 天"),
        (timedelta(hours=23, minutes=59), "还剩 23 小时"),
        (timedelta(hours=1), "还剩 1 小时"),
        (timedelta(minutes=59), "还剩不到 1 小时"),
        (timedelta(0), ""),
        (timedelta(seconds=-1), ""),
    ],
)
def test_the_countdown_speaks_in_days_then_hours(left, words):
    assert time_left_words(left) == words


@pytest.mark.django_db
def test_the_officers_list_counts_down_in_days(client, officer_a):
    Round.objects.create(
        year=2027,
        title="2027 年度上海市各区优化营商环境优秀案例评选",
        status=Round.Status.SUBMISSION,
        submission_opens=timezone.now() - timedelta(days=1),
        submission_closes=timezone.now() + timedelta(days=20, hours=5),
    )
    client.force_login(officer_a)
    page = client.get(reverse("cases:my_cases")).content.decode()
    assert "还剩 20 天" in page and "周" not in page
