"""
The one cache: its keys, the data version, and a Redis backend that fails open.

What is cached is whole answers, pages and API responses alike, kept by (view, normalised
query, basis) together with the data version they were built at; the current version and the
kept answer are read in one round trip (`answer_kept`). The data version moves on every
publish, every edit of a figure, company or source that pages show, and every recompute of
conversions after a rate refresh (`data_version_bump`), so an answer is never served once it
may have changed: an answer of an older version is not served, and is replaced by the next one
built. The slot and the version give the answer's ETag, so browsers, API clients and a caching
proxy revalidate with `If-None-Match` and get a 304 without the answer being built or even read
from the cache.

The cache only ever saves work. Writes never depend on it: bumping the version swallows any
cache error, and with Redis down `data_version()` is None, so pages and the API serve every
answer uncached (and without an ETag) until it is back. `FailOpenRedisCache` turns every
Redis error of Django's public cache methods into a miss, logged at most once a minute; the
short socket timeouts in settings.CACHES bound how long a call can wait.

A local-memory cache (the embedded default, without REDIS_URL) belongs to one process: a
version moved by another process (a management command) is not seen until the cached answers
expire (`ANSWER_TIMEOUT`).
"""

import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from time import sleep

import redis
from django.core.cache import cache
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.redis import RedisSerializer
from django.db import transaction
from django.http import HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.functional import cached_property
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

VERSION_KEY = "data-version"
# A backstop: answers also show how fresh the rates are, which follows the calendar.
ANSWER_TIMEOUT = 10 * 60
LOG_EVERY_SECONDS = 60


# --- The data version ---------------------------------------------------------------------


def data_version() -> str | None:
    """The current data version, or None while the cache cannot be read (serve uncached then)."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, str(time.time_ns()), timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def _bump() -> None:
    try:
        cache.set(VERSION_KEY, str(time.time_ns()), timeout=None)
    except Exception:  # a write never fails for the cache's sake
        logger.warning("Could not move the data version; cached answers expire on their own.", exc_info=True)


def data_version_bump() -> None:
    """
    What pages or the API show changed: move the version now (the writer's own transaction reads
    afresh) and again once the change commits (nobody else reads it before then).
    """
    _bump()
    transaction.on_commit(_bump, robust=True)


# --- Keys ---------------------------------------------------------------------------------


def normalised_query(pairs: Iterable[tuple[str, list[str]]]) -> list:
    """A query string's parameters in a canonical order: `?b=2&a=1` and `?a=1&b=2` are one answer."""
    return sorted((name, sorted(values)) for name, values in pairs)


# A reader who finds an answer being built by another waits this long for it, then builds it too.
BUILD_WAIT_SECONDS = 10
BUILD_POLL_SECONDS = 0.05
# A build lock outlives a build that died without releasing it by no more than this.
BUILD_LOCK_SECONDS = 60


@dataclass(frozen=True)
class Kept:
    """A shared answer's place in the cache and what it holds at the current data version."""

    slot: str  # where the answers of (view, query, basis) are kept, whatever their version
    version: str
    etag: str  # changes exactly when the slot or the version does
    value: object | None  # the answer kept there, if it is of this version
    fresh: bool = False  # the reader asked for a fresh answer (`Cache-Control: no-cache`)

    @property
    def lock(self) -> str:
        return f"{self.slot}:building:{self.version}"


def answer_kept(*, view: str, query: list, basis: str = "", fresh: bool = False) -> Kept | None:
    """
    The data version and the answer of `view` to `query` on USD `basis`, read in one round
    trip: an answer is kept with the version it was built at, and only an answer of the
    current version is returned. `fresh` (the client asked for `no-cache`): the version alone.
    None while the cache cannot be read (serve uncached then).
    """
    digest = hashlib.sha256(
        json.dumps([view, query, basis, timezone.localdate().isoformat()], default=str).encode()
    ).hexdigest()[:40]
    slot = f"answer:{digest}"
    found = cache.get_many([VERSION_KEY] if fresh else [VERSION_KEY, slot])
    version = found.get(VERSION_KEY) or data_version()
    if version is None:
        return None
    etag = '"' + hashlib.sha256(f"{slot}:{version}".encode()).hexdigest()[:40] + '"'
    return Kept(slot, version, etag, _of_version(found.get(slot), version), fresh)


