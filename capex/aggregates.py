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
  storing it on a miss. Old versions are never read again and expire with `TIMEOUT`, which is
  also a backstop for a change made outside the ORM (a raw SQL edit).

The version lives in the cache, so reading it is one cache lookup, not a query. A cache of one
process (Django's local-memory cache, without REDIS_URL) cannot hear a version moved by another
process, a management command say; there the version also carries the newest figure id and
change time (one index-only query).
"""

import hashlib
import json
import time
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db import transaction
from django.db.models import Max
from django.http import HttpResponse

from capex.models import Investment

VERSION_KEY = "capex:aggregates:version"
TIMEOUT = 6 * 60 * 60
T = TypeVar("T")


def aggregates_version() -> str:
    """The current data version (see the module's docstring)."""
    token = cache.get(VERSION_KEY)
    if token is None:
        cache.add(VERSION_KEY, str(time.time_ns()), timeout=None)
        token = cache.get(VERSION_KEY) or "0"
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
    digest = hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()[:32]
    return f"capex:aggregates:{aggregates_version()}:{name}:{digest}"


def cached(name: str, params: dict, compute: Callable[[], T]) -> T:
    """The result of `compute()` for these params at the current data version, computed at most once per version."""
    key = cache_key(name, params)
    result = cache.get(key)
    if result is None:
        result = compute()
        cache.set(key, result, timeout=TIMEOUT)
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
    key = cache_key(f"page:{name}", {"path": request.get_full_path()})
    stored = cache.get(key)
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
        cache.set(key, (response.status_code, list(response.items()), response.content), timeout=PAGE_TIMEOUT)
    return response
