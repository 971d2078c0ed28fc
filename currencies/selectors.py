"""Reads about exchange rates that pages, the API and the health check share."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone

from currencies.models import ExchangeRate, RateRefresh


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
    newest_rate_date: date | None
    business_days_old: int | None
    is_stale: bool
    last_refresh: RateRefresh | None


def rates_freshness(*, today: date | None = None) -> RatesFreshness:
    """
    How old the newest stored rate is. Rates are stale once the newest is more than
    RATES_STALE_BUSINESS_DAYS business days old, or when there are none at all.
    """
    today = today or timezone.localdate()
    newest = ExchangeRate.objects.order_by("-date").values_list("date", flat=True).first()
    last_refresh = RateRefresh.objects.order_by("-started_at").first()
    if newest is None:
        return RatesFreshness(None, None, True, last_refresh)
    age = business_days_between(newest, today)
    return RatesFreshness(newest, age, age > settings.RATES_STALE_BUSINESS_DAYS, last_refresh)
