"""The vote's hot path (reviews.voting.record_vote, reviews.throttle.vote_ratelimit,
core.cache): what it reads, what it undoes, and how it counts requests."""

import datetime
from types import SimpleNamespace

import pytest
from django.conf import settings as dj_settings
from django.core import signing
from django.core.cache import caches
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, Round
from reviews import voting
from reviews.factories import CaseFactory, RoundFactory, VoterFactory
from reviews.models import Ballot, Vote
from reviews.throttle import client_address, hit_limits, split_rate

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_(db):
    return RoundFactory(votes_per_voter=1)


def test_the_target_carries_the_rounds_window_as_stored(round_):
    case = CaseFactory(round=round_)
    target = voting.vote_target(round_pk=round_.pk, case_pk=case.pk)
    stored = Round.objects.get(pk=round_.pk)
    assert (target.pk, target.title, target.status) == (case.pk, case.title, case.status)
    assert target.round.vote_opens == stored.vote_opens
    assert target.round.vote_closes == stored.vote_closes
    assert timezone.is_aware(target.round.vote_opens)
    assert target.round.votes_per_voter == 1
    assert voting.is_vote_open(target.round)


def test_no_target_for_a_case_of_another_round_or_a_bad_id(round_):
    other = CaseFactory(round=RoundFactory(year=2024))
    assert voting.vote_target(round_pk=round_.pk, case_pk=other.pk) is None
    assert voting.vote_target(round_pk=round_.pk, case_pk="x") is None


def _written(round_):
    return (
        Vote.objects.filter(round=round_).count(),
        sum(Ballot.objects.filter(round=round_).values_list("used", flat=True)),
        sum(Case.objects.filter(round=round_).values_list("vote_count", flat=True)),
    )


def test_a_case_of_another_round_writes_nothing(round_):
    other = CaseFactory(round=RoundFactory(year=2024))
    voter = VoterFactory()
    with pytest.raises(voting.VoteTargetMissing):
        voting.record_vote(round_pk=round_.pk, case_pk=other.pk, voter_id=voter.pk)
    assert _written(round_) == (0, 0, 0)
    assert Vote.objects.count() == Ballot.objects.count() == 0
    assert Case.objects.get(pk=other.pk).vote_count == 0


def test_the_returned_vote_is_the_stored_row(round_, django_assert_num_queries):
    """record_vote builds its answer from what the statement returned, not by reading the
    row back: every field must still equal the stored one, and the case and round come
    without a query."""
    case, voter = CaseFactory(round=round_), VoterFactory()
    vote = voting.record_vote(round_pk=round_.pk, case_pk=case.pk, voter_id=voter.pk, ip="::1")
    stored = Vote.objects.get(pk=vote.pk)
    for field in Vote._meta.concrete_fields:
        assert getattr(vote, field.attname) == getattr(stored, field.attname), field.name
    assert not vote._state.adding
    with django_assert_num_queries(0):
        assert (vote.case.pk, vote.case.title, vote.round.pk) == (case.pk, case.title, round_.pk)
        assert vote.case.round.votes_per_voter == round_.votes_per_voter
    # A field the vote path did not read loads on access, as with only().
    assert vote.case.district_id == case.district_id


def test_a_vote_over_the_limit_is_undone_whole(round_):
    first, second = CaseFactory(round=round_), CaseFactory(round=round_)
    voter = VoterFactory()
    vote = voting.record_vote(round_pk=round_.pk, case_pk=first.pk, voter_id=voter.pk)
    assert (vote.votes_left, vote.count, vote.case.title) == (0, 1, first.title)
    with pytest.raises(voting.VoteError, match="最多可投 1 票"):
        voting.record_vote(round_pk=round_.pk, case_pk=second.pk, voter_id=voter.pk)
    # The second vote's row and counter were written in the same round trip, then undone.
    assert _written(round_) == (1, 1, 1)
    assert Case.objects.get(pk=second.pk).vote_count == 0


