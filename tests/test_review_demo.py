"""The demo rounds: one in voting (2026), one in expert review (2025); idempotent."""

import pytest

from cases.models import Round
from reviews.demo import ensure_selection_demo
from reviews.models import Assignment, Vote
from tests.conftest import make_user


@pytest.mark.django_db
def test_the_demo_builds_two_playable_rounds_once(district_b):
    make_user("expert_zhao", role="expert", organisation="复旦大学")
    make_user("expert_sun", role="expert", district=district_b, organisation="浦东新区律师协会")
    ensure_selection_demo()
    counts = (Round.objects.count(), Vote.objects.count(), Assignment.objects.count())
    ensure_selection_demo()
    assert (Round.objects.count(), Vote.objects.count(), Assignment.objects.count()) == counts
    voting = Round.objects.get(year=2026)
    review = Round.objects.get(year=2025)
    assert voting.status == "voting" and voting.window_open("vote")
    assert review.status == "review" and review.window_open("review")
    assert review.cases.filter(shortlisted=True, status="accepted").count() == 6
    assert not Assignment.objects.filter(expert__username="expert_sun", case__district=district_b)
    assert Assignment.objects.filter(expert__username="expert_zhao").count() == 6
