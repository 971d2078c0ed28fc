"""Exchange rates and refresh runs in the API: read-only, with the freshness of the rates."""

from datetime import UTC, date, datetime, timedelta

import orjson
import pytest
from django.utils import timezone

from capex.tests.personas import api_client, fast_passwords, throttles_reset
from currencies.choices import RateProvider, RefreshStatus
from currencies.models import ExchangeRate, RateRefresh

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _api_test_settings(settings):
    throttles_reset()
    fast_passwords(settings)


def rate(currency: str, day: date, value: str, provider=RateProvider.ECB) -> ExchangeRate:
    return ExchangeRate.objects.create(provider=provider, base="EUR", currency=currency, date=day, rate=value)


def test_the_rate_list_says_how_fresh_the_rates_are():
    today = timezone.localdate()
    rate("USD", today, "1.04")
    RateRefresh.objects.create(
        provider=RateProvider.ECB, started_at=timezone.now(), finished_at=timezone.now(), status="succeeded"
    )

    data = api_client("anonymous").get("/api/v1/exchange-rates/").json()

    assert data["results"][0]["currency"] == "USD"
    assert data["results"][0]["rate"] == "1.0400000000"
    assert data["rates"]["rates_as_of"] == today.isoformat()
    assert data["rates"]["is_stale"] is False
    assert data["rates"]["last_refresh"]["status"] == "succeeded"


def test_old_rates_are_reported_stale():
    rate("USD", timezone.localdate() - timedelta(days=30), "1.04")

    rates = api_client("anonymous").get("/api/v1/exchange-rates/").json()["rates"]

    assert rates["is_stale"] is True
    assert rates["business_days_old"] > 4


def test_rates_filter_by_currency_provider_and_date():
    wanted = rate("CNY", date(2025, 1, 21), "7.58")
    rate("CNY", date(2024, 1, 2), "7.80")
    rate("JPY", date(2025, 1, 21), "162.1")
    ExchangeRate.objects.create(
        provider=RateProvider.PEG, base="USD", currency="SAR", date=date(2025, 1, 21), rate="3.75"
    )

    rows = (
        api_client("anonymous")
        .get("/api/v1/exchange-rates/", {"currency": "CNY", "provider": "ecb", "date_from": "2025-01-01"})
        .json()["results"]
    )

    assert [row["id"] for row in rows] == [wanted.pk]


def test_refresh_runs_are_listed_newest_first_with_their_errors():
    old = datetime(2025, 1, 20, 15, 30, tzinfo=UTC)
    RateRefresh.objects.create(
        provider=RateProvider.ECB, started_at=old, status=RefreshStatus.SUCCEEDED, rows_written=31
    )
    failed = RateRefresh.objects.create(
        provider=RateProvider.ECB, started_at=old + timedelta(days=1), status=RefreshStatus.FAILED, error="Timeout"
    )

    rows = api_client("anonymous").get("/api/v1/rate-refreshes/").json()["results"]
    only_failed = api_client("anonymous").get("/api/v1/rate-refreshes/", {"status": "failed"}).json()["results"]

    assert [row["rows_written"] for row in rows] == [0, 31]
    assert [row["id"] for row in only_failed] == [failed.pk]
    assert only_failed[0]["error"] == "Timeout"


def test_rates_are_read_only_even_for_an_admin():
    admin = api_client("admin")

    assert admin.post("/api/v1/exchange-rates/", {}, format="json").status_code == 405
    assert admin.post("/api/v1/rate-refreshes/", {}, format="json").status_code == 405


def test_the_rate_export_streams_json_lines():
    rate("USD", date(2025, 1, 21), "1.0395")

    response = api_client("anonymous").get("/api/v1/exchange-rates/export/", {"format": "jsonl"})

    line = orjson.loads(b"".join(response.streaming_content))
    stored = ExchangeRate.objects.get()
    assert line == {**line, "id": stored.pk, "provider": "ecb", "base": "EUR", "currency": "USD"}
    assert (line["date"], line["rate"]) == ("2025-01-21", "1.0395000000")
