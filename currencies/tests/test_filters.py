"""ExchangeRateFilterSet and RateRefreshFilterSet on their own."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.http import QueryDict

from currencies.choices import RateProvider, RefreshStatus
from currencies.filters import ExchangeRateFilterSet, RateRefreshFilterSet
from currencies.models import ExchangeRate, RateRefresh

pytestmark = pytest.mark.django_db


def test_rates_by_base_currency_provider_and_date_range():
    in_range = ExchangeRate.objects.create(
        provider=RateProvider.ECB, base="EUR", currency="CNY", date=date(2025, 1, 21), rate="7.58"
    )
    ExchangeRate.objects.create(
        provider=RateProvider.ECB, base="EUR", currency="CNY", date=date(2025, 3, 3), rate="7.6"
    )
    ExchangeRate.objects.create(
        provider=RateProvider.PEG, base="USD", currency="SAR", date=date(2025, 1, 21), rate="3.75"
    )

    filterset = ExchangeRateFilterSet(
        data=QueryDict("base=EUR&currency=CNY&provider=ecb&date_from=2025-01-01&date_to=2025-01-31"),
        queryset=ExchangeRate.objects.all(),
    )

    assert list(filterset.qs) == [in_range]


def test_refreshes_by_status_and_start_date():
    start = datetime(2025, 1, 21, 16, 30, tzinfo=UTC)
    RateRefresh.objects.create(provider=RateProvider.ECB, started_at=start, status=RefreshStatus.SUCCEEDED)
    failed = RateRefresh.objects.create(
        provider=RateProvider.ECB, started_at=start + timedelta(days=2), status=RefreshStatus.FAILED
    )

    filterset = RateRefreshFilterSet(
        data=QueryDict("status=failed&started_from=2025-01-22"), queryset=RateRefresh.objects.all()
    )

    assert list(filterset.qs) == [failed]


def test_an_unknown_provider_is_an_error():
    filterset = ExchangeRateFilterSet(data=QueryDict("provider=imf"), queryset=ExchangeRate.objects.all())

    assert not filterset.is_valid()
    assert "provider" in filterset.errors
