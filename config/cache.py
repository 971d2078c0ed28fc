"""
The Redis cache, failing open.

The cache only ever saves work (rendered aggregates, throttle counters), so Redis being down
must not take pages or the API down with it: every cache call that cannot reach Redis behaves
as a miss (reads return the default, writes report nothing stored) and is logged, at most once
a minute. The short socket timeouts in settings.CACHES bound how long a call can wait.

Two costs of Django's Redis backend are cut here, since every API request makes a few cache calls
(throttle, data version, shared answer):

* it builds a new `redis.Redis` client, with its table of ~200 response callbacks, for every call
  (a third of a millisecond each); clients are thread-safe and kept, one per connection pool;
* its `incr` is two round trips (EXISTS, then INCRBY); `count()` is one command.
"""

import logging
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

LOG_EVERY_SECONDS = 60


# Redis runs a script without interleaving other commands: the first count of a period sets its
# end. Then the values of any other keys (false, sent as nil, where there is none).
_COUNT_AND_GET_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then
    redis.call('EXPIRE', KEYS[1], ARGV[1])
end
local values = {}
if #KEYS > 1 then
    values = redis.call('MGET', unpack(KEYS, 2))
end
table.insert(values, 1, count)
return values
"""


class _KeptClientRedisCacheClient(RedisCacheClient):
    """Django's client, keeping one `redis.Redis` per connection pool instead of one per call."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}
        self._scripts = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    def count(self, key, timeout: int) -> int:
        """
        Add one to the counter `key`, created to live `timeout` seconds: one command, run by
        Redis as a whole (a script), so the counter cannot outlive its period. A transaction of
        SET NX and INCR did the same in four commands, a fifth more of the caller's time.
        """
        return self.count_and_get_many(key, timeout, [])[0]

    def count_and_get_many(self, counter: str, timeout: int, keys: list[str]) -> tuple[int, dict]:
        """`count(counter, timeout)` and `get_many(keys)` as one script: one command, one round trip."""
        client = self.get_client(write=True)
        script = self._scripts.get(id(client))
        if script is None:  # registered once; redis-py loads it again if Redis forgot it
            script = self._scripts[id(client)] = client.register_script(_COUNT_AND_GET_SCRIPT)
        count, *values = script(keys=[counter, *keys], args=[timeout])
        found = {key: value for key, value in zip(keys, values, strict=True) if value is not None}
        return count, {key: self._serializer.loads(value) for key, value in found.items()}


class FailOpenRedisCache(RedisCache):
    _last_logged = 0.0

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _KeptClientRedisCacheClient

    def _failed(self, operation: str, exc: Exception) -> None:
        now = time.monotonic()
        if now - FailOpenRedisCache._last_logged >= LOG_EVERY_SECONDS:
            FailOpenRedisCache._last_logged = now
            logger.warning("Cache unavailable, serving without it (%s: %s: %s)", operation, type(exc).__name__, exc)

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except RedisError as exc:
            self._failed("get", exc)
            return default

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except RedisError as exc:
            self._failed("get_many", exc)
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except RedisError as exc:
            self._failed("has_key", exc)
            return False

    def add(self, key, value, timeout=None, version=None, **kwargs):
        try:
            return super().add(key, value, timeout, version, **kwargs)
        except RedisError as exc:
            self._failed("add", exc)
            return False

    def set(self, key, value, timeout=None, version=None, **kwargs):
        try:
            super().set(key, value, timeout, version, **kwargs)
        except RedisError as exc:
            self._failed("set", exc)

    def set_many(self, data, timeout=None, version=None, **kwargs):
        try:
            return super().set_many(data, timeout, version, **kwargs)
        except RedisError as exc:
            self._failed("set_many", exc)
            return list(data)

    def touch(self, key, timeout=None, version=None):
        try:
            return super().touch(key, timeout, version)
        except RedisError as exc:
            self._failed("touch", exc)
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except RedisError as exc:
            self._failed("delete", exc)
            return False

    def delete_many(self, keys, version=None):
        try:
            super().delete_many(keys, version)
        except RedisError as exc:
            self._failed("delete_many", exc)

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except RedisError as exc:
            self._failed("incr", exc)
            raise ValueError(f"Key '{key}' not found (cache unavailable)") from exc

    def count_and_get_many(self, counter, timeout: int, keys, version=None) -> tuple[int | None, dict]:
        """
        `count(counter, timeout)` and `get_many(keys)` in one round trip: a throttle's count and
        what the request will be answered with. When the cache is down: (None, {}).
        """
        counter_key = self.make_and_validate_key(counter, version=version)
        made = {self.make_and_validate_key(key, version=version): key for key in keys}
        try:
            count, found = self._cache.count_and_get_many(counter_key, self.get_backend_timeout(timeout), list(made))
        except RedisError as exc:
            self._failed("count_and_get_many", exc)
            return None, {}
        return count, {made[key]: value for key, value in found.items()}

    def count(self, key, timeout: int, version=None) -> int | None:
        """
        Add one to a counter that lives `timeout` seconds from its first count, atomically and in
        one round trip; None when the cache is down.
        """
        key = self.make_and_validate_key(key, version=version)
        try:
            return self._cache.count(key, self.get_backend_timeout(timeout))
        except RedisError as exc:
            self._failed("count", exc)
            return None

    def clear(self):
        try:
            return super().clear()
        except RedisError as exc:
            self._failed("clear", exc)
            return False
