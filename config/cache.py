"""
The one cache: its keys, the data version, and a Redis backend that fails open.

What is cached is whole answers, pages and API responses alike, keyed by (view, normalised
query, data version, basis). The data version moves on every publish, every edit of a figure,
company or source that pages show, and every recompute of conversions after a rate refresh
(`data_version_bump`), so an answer is never served once it may have changed: its key is simply
no longer asked for, and it expires. The same key gives the answer's ETag, so browsers, API
clients and a caching proxy revalidate with `If-None-Match` and get a 304 without the answer
being built or even read from the cache.

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

from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from django.db import transaction
from django.http import HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
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


def answer_key(*, view: str, query: list, version: str, basis: str = "") -> str:
    """Where the answer of `view` to `query` at data `version` on USD `basis` is kept."""
    digest = hashlib.sha256(
        json.dumps([view, query, version, basis, timezone.localdate().isoformat()], default=str).encode()
    ).hexdigest()[:40]
    return f"answer:{digest}"


def answer_etag(key: str) -> str:
    """The strong ETag of an answer kept under `key`: it changes exactly when the key does."""
    return '"' + key.removeprefix("answer:") + '"'


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
    version = data_version()
    if version is None:
        return render()
    key = answer_key(
        view=f"{view}:{request.path}", query=normalised_query(request.GET.lists()), version=version, basis=basis
    )
    etag = answer_etag(key)
    if etag_matches(request, etag):
        response = HttpResponseNotModified()
        mark_shared(response, etag)
        return response
    stored = None if wants_fresh(request) else cache.get(key)
    if stored is not None:
        content_type, content = stored
        response = HttpResponse(content, content_type=content_type)
    else:
        response = render()
        if hasattr(response, "render"):
            response.render()
        if response.status_code != 200 or response.streaming:
            return response
        cache.set(key, (response["Content-Type"], response.content), ANSWER_TIMEOUT)
    mark_shared(response, etag)
    return response


# --- The backend --------------------------------------------------------------------------


class FailOpenRedisCache(RedisCache):
    """Django's Redis cache, where Redis being unreachable is a miss and a write that did not happen."""

    last_logged = 0.0

    @classmethod
    def failed(cls, operation: str, error: Exception) -> None:
        now = time.monotonic()
        if now - cls.last_logged >= LOG_EVERY_SECONDS:
            cls.last_logged = now
            logger.warning("Cache unavailable, serving without it (%s: %s: %s)", operation, type(error).__name__, error)

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except RedisError as error:
            self.failed("get", error)
            return default

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except RedisError as error:
            self.failed("get_many", error)
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except RedisError as error:
            self.failed("has_key", error)
            return False

    def add(self, key, value, timeout=None, version=None):
        try:
            return super().add(key, value, timeout, version)
        except RedisError as error:
            self.failed("add", error)
            return False

    def set(self, key, value, timeout=None, version=None):
        try:
            super().set(key, value, timeout, version)
        except RedisError as error:
            self.failed("set", error)

    def set_many(self, data, timeout=None, version=None):
        try:
            return super().set_many(data, timeout, version)
        except RedisError as error:
            self.failed("set_many", error)
            return list(data)

    def touch(self, key, timeout=None, version=None):
        try:
            return super().touch(key, timeout, version)
        except RedisError as error:
            self.failed("touch", error)
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except RedisError as error:
            self.failed("delete", error)
            return False

    def delete_many(self, keys, version=None):
        try:
            super().delete_many(keys, version)
        except RedisError as error:
            self.failed("delete_many", error)

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except RedisError as error:
            self.failed("incr", error)
            raise ValueError(f"Key '{key}' not found (cache unavailable)") from error

    def clear(self):
        try:
            return super().clear()
        except RedisError as error:
            self.failed("clear", error)
            return False