def _of_version(stored: object, version: str) -> object | None:
    return stored[1] if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == version else None


def _built_by_another(kept: Kept) -> object | None:
    """
    While another reader holds the build lock of this answer: read the slot until the answer is
    there (returned), the lock is gone without it (that build failed), or `BUILD_WAIT_SECONDS`
    have passed (None: build it too).
    """
    deadline = time.monotonic() + BUILD_WAIT_SECONDS
    while time.monotonic() < deadline:
        sleep(BUILD_POLL_SECONDS)
        found = cache.get_many([kept.slot, kept.lock])
        value = _of_version(found.get(kept.slot), kept.version)
        if value is not None or kept.lock not in found:
            return value
    return None


def answer_build(kept: Kept, build: Callable[[], tuple[object | None, object]]) -> tuple[object | None, object]:
    """
    An answer that was missing, built once however many readers ask for it meanwhile (after a
    publish every page is missing at once, and its first readers arrive together). `build`
    returns the value to keep (None: not to be kept, say an error) and the response; both are
    returned. The first reader takes the build lock, builds, keeps the value at `kept.version`
    and releases the lock whatever happens; the others wait for its value and get it with no
    response (None), or build it themselves if that build fails or takes too long. A fresh
    answer is always built; with the cache down the lock cannot be taken nor seen, so every
    reader builds.
    """
    building = not kept.fresh and cache.add(kept.lock, 1, BUILD_LOCK_SECONDS)
    if not kept.fresh and not building:
        value = _built_by_another(kept)
        if value is not None:
            return value, None
    try:
        value, response = build()
        if value is not None:
            cache.set(kept.slot, (kept.version, value), ANSWER_TIMEOUT)
        return value, response
    finally:
        if building:
            cache.delete(kept.lock)


def etag_matches(request, etag: str) -> bool:
    header = request.headers.get("If-None-Match", "")
    return header.strip() == "*" or etag in [tag.strip() for tag in header.split(",")]


def wants_fresh(request) -> bool:
    """`Cache-Control: no-cache` from the client: build the answer afresh (and keep it)."""
    return "no-cache" in request.headers.get("Cache-Control", "")


def mark_shared(response, etag: str) -> None:
    """Headers of an answer every anonymous reader shares: revalidate every time, by its ETag."""
    response["ETag"] = etag
    patch_cache_control(response, public=True, no_cache=True)
    patch_vary_headers(response, ("Authorization", "Cookie"))


def mark_private(response) -> None:
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ("Authorization", "Cookie"))


def cached_page(request, view: str, render: Callable[[], HttpResponse], *, basis: str = "") -> HttpResponse:
    """
    A page whose content depends only on its path, query, the data version and the USD basis,
    for anonymous readers. Signed-in readers (staff see drafts) get it rendered afresh. Only
    complete 200 answers are kept; while the cache is down every page is rendered.
    """
    if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
        response = render()
        mark_private(response)
        return response
    kept = answer_kept(
        view=f"{view}:{request.path}",
        query=normalised_query(request.GET.lists()),
        basis=basis,
        fresh=wants_fresh(request),
    )
    if kept is None:
        return render()
    if etag_matches(request, kept.etag):
        response = HttpResponseNotModified()
        mark_shared(response, kept.etag)
        return response
    value, response = kept.value, None
    if value is None:

        def build():
            response = render()
            if hasattr(response, "render"):
                response.render()
            if response.status_code != 200 or response.streaming:
                return None, response
            return (response["Content-Type"], response.content), response

        value, response = answer_build(kept, build)
        if value is None:
            return response
    if response is None:  # kept, or built by another reader
        content_type, content = value
        response = HttpResponse(content, content_type=content_type)
    mark_shared(response, kept.etag)
    return response


# --- The backend --------------------------------------------------------------------------