def test_a_closed_round_refuses_and_writes_nothing(round_):
    case = CaseFactory(round=round_)
    Round.objects.filter(pk=round_.pk).update(status=Round.Status.REVIEW)
    with pytest.raises(voting.VoteError, match="未在进行中"):
        voting.record_vote(round_pk=round_.pk, case_pk=case.pk, voter_id=VoterFactory().pk)
    assert _written(round_) == (0, 0, 0)


def test_the_vote_page_answers_404_for_a_case_of_another_round(client, round_):
    other = CaseFactory(round=RoundFactory(year=2024))
    client.cookies[voting.VOTER_COOKIE] = voting.voter_cookie(VoterFactory().pk)
    response = client.post(reverse("vote:cast", args=[round_.pk, other.pk]))
    assert response.status_code == 404
    assert Vote.objects.count() == 0


def test_the_writes_are_gated_exactly_where_the_rules_say(round_):
    """On PostgreSQL the vote is one statement that gates its writes in SQL; on both
    databases a vote must be written exactly when ``is_vote_open`` and the case's status
    allow it, at the window's edges too (opens == now is open, closes == now is closed)."""
    now = timezone.now()
    second = datetime.timedelta(seconds=1)
    windows = [
        (None, None),
        (now, None),
        (now + second, None),
        (None, now),
        (None, now + second),
        (now - second, now + second),
        (now - 2 * second, now - second),
    ]
    case_statuses = [Case.Status.ACCEPTED, Case.Status.SUBMITTED, Case.Status.PUBLISHED]
    outcomes = []
    for round_status in Round.Status.values:
        for opens, closes in windows:
            Round.objects.filter(pk=round_.pk).update(
                status=round_status, vote_opens=opens, vote_closes=closes
            )
            round_.refresh_from_db()
            for case_status in case_statuses:
                case = CaseFactory(round=round_, status=case_status)
                allowed = voting.is_vote_open(round_, now) and case_status == Case.Status.ACCEPTED
                try:
                    voting.record_vote(
                        round_pk=round_.pk, case_pk=case.pk, voter_id=VoterFactory().pk, now=now
                    )
                    written = True
                except voting.VoteError as exc:
                    assert not isinstance(exc, voting.VoteTargetMissing)
                    written = False
                outcomes.append(allowed)
                assert written == allowed, (round_status, opens, closes, case_status)
                assert Vote.objects.filter(case=case).exists() == allowed
    assert True in outcomes and False in outcomes


# --- The verified voter's cookie -------------------------------------------------------------


def _voter_request(value):
    request = RequestFactory().post("/")
    if value is not None:
        request.COOKIES[voting.VOTER_COOKIE] = value
    return request


def test_the_voter_cookie_names_the_voter_it_was_signed_for():
    assert voting.request_voter_id(_voter_request(voting.voter_cookie(42))) == 42
    assert voting.request_voter_id(_voter_request(None)) is None


def test_a_forged_or_borrowed_voter_cookie_names_nobody():
    genuine = voting.voter_cookie(42)
    forged = genuine.replace("42:", "43:", 1)
    other_salt = signing.get_cookie_signer(salt="sessionid").sign("42")
    for cookie in [forged, "42", other_salt, "", "x:y:z", signing.Signer().sign("42")]:
        assert voting.request_voter_id(_voter_request(cookie)) is None, cookie


def test_the_voter_cookie_lapses_after_the_ttl(monkeypatch):
    # The signature carries its own timestamp; move the signing module's clock only.
    signed_at = 1_800_000_000
    monkeypatch.setattr(signing, "time", SimpleNamespace(time=lambda: signed_at))
    cookie = voting.voter_cookie(42)
    ttl = voting.VOTER_TTL.total_seconds()
    monkeypatch.setattr(signing, "time", SimpleNamespace(time=lambda: signed_at + ttl - 5))
    assert voting.request_voter_id(_voter_request(cookie)) == 42
    monkeypatch.setattr(signing, "time", SimpleNamespace(time=lambda: signed_at + ttl + 5))
    assert voting.request_voter_id(_voter_request(cookie)) is None


