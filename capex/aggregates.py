"""
Cached totals: the breakdowns of capex.selectors, computed once per *data version*.

Totals follow the no-double-count rule of capex.selectors and are sums of its stored slices:
one GROUP BY per grouping, yet at a million figures a page of groupings still takes seconds,
and the totals change only when the set of countable figures or their USD values change. So
the stats endpoint, the home dashboard and the company pages ask this module, which keys every
cached result by a data version:

* `aggregates_changed()` moves the version on. capex.services.slices calls it whenever it
  rewrites slices (a publication, a return to draft, a recompute of conversions), and signals
  (`capex.signals`) call it whenever a figure, citation, company, source or publisher is saved
  or deleted, by any path that sends them (services, admin, fixtures). It moves the version at
  once, so the writer's own transaction reads afresh, and again on commit, so that no request
  can keep the old data under the version it read while the write was open.
* `cached(name, params, compute)` returns the result for the current version, computing and
  storing it on a miss. Each entry carries the version it was computed at and is read with the
  version in one round trip (`versioned_get`); an entry of an older version is a miss, and
  entries expire with `TIMEOUT`, a backstop for a change made outside the ORM (a raw SQL edit).

The version lives in the cache, so reading it is one cache lookup, not a query. A cache of one
process (Django's local-memory cache, without REDIS_URL) cannot hear a version moved by another
process, a management command say; there the version also carries the newest figure id and
change time (one index-only query).

Refreshed, not only invalidated: a version change leaves every cached total cold, and at a
million figures the home page takes seconds to compute. So the addresses whose totals were
computed (`remember`) are kept, most recent first, and beat's `capex.tasks.refresh_aggregates`
requests them again through the site's own WSGI handler whenever the version has moved (every
`AGGREGATES_REFRESH_SECONDS`): after a publication, a recompute or new rates, the popular pages
and stats are computed by the worker rather than by the next reader.
"""

import hashlib
import io
import json
import logging
import time
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signals
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db import close_old_connections, transaction
from django.db.models import Max
from django.http import HttpResponse

from capex.models import Investment

VERSION_KEY = "capex:aggregates:version"
# The version while the cache cannot be read: it never moves, so nothing may be kept by it for long.
UNKNOWN_VERSION = "0"
TIMEOUT = 6 * 60 * 60
T = TypeVar("T")
logger = logging.getLogger(__name__)

# The addresses refreshed after a change: the most recently computed, within a day.
HOT_KEY = "capex:aggregates:hot"
HOT_LIMIT = 50
HOT_SECONDS = 24 * 60 * 60
REFRESHED_KEY = "capex:aggregates:refreshed"


def aggregates_version(token: str | None = None) -> str:
    """The current data version (see the module's docstring); `token`: the version key's value, if just read."""
    if token is None:
        token = cache.get(VERSION_KEY)
    if token is None:
        cache.add(VERSION_KEY, str(time.time_ns()), timeout=None)
        token = cache.get(VERSION_KEY) or UNKNOWN_VERSION
    if version_in_shared_cache():
        return token
    newest = Investment.objects.order_by().aggregate(id=Max("id"), updated=Max("updated_at"))
    updated = newest["updated"].timestamp() if newest["updated"] else 0
    return f"{token}-{newest['id'] or 0}-{updated}"


def version_in_shared_cache() -> bool:
    """Whether every process reads the same cache (Redis), so a version moved anywhere is seen here."""
    return isinstance(caches["default"], RedisCache)


def _bump() -> None:
    cache.set(VERSION_KEY, str(time.time_ns()), timeout=None)


def aggregates_changed() -> None:
    """
    Countable figures, their USD values or what pages show of them changed: move the version now
    (this transaction reads afresh) and again once the change commits (nobody reads it before).
    """
    _bump()
    transaction.on_commit(_bump)


def cache_key(name: str, params: dict) -> str:
    """Where the result for `name` and `params` is kept, whatever the version (see `versioned_get`)."""
    digest = hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()[:32]
    return f"capex:aggregates:{name}:{digest}"


def versioned_get(key: str) -> tuple[str, object | None]:
    """
    The current data version, and what is kept under `key` if it was stored at that version
    (else None). Each entry holds the version it was computed at, so the version and the entry
    are read together: one cache round trip where a cached answer took two (the version, then
    the entry under a key made from it). An entry of an earlier version is simply overwritten.
    """
    return _versioned(cache.get_many([VERSION_KEY, key]), key)


def versioned_get_counted(key: str | None, counter: tuple[str, int]) -> tuple[int | None, str, object | None]:
    """
    `versioned_get(key)`, with a throttle's count (`counter`: its key and period) made in the
    same round trip (`FailOpenRedisCache.count_and_get_many`); the count is None when the cache
    is down. Without a key, the version alone is read with the count.
    """
    count, found = cache.count_and_get_many(*counter, [VERSION_KEY, key] if key is not None else [VERSION_KEY])
    return count, *_versioned(found, key)


