"""Rate limits of the vote (reviews.vote.throttle) and the Redis cache behind them (core.cache):
how they count requests, in one round trip."""

import pytest
from django.conf import settings as dj_settings
from django.core.cache import caches
from django.test import RequestFactory

from reviews.vote.throttle import client_address, hit_limits, split_rate


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
