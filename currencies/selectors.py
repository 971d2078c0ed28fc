"""Reads about exchange rates that pages, the API and the health check share."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone

from currencies.choices import FEED_PROVIDERS, RateProvider, RefreshStatus
from currencies.conversion import latest_rates_date
from currencies.models import RateRefresh
from currencies.providers import bundled_history_end


def business_days_between(start: date, end: date) -> int:
    """Weekdays after `start` up to and including `end` (0 when end <= start)."""
    days = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days += 1
    return days


@dataclass(frozen=True)
class RatesFreshness:
    """
    How fresh the feed rates are. Pegs and manual rates do not count: a peg holds every day and
    a manual rate is typed in, so neither says whether the ECB data is current.
    """

    newest_rate_date: date | None
    business_days_old: int | None
    is_stale: bool
    last_refresh: RateRefresh | None
    # Only the rates bundled with the install are loaded and no live refresh has been tried yet
    # (a first `make run`, a fresh deploy): the pages say "bundled rates as of" rather than raise
    # a stale alarm about rates that nothing has yet tried to bring up to date.
    awaiting_first_refresh: bool = False

    @property
    def alarm(self) -> bool:
        """Whether pages warn that the rates are stale."""
        return self.is_stale and not self.awaiting_first_refresh


def rates_freshness(*, today: date | None = None) -> RatesFreshness:
    """
    How old the newest stored feed rate is. Rates are stale once the newest is more than
    RATES_STALE_BUSINESS_DAYS business days old, or when there are none at all. `last_refresh`
    is the latest feed refresh that did something (skipped runs are left out).
    """
    today = today or timezone.localdate()
    newest = latest_rates_date()
    last_refresh = (
        RateRefresh.objects.filter(provider__in=FEED_PROVIDERS)
        .exclude(status=RefreshStatus.SKIPPED)
        .order_by("-started_at")
        .first()
    )
    if newest is None:
        return RatesFreshness(None, None, True, last_refresh)
    age = business_days_between(newest, today)
    awaiting = not RateRefresh.objects.filter(provider=RateProvider.ECB).exists()
    return RatesFreshness(newest, age, age > settings.RATES_STALE_BUSINESS_DAYS, last_refresh, awaiting)


def rates_freshness_payload(*, today: date | None = None) -> dict:
    """
    The freshness of the rates as plain JSON-ready data, for the API and the health check:
    {"rates_as_of": "2025-01-21", "business_days_old": 2, "is_stale": false,
     "stale_after_business_days": 4, "last_refresh": {...} or null}.
    """
    freshness = rates_freshness(today=today)
    refresh = freshness.last_refresh
    return {
        "rates_as_of": freshness.newest_rate_date.isoformat() if freshness.newest_rate_date else None,
        "business_days_old": freshness.business_days_old,
        "is_stale": freshness.is_stale,
        "stale_after_business_days": settings.RATES_STALE_BUSINESS_DAYS,
        "last_refresh": None
        if refresh is None
        else {
            "provider": refresh.provider,
            "status": refresh.status,
            "started_at": refresh.started_at.isoformat(),
            "finished_at": refresh.finished_at.isoformat() if refresh.finished_at else None,
            "rows_written": refresh.rows_written,
            "error": refresh.error,
        },
    }


def rates_ready(*, today: date | None = None) -> tuple[bool, dict]:
    """
    Whether the rates are fresh enough for the instance to call itself ready, with the details.
    With the offline bundled history as the configured provider, fresh means "everything the
    installed file holds is loaded": no refresh can bring anything newer.
    """
    payload = rates_freshness_payload(today=today)
    ready = not payload["is_stale"]
    if not ready and settings.RATES_DEFAULT_PROVIDER == RateProvider.ECB_BUNDLED and payload["rates_as_of"] is not None:
        end = bundled_history_end()
        ready = date.fromisoformat(payload["rates_as_of"]) >= end
        payload["note"] = f"Offline bundled history, which ends on {end.isoformat()}."
    return ready, payload
