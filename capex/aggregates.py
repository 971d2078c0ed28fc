"""
Cached totals: the breakdowns of capex.selectors, computed once per *data version*.

Totals follow the no-double-count rule of capex.selectors, which cuts every countable figure
into slices in Python. At a million figures that takes tens of seconds, far too long for a
page or an API request, yet the totals change only when the set of countable figures or
their USD values change. So the stats endpoint, the home dashboard and the company pages ask
this module, which keys every cached result by a data version:

* `aggregates_changed()` moves the version on; the workflow calls it when a figure is
  published or returned to draft, and the conversions call it after a recompute (new rates,
  an edited amount). It runs on commit, so no request can cache the old data under the new
  version.
* The version also carries the newest figure id and change time, so figures written by any
  other path (a bulk load, an admin save) make a new version as well.
* `cached(name, params, compute)` returns the result for the current version, computing and
  storing it on a miss. Old versions are never read again and expire with `TIMEOUT`, which is
  also a backstop for a change made outside the services (a raw SQL edit).

Cached breakdowns drop the sets of figure ids of their buckets (a million ints per dimension),
keeping only their counts: see `compact`.
"""

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction
from django.db.models import Max
from django.http import HttpResponse

from capex.models import Investment
from capex.selectors import Breakdown, Bucket

VERSION_KEY = "capex:aggregates:version"
TIMEOUT = 6 * 60 * 60
T = TypeVar("T")


def aggregates_version() -> str:
    """
    The current data version: the token that `aggregates_changed()` moves on, and the newest
    figure id and change time (one index-only query), so that figures added or saved by any
    path, even one that forgets to call `aggregates_changed()`, also make a new version.
    """
    token = cache.get(VERSION_KEY)
    if token is None:
        cache.add(VERSION_KEY, str(time.time_ns()), timeout=None)
        token = cache.get(VERSION_KEY) or "0"
    newest = Investment.objects.order_by().aggregate(id=Max("id"), updated=Max("updated_at"))
    updated = newest["updated"].timestamp() if newest["updated"] else 0
    return f"{token}-{newest['id'] or 0}-{updated}"


def _bump() -> None:
    cache.set(VERSION_KEY, str(time.time_ns()), timeout=None)


def aggregates_changed() -> None:
    """Countable figures or their USD values changed: cached totals are out of date once this commits."""
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


@dataclass
class CountedBucket(Bucket):
    """A bucket that keeps the number of its figures rather than their ids."""

    count: int = 0

    @property
    def figure_count(self) -> int:
        return self.count


def compact(result: Breakdown) -> Breakdown:
    """The same breakdown with each bucket's figure ids replaced by their count, cheap to store and load."""
    buckets = [
        CountedBucket(key=b.key, label=b.label, measures=b.measures, count=b.figure_count) for b in result.buckets
    ]
    return replace(result, buckets=buckets)


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
