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


@pytest.mark.django_db
def test_the_demo_voters_look_like_a_crowd_with_one_planted_number_run():
    from reviews.vote import flags

    ensure_selection_demo()
    voting = Round.objects.get(year=2026)
    runs = flags.find_phone_runs(voting)
    assert len(runs) == 1, [run.detail for run in runs]
    assert "6 个相近号码（13916820041 起）" in runs[0].detail
    assert flags.find_swarms(voting) == []
    assert flags.find_phone_runs(Round.objects.get(year=2025)) == []
    phones = list(Vote.objects.filter(round=voting).values_list("voter__phone", flat=True))
    assert len({phone[:3] for phone in phones}) > 5  # many carriers' prefixes, not one block


@pytest.mark.django_db
def test_a_second_run_prints_what_is_true_now():
    from datetime import timedelta

    from django.utils import timezone

    from cases.demo import ensure_accounts
    from reviews.demo_panel import ensure_panel_demo

    ensure_accounts()
    first = ensure_selection_demo() + ensure_panel_demo()
    assert "2026 年度网络投票进行中" in first and "2025 年度专家评审中" in first
    # Weeks later: the vote's window has passed, staff approved the 2024 result.
    past = timezone.now() - timedelta(days=1)
    Round.objects.filter(year=2026).update(vote_closes=past)
    Round.objects.filter(year=2025).update(review_closes=past)
    Round.objects.filter(year=2024).update(status=Round.Status.APPROVED)
    again = ensure_selection_demo() + ensure_panel_demo()
    assert "2026 年度：网络投票已截止" in again and "进行中" not in again
    assert "2025 年度：评审已截止，待结束评审" in again and "评审中" not in again
    assert "2024 年度：结果已审定" in again
    assert "None" not in again


@pytest.mark.django_db
def test_the_printed_login_address_follows_site_url(settings, monkeypatch):
    """``make run PORT=18000`` sets SITE_URL to the port; the printed address follows it."""
    import io

    from django.core.management import call_command

    from cases.management.commands import demo_data

    monkeypatch.setattr(demo_data, "DEMO_STEPS", [])
    settings.SITE_URL = "http://127.0.0.1:18000"
    out = io.StringIO()
    call_command("demo_data", stdout=out)
    assert "登录地址 http://127.0.0.1:18000/accounts/login/" in out.getvalue()
    assert ":8000/" not in out.getvalue()
