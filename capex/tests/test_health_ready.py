"""
The load balancer's view of an instance: /healthz says the process answers (200 whatever the
dependencies), /readyz says it can serve (200, or 503 naming the failed check). Both are JSON,
never cached, and open to anonymous clients, which is what a load balancer is.
"""

import datetime

import pytest
from django.db import OperationalError, connection

from capex.tests.test_pages_fixtures import fresh_rates_store

pytestmark = pytest.mark.django_db


@pytest.fixture
def broken_database(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)


@pytest.fixture
def fresh_rates(settings):
    settings.REDIS_URL = ""
    settings.RATES_DEFAULT_PROVIDER = "ecb"
    fresh_rates_store(newest=datetime.date.today())


def test_healthz_is_200_json_even_with_the_database_down(client, broken_database):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_is_503_naming_the_database_when_it_is_down(client, settings, fresh_rates, broken_database):
    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not ready"
    assert body["checks"]["database"]["ok"] is False
    assert "Connection refused" in body["checks"]["database"]["error"]


def test_readyz_is_200_with_every_check_passing(client, fresh_rates):
    response = client.get("/readyz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["checks"]["database"] == {"ok": True, "vendor": connection.vendor}
    assert body["checks"]["rates"]["ok"] is True
    assert "no-cache" in response["Cache-Control"]


def test_readyz_is_503_when_redis_does_not_answer(client, settings, fresh_rates):
    settings.REDIS_URL = "redis://127.0.0.1:9/0"

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["redis"]["ok"] is False
    assert response.json()["checks"]["database"]["ok"] is True


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_answer_head_and_refuse_writes(client, fresh_rates, path):
    assert client.head(path).status_code == 200
    assert client.post(path).status_code == 405


def test_probes_are_not_throttled(client, fresh_rates, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "1/minute"}}
    statuses = {client.get("/readyz").status_code for _ in range(5)}
    assert statuses == {200}
