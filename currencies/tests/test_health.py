"""/healthz says the process answers; /readyz checks the database, Redis and the rates' freshness."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from currencies.models import ExchangeRate

pytestmark = pytest.mark.django_db


def store_usd_rate(days_ago: int) -> None:
    ExchangeRate.objects.create(
        provider="ecb",
        base="EUR",
        currency="USD",
        date=timezone.localdate() - timedelta(days=days_ago),
        rate=Decimal("1.0357"),
    )


def test_healthz_answers_without_dependencies(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_ready_with_fresh_rates(client, settings):
    settings.RATES_DEFAULT_PROVIDER = "ecb"
    store_usd_rate(days_ago=1)

    response = client.get("/readyz")

    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "ready"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["rates"]["ok"] is True
    assert body["checks"]["rates"]["rates_as_of"] == (timezone.localdate() - timedelta(days=1)).isoformat()
    assert ("redis" in body["checks"]) == bool(settings.REDIS_URL)


def test_readyz_is_503_and_says_why_when_rates_are_stale(client, settings):
    settings.RATES_DEFAULT_PROVIDER = "ecb"
    store_usd_rate(days_ago=15)

    response = client.get("/readyz")

    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "not ready"
    assert body["checks"]["rates"]["ok"] is False
    assert body["checks"]["rates"]["is_stale"] is True
    assert body["checks"]["rates"]["business_days_old"] > 4
    assert body["checks"]["database"]["ok"] is True


def test_readyz_is_503_without_any_rates(client, settings):
    settings.RATES_DEFAULT_PROVIDER = "ecb"

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["rates"]["rates_as_of"] is None


def test_readyz_reports_redis_down(client, settings):
    settings.RATES_DEFAULT_PROVIDER = "ecb"
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    store_usd_rate(days_ago=0)

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["redis"]["ok"] is False
    assert "ConnectionError" in response.json()["checks"]["redis"]["error"]
