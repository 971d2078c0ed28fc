"""Fixtures for the currencies tests: ECB fixture files, a stand-in HTTP session, stored rates."""

import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
import requests

from currencies.parsers import RateRow, parse_ecb_xml
from currencies.services import rates_store
from currencies.tests import hooks

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def zip_of(csv_name: str = "eurofxref-hist.csv", *, member: str = "eurofxref-hist.csv") -> bytes:
    """The ECB's eurofxref-hist.zip layout: one CSV inside a zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, fixture_bytes(csv_name))
    return buffer.getvalue()


class FakeHttp:
    """
    Stands in for requests.Session: answers each document name with a fixture body and status,
    or raises the exception a real session would, and records every request with its timeout.
    """

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, bytes] | Exception] = {}
        self.requests: list[tuple[str, object]] = []

    def serve(self, name: str, body: bytes, status: int = 200) -> "FakeHttp":
        self.routes[name] = (status, body)
        return self

    def fail(self, name: str, exc: Exception) -> "FakeHttp":
        self.routes[name] = exc
        return self

    def get(self, url: str, timeout: object = None) -> requests.Response:
        self.requests.append((url, timeout))
        route = self.routes.get(url.rsplit("/", 1)[-1], (404, b"Not Found"))
        if isinstance(route, Exception):
            raise route
        status, body = route
        response = requests.Response()
        response.status_code = status
        response.reason = {200: "OK", 404: "Not Found", 500: "Internal Server Error"}.get(status, "Error")
        response._content = body
        response.url = url
        return response

    @property
    def documents(self) -> list[str]:
        return [url.rsplit("/", 1)[-1] for url, _ in self.requests]


@pytest.fixture
def fake_http() -> FakeHttp:
    return FakeHttp()


@pytest.fixture(autouse=True)
def celery_runs_in_process():
    """Tasks run in the test process even where REDIS_URL is set (CI): no worker runs here."""
    from config.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@pytest.fixture
def after_rates_change(settings):
    """Point CURRENCIES_AFTER_RATES_CHANGE at a recorder instead of capex's recompute."""
    settings.CURRENCIES_AFTER_RATES_CHANGE = ["currencies.tests.hooks.recorder"]
    hooks.recorder.calls.clear()
    return hooks.recorder


@pytest.fixture
def stored_ecb_rates(db, after_rates_change):
    """
    The ECB rates of 16 to 24 January 2025 (the 90-day fixture), stored as the live provider,
    as if earlier refreshes had fetched them.
    """

    def store(*, until: date = date(2025, 1, 24), provider: str = "ecb") -> list[RateRow]:
        rows = [row for row in parse_ecb_xml(fixture_bytes("eurofxref-hist-90d.xml")) if row.date <= until]
        rates_store(provider=provider, rows=rows)
        return rows

    return store


@pytest.fixture
def today(monkeypatch):
    """Set the date the refresh believes it is (timezone.localdate), for every module at once."""
    from django.utils import timezone

    def set_today(day: date) -> date:
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)
        return day

    return set_today