class FailOpenRedisCache(BaseCache):
    """
    Django's cache API on one Redis server, where Redis being unreachable is a miss and a write
    that did not happen. A custom backend (Django's documented extension point for caches)
    rather than a subclass of Django's `RedisCache`: that one builds a new `redis.Redis` client
    for every call, and building one (its table of response callbacks) was about a fifth of the
    work of a cached answer in its profile, which made four calls (the throttle's read and write,
    the data version, the answer). Here one client, with its connection pool, serves every call of the process;
    redis-py's pool is thread-safe and starts afresh in a forked worker. Values are stored as
    `RedisCache` stores them (its `RedisSerializer`: integers as such, the rest pickled), so
    either backend reads what the other wrote. One server: LOCATION is one URL.
    """

    last_logged = 0.0

    def __init__(self, server, params):
        super().__init__(params)
        self._server = server
        self._options = params.get("OPTIONS", {})
        self._serializer = RedisSerializer()

    @cached_property
    def _client(self) -> redis.Redis:
        return redis.Redis.from_url(self._server, **self._options)

    @classmethod
    def failed(cls, operation: str, error: Exception) -> None:
        now = time.monotonic()
        if now - cls.last_logged >= LOG_EVERY_SECONDS:
            cls.last_logged = now
            logger.warning("Cache unavailable, serving without it (%s: %s: %s)", operation, type(error).__name__, error)

    def get_backend_timeout(self, timeout=DEFAULT_TIMEOUT):
        if timeout == DEFAULT_TIMEOUT:
            timeout = self.default_timeout
        # None keeps the key for good; a timeout of zero or less deletes it (as RedisCache does).
        return None if timeout is None else max(0, int(timeout))

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key, timeout = self.make_and_validate_key(key, version=version), self.get_backend_timeout(timeout)
        try:
            if timeout == 0:
                added = bool(self._client.set(key, self._serializer.dumps(value), nx=True))
                if added:
                    self._client.delete(key)
                return added
            return bool(self._client.set(key, self._serializer.dumps(value), ex=timeout, nx=True))
        except RedisError as error:
            self.failed("add", error)
            return False

    def get(self, key, default=None, version=None):
        key = self.make_and_validate_key(key, version=version)
        try:
            value = self._client.get(key)
        except RedisError as error:
            self.failed("get", error)
            return default
        return default if value is None else self._serializer.loads(value)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key, timeout = self.make_and_validate_key(key, version=version), self.get_backend_timeout(timeout)
        try:
            if timeout == 0:
                self._client.delete(key)
            else:
                self._client.set(key, self._serializer.dumps(value), ex=timeout)
        except RedisError as error:
            self.failed("set", error)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        key, timeout = self.make_and_validate_key(key, version=version), self.get_backend_timeout(timeout)
        try:
            return bool(self._client.persist(key) if timeout is None else self._client.expire(key, timeout))
        except RedisError as error:
            self.failed("touch", error)
            return False

    def delete(self, key, version=None):
        key = self.make_and_validate_key(key, version=version)
        try:
            return bool(self._client.delete(key))
        except RedisError as error:
            self.failed("delete", error)
            return False

    def get_many(self, keys, version=None):
        names = {self.make_and_validate_key(key, version=version): key for key in keys}
        if not names:
            return {}
        try:
            values = self._client.mget(list(names))
        except RedisError as error:
            self.failed("get_many", error)
            return {}
        return {names[name]: self._serializer.loads(v) for name, v in zip(names, values, strict=True) if v is not None}

    def has_key(self, key, version=None):
        key = self.make_and_validate_key(key, version=version)
        try:
            return bool(self._client.exists(key))
        except RedisError as error:
            self.failed("has_key", error)
            return False

    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        try:
            if not self._client.exists(key):
                raise ValueError(f"Key '{key}' not found.")
            return self._client.incr(key, delta)
        except RedisError as error:
            self.failed("incr", error)
            raise ValueError(f"Key '{key}' not found (cache unavailable)") from error

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        if not data:
            return []
        timeout = self.get_backend_timeout(timeout)
        values = {
            self.make_and_validate_key(key, version=version): self._serializer.dumps(v) for key, v in data.items()
        }
        try:
            pipeline = self._client.pipeline()
            pipeline.mset(values)
            if timeout is not None:
                for key in values:
                    pipeline.expire(key, timeout)
            pipeline.execute()
        except RedisError as error:
            self.failed("set_many", error)
            return list(data)
        return []

    def delete_many(self, keys, version=None):
        names = [self.make_and_validate_key(key, version=version) for key in keys]
        if not names:
            return
        try:
            self._client.delete(*names)
        except RedisError as error:
            self.failed("delete_many", error)

    def clear(self):
        try:
            return bool(self._client.flushdb())
        except RedisError as error:
            self.failed("clear", error)
            return False
