"""Freshness: the "rates as of" note on pages, the API field and the health check share it."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from currencies.models import ExchangeRate, RateRefresh
from currencies.providers import bundled_history_end
from currencies.selectors import business_days_between, rates_freshness, rates_freshness_payload, rates_ready

pytestmark = pytest.mark.django_db


def usd(provider: str, day: date) -> None:
    ExchangeRate.objects.create(provider=provider, base="EUR", currency="USD", date=day, rate=Decimal("1.0357"))


def test_business_days_skip_weekends():
    assert business_days_between(date(2025, 1, 17), date(2025, 1, 20)) == 1  # Friday to Monday
    assert business_days_between(date(2025, 1, 20), date(2025, 1, 17)) == 0


def test_rates_turn_stale_after_four_business_days():
    usd("ecb", date(2025, 1, 21))  # a Tuesday

    fresh = rates_freshness(today=date(2025, 1, 27))  # 4 business days later
    stale = rates_freshness(today=date(2025, 1, 28))  # 5

    assert (fresh.newest_rate_date, fresh.business_days_old, fresh.is_stale) == (date(2025, 1, 21), 4, False)
    assert (stale.business_days_old, stale.is_stale) == (5, True)


def test_pegs_and_manual_rates_do_not_make_rates_look_fresh():
    usd("ecb", date(2025, 1, 2))
    ExchangeRate.objects.create(
        provider="peg", base="USD", currency="SAR", date=date(2025, 1, 28), rate=Decimal("3.75")
    )
    ExchangeRate.objects.create(
        provider="manual", base="USD", currency="TWD", date=date(2025, 1, 28), rate=Decimal("32.8")
    )

    freshness = rates_freshness(today=date(2025, 1, 28))

    assert freshness.newest_rate_date == date(2025, 1, 2)
    assert freshness.is_stale


def test_no_rates_at_all_is_stale():
    assert rates_freshness(today=date(2025, 1, 28)).is_stale


def test_payload_for_the_api_names_the_last_refresh_and_its_error():
    usd("ecb", date(2025, 1, 21))
    RateRefresh.objects.create(
        provider="ecb",
        started_at=timezone.now(),
        finished_at=timezone.now(),
        status="failed",
        error="Could not connect to the provider: Connection refused",
    )
    RateRefresh.objects.create(provider="ecb", started_at=timezone.now(), status="skipped")

    payload = rates_freshness_payload(today=date(2025, 1, 28))

    assert payload["rates_as_of"] == "2025-01-21"
    assert payload["business_days_old"] == 5
    assert payload["is_stale"] is True
    assert payload["stale_after_business_days"] == 4
    assert payload["last_refresh"]["status"] == "failed"
    assert payload["last_refresh"]["error"] == "Could not connect to the provider: Connection refused"


def test_the_offline_bundled_history_is_ready_once_fully_loaded(settings):
    settings.RATES_DEFAULT_PROVIDER = "ecb_bundled"
    end = bundled_history_end()
    usd("ecb_bundled", end)
    later = date(end.year + 1, 1, 15)

    ready, payload = rates_ready(today=later)

    assert ready is True
    assert payload["is_stale"] is True  # the pages still say how old the rates are
    assert payload["note"] == f"Offline bundled history, which ends on {end.isoformat()}."


def test_the_live_feed_is_not_ready_when_stale(settings):
    settings.RATES_DEFAULT_PROVIDER = "ecb"
    usd("ecb", date(2025, 1, 2))

    ready, payload = rates_ready(today=date(2025, 1, 28))

    assert ready is False
    assert "note" not in payload