def _versioned(found: dict, key: str) -> tuple[str, object | None]:
    version = aggregates_version(found.get(VERSION_KEY))
    entry = found.get(key)
    if entry is not None and entry[0] == version:
        return version, entry[1]
    return version, None


def versioned_set(key: str, version: str, value: object, timeout: int) -> None:
    """Keep `value`, computed at data `version`, under `key` (read back with `versioned_get`)."""
    cache.set(key, (version, value), timeout=timeout)


def cached(name: str, params: dict, compute: Callable[[], T], *, address: str | None = None) -> T:
    """
    The result of `compute()` for these params at the current data version, computed at most
    once per version. `address`, the page or API query it serves, is refreshed after changes.
    """
    key = cache_key(name, params)
    version, result = versioned_get(key)
    if result is None:
        result = compute()
        versioned_set(key, version, result, TIMEOUT)
        if address is not None:
            remember(address)
    return result


PAGE_TIMEOUT = 10 * 60


def cached_page(request, name: str, render: Callable[[], HttpResponse]) -> HttpResponse:
    """
    A whole page whose content depends only on its address and the data version, for readers
    who see published figures only. Staff see drafts, which change without a new version, so
    their pages are always rendered afresh. Other answers (errors, redirects) are not stored.
    Pages expire sooner than data (`PAGE_TIMEOUT`), since they also show how fresh the
    exchange rates are, which changes with the calendar.
    """
    if request.method not in ("GET", "HEAD"):
        return render()
    if getattr(request.user, "is_staff", False):
        return render()
    path = request.get_full_path()
    key = cache_key(f"page:{name}", {"path": path})
    version, stored = versioned_get(key)
    if stored is not None:
        status, headers, content = stored
        response = HttpResponse(content, status=status)
        for header, value in headers:
            response[header] = value
        return response
    response = render()
    if hasattr(response, "render"):
        response.render()
    if response.status_code == 200 and not response.streaming:
        versioned_set(key, version, (response.status_code, list(response.items()), response.content), PAGE_TIMEOUT)
        remember(path)
    return response


def remember(path: str) -> None:
    """Totals at `path` (a page or a stats query) were just computed: refresh them after the next change."""
    hot = cache.get(HOT_KEY) or {}
    hot[path] = time.time()
    if len(hot) > HOT_LIMIT:
        hot = dict(sorted(hot.items(), key=lambda item: item[1], reverse=True)[:HOT_LIMIT])
    cache.set(HOT_KEY, hot, timeout=HOT_SECONDS)


def hot_paths() -> list[str]:
    """The remembered addresses of the last day, most recently computed first."""
    since = time.time() - HOT_SECONDS
    hot = cache.get(HOT_KEY) or {}
    return [path for path, at in sorted(hot.items(), key=lambda item: item[1], reverse=True) if at >= since]


def aggregates_refresh() -> dict:
    """
    If the data version moved since the last refresh, request every hot address again, as an
    anonymous reader would, so their totals are computed for the new version now. Returns what
    it did; a version that moves again meanwhile is refreshed by the next run.
    """
    version = aggregates_version()
    if cache.get(REFRESHED_KEY) == version:
        return {"status": "current", "pages": 0}
    from django.core.handlers.wsgi import WSGIHandler

    handler = WSGIHandler()
    statuses: dict[int, int] = {}
    began = time.monotonic()
    for path in hot_paths():
        status = _request(handler, path)
        statuses[status] = statuses.get(status, 0) + 1
    if aggregates_version() == version:
        cache.set(REFRESHED_KEY, version, timeout=TIMEOUT)
    result = {"status": "refreshed", "pages": sum(statuses.values()), "statuses": statuses}
    result["seconds"] = round(time.monotonic() - began, 2)
    logger.info("Aggregates refreshed for version %s: %s", version, result)
    return result


def _request(handler, path: str) -> int:
    """GET `path` through the site's WSGI handler, without credentials; returns the status code."""
    hosts = [name for name in settings.ALLOWED_HOSTS if name != "*" and not name.startswith(".")]
    host = hosts[0] if hosts else "localhost"
    parts = urlsplit(path)
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": parts.path,
        "QUERY_STRING": parts.query,
        "SERVER_NAME": host,
        "SERVER_PORT": "443" if settings.SECURE_SSL_REDIRECT else "80",
        "HTTP_HOST": host,
        "REMOTE_ADDR": "127.0.0.1",
        "SCRIPT_NAME": "",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": io.StringIO(),
        "wsgi.url_scheme": "https" if settings.SECURE_SSL_REDIRECT else "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    statuses = []
    # As Django's test client does: these requests run inside a task (or a test's transaction),
    # whose database connection is not theirs to close at their start and end.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        body = handler(environ, lambda status, headers, exc_info=None: statuses.append(int(status.split()[0])))
        for _ in body:
            pass
        if hasattr(body, "close"):
            body.close()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    return statuses[0]
