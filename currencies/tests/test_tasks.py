"""The Celery side: task names beat relies on, the schedule, retries with backoff on network errors."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import requests
from django.conf import settings

from config.celery import app
from currencies.models import ExchangeRate, RateRefresh
from currencies.tasks import refresh_rates
from currencies.tests.conftest import fixture_bytes

BERLIN = ZoneInfo("Europe/Berlin")


class FlakyHttp:
    """Fails the first `failures` requests with a connection error, then serves the daily feed."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0

    def get(self, url, timeout=None):
        self.calls += 1
        if self.calls <= self.failures:
            raise requests.ConnectionError("Connection refused")
        response = requests.Response()
        response.status_code = 200
        response._content = fixture_bytes("eurofxref-daily.xml")
        response.url = url
        return response


def test_beat_runs_the_refresh_on_weekdays_after_the_ecb_publishes():
    assert {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()} == {
        "currencies.tasks.refresh_rates",
        "capex.tasks.rebuild_slices",
        "filings.tasks.refresh_reported",
        "inbox.tasks.poll_feeds",
    }
    assert "currencies.tasks.refresh_rates" in app.tasks
    after_publication = settings.CELERY_BEAT_SCHEDULE["refresh-rates-after-ecb-publication"]["schedule"]

    hours = sorted(after_publication.hour)
    weekdays = sorted(after_publication.day_of_week)

    assert hours == [16, 17] and sorted(after_publication.minute) == [30]
    assert weekdays == [1, 2, 3, 4, 5]  # Monday to Friday
    assert settings.CELERY_TIMEZONE == "Europe/Berlin"
    # A daily catch-up runs every day of the week.
    catch_up = settings.CELERY_BEAT_SCHEDULE["refresh-rates-daily-catch-up"]["schedule"]
    assert len(catch_up.day_of_week) == 7
    assert catch_up.is_due(datetime(2025, 1, 17, 6, 0, tzinfo=BERLIN)).is_due  # last ran over a day ago


@pytest.fixture
def retries_run_in_process():
    """In eager mode a retry re-applies the task at once, if failures are not raised first."""
    saved = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = saved


@pytest.mark.django_db
def test_refresh_task_retries_network_errors_with_backoff_and_then_stores_the_rates(
    monkeypatch, today, stored_ecb_rates, after_rates_change, retries_run_in_process
):
    stored_ecb_rates(until=date(2025, 1, 20))
    today(date(2025, 1, 21))
    flaky = FlakyHttp(failures=2)
    monkeypatch.setattr("currencies.providers.http_session", lambda: flaky)

    outcome = refresh_rates.apply(kwargs={"provider": "ecb"}).get()

    assert flaky.calls == 3
    assert outcome == {"ecb": "succeeded, 7 new rows"}
    statuses = list(RateRefresh.objects.order_by("started_at").values_list("status", flat=True))
    assert statuses == ["failed", "failed", "succeeded"]
    assert ExchangeRate.objects.filter(date=date(2025, 1, 21)).count() == 7
    assert refresh_rates.retry_backoff and refresh_rates.max_retries == 5
    assert refresh_rates.acks_late is True
    assert refresh_rates.soft_time_limit < refresh_rates.time_limit


@pytest.mark.django_db
def test_refresh_task_gives_up_after_its_retries_and_keeps_the_last_good_rates(
    monkeypatch, today, stored_ecb_rates, after_rates_change, retries_run_in_process
):
    stored_ecb_rates(until=date(2025, 1, 20))
    today(date(2025, 1, 21))
    flaky = FlakyHttp(failures=100)
    monkeypatch.setattr("currencies.providers.http_session", lambda: flaky)
    count = ExchangeRate.objects.count()

    with pytest.raises(requests.ConnectionError):
        refresh_rates.apply(kwargs={"provider": "ecb"}).get()

    assert flaky.calls == 1 + refresh_rates.max_retries
    assert ExchangeRate.objects.count() == count
    assert set(RateRefresh.objects.values_list("status", flat=True)) == {"failed"}


@pytest.mark.django_db
def test_a_broken_document_is_not_retried(monkeypatch, today, stored_ecb_rates, fake_http, retries_run_in_process):
    stored_ecb_rates(until=date(2025, 1, 20))
    today(date(2025, 1, 21))
    fake_http.serve("eurofxref-daily.xml", fixture_bytes("truncated.xml"))
    monkeypatch.setattr("currencies.providers.http_session", lambda: fake_http)

    with pytest.raises(ValueError, match="truncated"):
        refresh_rates.apply(kwargs={"provider": "ecb"}).get()

    assert len(fake_http.requests) == 1
    assert RateRefresh.objects.get().status == "failed"


@pytest.mark.django_db
def test_refresh_task_takes_a_since_date(today, after_rates_change):
    today(date(2025, 1, 24))

    outcome = refresh_rates.apply(kwargs={"provider": "ecb_bundled", "since": "2025-01-23"}).get()

    stored = ExchangeRate.objects.filter(provider="ecb_bundled")
    assert set(stored.values_list("date", flat=True)) == {date(2025, 1, 23), date(2025, 1, 24)}
    assert outcome == {"ecb_bundled": f"succeeded, {stored.count()} new rows"}
