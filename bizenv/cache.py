"""Django's Redis cache with two costs of the vote path taken out (bench/bench_votes.py).

- Django's client builds a new ``redis.Redis`` object on every call (about 0.3 ms of Python
  each on this machine; a vote makes seven cache calls). The client is stateless over its
  connection pool, so one per pool serves every call.
- ``incr`` asks ``EXISTS`` and then ``INCRBY``: two round trips, and not atomic (a key expiring
  between them comes back without a timeout). django-ratelimit calls it twice per vote. Here it
  is one Lua script: one round trip, atomic, still ``ValueError`` for a missing key as the cache
  API requires.
- ``hit``: counts a request against several rate-limit counters in one round trip
  (``reviews.throttle.vote_ratelimit``: the vote's two limits).

Everything else is Django's backend unchanged.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient

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


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}
        self._incr_script = None
        self._hit_script = None

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

    def hit(self, keys, timeouts):
        client = self.get_client(None, write=True)
        if self._hit_script is None:
            self._hit_script = client.register_script(_HIT)
        return [int(n) for n in self._hit_script(keys=keys, args=timeouts, client=client)]


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

    def hit(self, counters, version=None):
        """Add one to each counter; ``counters`` maps key to timeout (seconds), used when
        the key is new. Returns the new counts in order, in one round trip."""
        keys = [self.make_and_validate_key(key, version=version) for key in counters]
        return self._cache.hit(keys, [int(t) for t in counters.values()])