def test_the_vote_pages_vary_with_the_voter_cookie(client, round_):
    """A shared cache must not serve one voter's page (votes left, buttons) to another."""
    case = CaseFactory(round=round_)
    client.cookies[voting.VOTER_COOKIE] = voting.voter_cookie(VoterFactory().pk)
    for url in (
        reverse("vote:round", args=[round_.pk]),
        reverse("vote:case", args=[round_.pk, case.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert "剩余" in response.content.decode()  # the verified voter's bar
        assert "Cookie" in [v.strip() for v in response["Vary"].split(",")]


# --- Rate limits in one round trip -----------------------------------------------------------


def test_rates_read_as_django_ratelimit_writes_them():
    assert split_rate("300/m") == (300, 60)
    assert split_rate("5/10m") == (5, 600)
    assert split_rate("30/h") == (30, 3600)
    with pytest.raises(ValueError):
        split_rate("often")


def test_ipv6_addresses_count_per_64_network():
    request = RequestFactory().post("/", REMOTE_ADDR="2001:db8:1:2:3:4:5:6")
    assert client_address(request) == "2001:db8:1:2::"
    assert client_address(RequestFactory().post("/", REMOTE_ADDR="203.0.113.7")) == "203.0.113.7"


def test_each_limit_counts_in_its_own_fixed_window(settings):
    settings.VOTE_RATELIMITS = {"vote_ip": "2/m", "vote_voter": "3/m"}
    caches[dj_settings.RATELIMIT_USE_CACHE].clear()
    request = RequestFactory().post("/")
    now = 1_000_000_020  # 20 s into a minute
    limits = [("vote_ip", "198.51.100.1"), ("vote_voter", "voter:1")]
    assert [hit_limits(request, limits, now=now + i) for i in range(3)] == [False, False, True]
    # Another address is counted apart; the voter's own limit (3) is reached on its 4th.
    assert hit_limits(request, [("vote_ip", "198.51.100.2"), ("vote_voter", "voter:1")], now=now)
    other_voter = [("vote_ip", "198.51.100.3"), ("vote_voter", "voter:2")]
    assert not hit_limits(request, other_voter, now=now)
    # The next minute starts afresh.
    assert not hit_limits(request, limits, now=now + 60)


@pytest.fixture
def redis_cache():
    if not dj_settings.REDIS_URL:
        pytest.skip("needs REDIS_URL (the scale-out CI job)")
    cache = caches["default"]
    cache.delete_many(["hot-path-a", "hot-path-b", "hot-path-missing"])
    yield cache
    cache.delete_many(["hot-path-a", "hot-path-b", "hot-path-missing"])


def test_redis_incr_is_one_call_that_still_refuses_a_missing_key(redis_cache):
    with pytest.raises(ValueError):
        redis_cache.incr("hot-path-missing")
    assert redis_cache.get("hot-path-missing") is None  # not created by the refused incr
    redis_cache.set("hot-path-a", 5, 60)
    assert redis_cache.incr("hot-path-a", 2) == 7
    assert redis_cache.get("hot-path-a") == 7


def test_redis_hit_counts_and_starts_the_timeout_once(redis_cache):
    assert redis_cache.hit({"hot-path-a": 30, "hot-path-b": 90}) == [1, 1]
    assert redis_cache.hit({"hot-path-a": 30, "hot-path-b": 90}) == [2, 2]
    client = redis_cache._cache.get_client(write=True)
    ttl = client.ttl(redis_cache.make_key("hot-path-b"))
    assert 0 < ttl <= 90
    assert redis_cache._cache.get_client() is client  # one client per pool, reused


def test_redis_hit_survives_a_dropped_connection_and_a_flushed_script(redis_cache):
    assert redis_cache.hit({"hot-path-a": 30}) == [1]
    client = redis_cache._cache.get_client(write=True)
    # The server drops the hit's own connection (as on a restart) and forgets its scripts.
    hot = redis_cache._cache._hot.conn
    hot.send_command("CLIENT", "ID")
    hot_id = hot.read_response()
    client.execute_command("CLIENT", "KILL", "ID", hot_id)
    client.script_flush()
    assert redis_cache.hit({"hot-path-a": 30}) == [2]
    assert redis_cache.hit({"hot-path-a": 30}) == [3]
    assert redis_cache._cache._hot.conn is not hot  # a new connection
