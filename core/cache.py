"""Django's Redis cache with two costs of the vote path taken out (bench/bench_votes.py).

- Django's client builds a new ``redis.Redis`` object on every call (about 0.3 ms of Python
  each on this machine; a vote makes seven cache calls). The client is stateless over its
  connection pool, so one per pool serves every call.
- ``incr`` asks ``EXISTS`` and then ``INCRBY``: two round trips, and not atomic (a key expiring
  between them comes back without a timeout). django-ratelimit calls it twice per vote. Here it
  is one Lua script: one round trip, atomic, still ``ValueError`` for a missing key as the cache
  API requires.
- ``hit``: counts a request against several rate-limit counters in one round trip
  (``reviews.vote.throttle.vote_ratelimit``: the vote's two limits), on a connection of its own per
  thread: redis-py's pool checks each connection out and in, polls it and records metrics on
  every command (about a third of the vote's Redis time, bench/bench_votes.py).

Everything else is Django's backend unchanged.
"""

import hashlib
import os
import threading

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError
from redis.exceptions import TimeoutError as RedisTimeoutError

# Returns false (nil) for a missing key, the new value otherwise.
_INCR_IF_EXISTS = """
if redis.call('EXISTS', KEYS[1]) == 1 then
    return redis.call('INCRBY', KEYS[1], ARGV[1])
end
return false
"""
# Adds one to each key; a key's first hit also starts its timeout. Returns the new values.
_HIT = """
local counts = {}
for i, key in ipairs(KEYS) do
    counts[i] = redis.call('INCR', key)
    if counts[i] == 1 then
        redis.call('EXPIRE', key, ARGV[i])
    end
end
return counts
"""
# Redis names a script by the SHA-1 of its text.
_HIT_SHA = hashlib.sha1(_HIT.encode()).hexdigest()


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}
        self._incr_script = None
        self._hot = threading.local()

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    def incr(self, key, delta):
        client = self.get_client(key, write=True)
        if self._incr_script is None:
            # register_script sends EVALSHA (the script's text only once per server).
            self._incr_script = client.register_script(_INCR_IF_EXISTS)
        value = self._incr_script(keys=[key], args=[delta], client=client)
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return value

    def _hot_connection(self):
        """This thread's own connection for ``hit`` (made anew in a forked worker)."""
        conn = getattr(self._hot, "conn", None)
        if conn is None or self._hot.pid != os.getpid():
            pool = self._get_connection_pool(write=True)
            conn = self._hot.conn = pool.connection_class(**pool.connection_kwargs)
            self._hot.pid = os.getpid()
        return conn

    def hit(self, keys, timeouts):
        command = ("EVALSHA", _HIT_SHA, len(keys), *keys, *timeouts)
        tries = 3
        while True:
            conn = self._hot_connection()
            try:
                return [int(n) for n in self._evalsha(conn, command)]
            except (RedisConnectionError, RedisTimeoutError, OSError):
                # The connection broke (a Redis restart): drop it; the next try reconnects.
                conn.disconnect()
                self._hot.conn = None
                tries -= 1
                if not tries:
                    raise

    @staticmethod
    def _evalsha(conn, command):
        conn.send_command(*command)  # connects when it has to
        try:
            return conn.read_response()
        except NoScriptError:  # a restarted or flushed server: load the script, once
            conn.send_command("SCRIPT", "LOAD", _HIT)
            conn.read_response()
            conn.send_command(*command)
            return conn.read_response()


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

    def hit(self, counters, version=None):
        """Add one to each counter; ``counters`` maps key to timeout (seconds), used when
        the key is new. Returns the new counts in order, in one round trip."""
        # make_key, not make_and_validate_key: the callers' keys are digests, and the check
        # (for memcached's limits) walks every character on every vote.
        keys = [self.make_key(key, version=version) for key in counters]
        return self._cache.hit(keys, [int(t) for t in counters.values()])
