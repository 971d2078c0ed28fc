"""
Refreshing rates: incremental, backfilled when empty, idempotent, and when anything fails the last
good rates stay, nothing is half-written and the RateRefresh row says what failed.
"""

from datetime import date
from decimal import Decimal

import pytest
import requests

from currencies.choices import RateProvider, RefreshStatus
from currencies.conversion import convert_to_usd
from currencies.models import ExchangeRate, RateRefresh
from currencies.parsers import RatesFormatError
from currencies.selectors import rates_freshness
from currencies.services import rate_changes_pending, rates_refresh, rates_refresh_all
from currencies.tests.conftest import fixture_bytes, zip_of

pytestmark = pytest.mark.django_db

RMB_40BN = Decimal("40000000000")


def cny_on(day: date):
    return convert_to_usd(amount=RMB_40BN, currency="CNY", on=day)


def test_refresh_fetches_only_what_is_new_and_records_the_run(
    stored_ecb_rates, today, fake_http, django_capture_on_commit_callbacks
):
    stored_ecb_rates(until=date(2025, 1, 21))
    today(date(2025, 1, 24))
    fake_http.serve("eurofxref-hist-90d.xml", fixture_bytes("eurofxref-hist-90d.xml"))

    with django_capture_on_commit_callbacks(execute=True):
        run = rates_refresh(provider="ecb", http=fake_http)

    assert fake_http.documents == ["eurofxref-hist-90d.xml"]
    assert run.status == RefreshStatus.SUCCEEDED
    assert run.rows_written == 21  # 22, 23 and 24 January, seven currencies each
    assert run.newest_rate_date == date(2025, 1, 24)
    assert run.finished_at is not None and run.error == ""
    assert cny_on(date(2025, 1, 24)).rate_date == date(2025, 1, 24)


def test_refresh_on_the_day_reads_the_daily_feed(stored_ecb_rates, today, fake_http):
    stored_ecb_rates(until=date(2025, 1, 20))
    today(date(2025, 1, 21))
    fake_http.serve("eurofxref-daily.xml", fixture_bytes("eurofxref-daily.xml"))

    run = rates_refresh(provider="ecb", http=fake_http)

    assert fake_http.documents == ["eurofxref-daily.xml"]
    assert run.rows_written == 7


def test_new_rates_start_the_recompute_once_committed(
    stored_ecb_rates, today, fake_http, after_rates_change, django_capture_on_commit_callbacks
):
    stored_ecb_rates(until=date(2025, 1, 20))
    today(date(2025, 1, 21))
    fake_http.serve("eurofxref-daily.xml", fixture_bytes("eurofxref-daily.xml"))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        rates_refresh(provider="ecb", http=fake_http)
    assert after_rates_change.calls == []  # nothing starts before the rates are committed
    for callback in callbacks:
        callback()

    assert after_rates_change.calls == ["delay"]


def test_an_empty_store_is_backfilled_from_the_history_zip(today, fake_http):
    today(date(2025, 1, 21))
    fake_http.serve("eurofxref-hist.zip", zip_of())

    run = rates_refresh(provider="ecb", http=fake_http)

    assert fake_http.documents == ["eurofxref-hist.zip"]
    assert run.status == RefreshStatus.SUCCEEDED
    assert ExchangeRate.objects.filter(provider="ecb", currency="RUB", date=date(2022, 3, 1)).exists()
    assert cny_on(date(2025, 1, 20)).rate_date == date(2025, 1, 17)


def test_running_a_refresh_twice_writes_nothing_the_second_time(
    stored_ecb_rates, today, fake_http, after_rates_change, django_capture_on_commit_callbacks
):
    stored_ecb_rates(until=date(2025, 1, 20))
    today(date(2025, 1, 21))
    fake_http.serve("eurofxref-daily.xml", fixture_bytes("eurofxref-daily.xml"))
    rates_refresh(provider="ecb", http=fake_http)
    count = ExchangeRate.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        again = rates_refresh(provider="ecb", since=date(2025, 1, 21), http=fake_http)

    assert again.status == RefreshStatus.SUCCEEDED
    assert again.rows_written == 0
    assert ExchangeRate.objects.count() == count
    assert after_rates_change.calls == []


FAILURES = {
    "provider down": ("fail", requests.ConnectionError("Connection refused"), "Could not connect to the provider"),
    "timeout": ("fail", requests.ReadTimeout("Read timed out. (read timeout=30)"), "Timed out fetching rates"),
    "HTTP 500": ("serve", (500, b"<html>Internal error</html>"), "The provider answered HTTP 500"),
    "malformed XML": ("serve", (200, fixture_bytes("malformed.xml")), "malformed or truncated"),
    "truncated XML": ("serve", (200, fixture_bytes("truncated.xml")), "malformed or truncated"),
    "not rates at all": ("serve", (200, fixture_bytes("not-rates.xml")), "not a gesmes Envelope"),
    "a day without USD": ("serve", (200, fixture_bytes("missing-usd.xml")), "no EUR->USD rate on 2025-01-22"),
}


@pytest.mark.parametrize("case", FAILURES.keys())
def test_a_failed_refresh_keeps_the_last_good_rates_and_says_what_failed(
    case, stored_ecb_rates, today, fake_http, after_rates_change, django_capture_on_commit_callbacks
):
    stored_ecb_rates(until=date(2025, 1, 21))
    today(date(2025, 1, 22))
    how, what, message = FAILURES[case]
    if how == "fail":
        fake_http.fail("eurofxref-daily.xml", what)
    else:
        status, body = what
        fake_http.serve("eurofxref-daily.xml", body, status=status)
    stored = sorted(ExchangeRate.objects.values_list("provider", "base", "currency", "date", "rate"))

    with django_capture_on_commit_callbacks(execute=True), pytest.raises((requests.RequestException, RatesFormatError)):
        rates_refresh(provider="ecb", http=fake_http)

    assert sorted(ExchangeRate.objects.values_list("provider", "base", "currency", "date", "rate")) == stored
    run = RateRefresh.objects.get(provider="ecb")
    assert run.status == RefreshStatus.FAILED
    assert message in run.error
    assert run.rows_written == 0 and run.finished_at is not None
    # Figures dated on the failed day still convert, at the last good rate.
    assert cny_on(date(2025, 1, 22)).rate_date == date(2025, 1, 21)
    assert cny_on(date(2025, 1, 22)).amount_usd == Decimal("5491298066.09")
    assert rates_freshness(today=date(2025, 1, 22)).newest_rate_date == date(2025, 1, 21)
    assert after_rates_change.calls == []


def test_a_broken_day_in_a_feed_writes_none_of_its_good_days(stored_ecb_rates, today, fake_http):
    stored_ecb_rates(until=date(2025, 1, 20))
    today(date(2025, 1, 24))
    broken = fixture_bytes("eurofxref-hist-90d.xml").replace(
        b"<Cube currency='USD' rate='1.0472'/>", b"<Cube currency='USD' rate='n/a'/>"
    )
    fake_http.serve("eurofxref-hist-90d.xml", broken)
    count = ExchangeRate.objects.count()

    with pytest.raises(RatesFormatError, match="2025-01-24 USD"):
        rates_refresh(provider="ecb", http=fake_http)

    assert ExchangeRate.objects.count() == count
    assert not ExchangeRate.objects.filter(date__gt=date(2025, 1, 20)).exists()


def test_a_day_with_missing_currencies_keeps_their_last_good_rates(stored_ecb_rates, today, fake_http):
    stored_ecb_rates(until=date(2025, 1, 21))
    today(date(2025, 1, 22))
    fake_http.serve("eurofxref-daily.xml", fixture_bytes("missing-currencies.xml"))

    run = rates_refresh(provider="ecb", http=fake_http)

    assert run.status == RefreshStatus.PARTIAL
    assert "2025-01-22: CNY, HKD, INR, KRW" in run.error
    assert "last rates stay in use for up to 7 days" in run.error
    assert set(ExchangeRate.objects.filter(date=date(2025, 1, 22)).values_list("currency", flat=True)) == {
        "USD",
        "JPY",
        "GBP",
    }
    # CNY on the 22nd is missing: its figures use the last good CNY rate, of the 21st.
    assert cny_on(date(2025, 1, 22)).rate_date == date(2025, 1, 21)
    assert cny_on(date(2025, 1, 22)).amount_usd == Decimal("5491298066.09")
    # GBP was published on the 22nd and is used.
    gbp = convert_to_usd(amount=Decimal("100"), currency="GBP", on=date(2025, 1, 22))
    assert gbp.rate_date == date(2025, 1, 22)


def test_an_overlapping_refresh_is_recorded_as_skipped(stored_ecb_rates, today, fake_http, lock_held_elsewhere):
    stored_ecb_rates(until=date(2025, 1, 20))
    today(date(2025, 1, 21))
    fake_http.serve("eurofxref-daily.xml", fixture_bytes("eurofxref-daily.xml"))
    lock_held_elsewhere("rates-refresh:ecb")

    run = rates_refresh(provider="ecb", http=fake_http)

    assert run.status == RefreshStatus.SKIPPED
    assert "Another refresh" in run.error
    assert fake_http.requests == []
    assert not ExchangeRate.objects.filter(date=date(2025, 1, 21)).exists()


def test_a_run_left_running_by_a_dead_process_is_marked_interrupted(stored_ecb_rates, today, fake_http):
    stored_ecb_rates(until=date(2025, 1, 21))
    today(date(2025, 1, 21))
    from django.utils import timezone

    dead = RateRefresh.objects.create(provider="ecb", started_at=timezone.now())
    fake_http.serve("eurofxref-daily.xml", fixture_bytes("eurofxref-daily.xml"))

    rates_refresh(provider="ecb", http=fake_http)

    dead.refresh_from_db()
    assert dead.status == RefreshStatus.FAILED
    assert dead.error.startswith("Interrupted")


def test_scheduled_refresh_covers_the_configured_feed_and_the_pegs(
    stored_ecb_rates, today, fake_http, settings, after_rates_change, django_capture_on_commit_callbacks
):
    stored_ecb_rates(until=date(2025, 1, 20))
    today(date(2025, 1, 21))
    settings.RATES_DEFAULT_PROVIDER = "ecb"
    fake_http.serve("eurofxref-daily.xml", fixture_bytes("eurofxref-daily.xml"))

    with django_capture_on_commit_callbacks(execute=True):
        runs = rates_refresh_all(http=fake_http)

    assert [(run.provider, run.status) for run in runs] == [("ecb", "succeeded"), ("peg", "succeeded")]
    assert convert_to_usd(amount=Decimal("3.75"), currency="SAR", on=date(2025, 1, 21)).amount_usd == Decimal("1")
    # One recompute for the whole scheduled run, not one per provider.
    assert after_rates_change.calls == ["delay"]


def test_a_failing_feed_still_lets_the_pegs_trigger_the_recompute(
    today, fake_http, settings, after_rates_change, django_capture_on_commit_callbacks
):
    today(date(2025, 1, 21))
    settings.RATES_DEFAULT_PROVIDER = "ecb"
    fake_http.fail("eurofxref-hist.zip", requests.ConnectionError("Connection refused"))

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(requests.ConnectionError):
        rates_refresh_all(providers=["peg", "ecb"], http=fake_http)

    assert after_rates_change.calls == ["delay"]
    assert RateRefresh.objects.get(provider="ecb").status == RefreshStatus.FAILED


def test_rates_not_yet_in_the_conversions_are_pending_until_a_recompute_marks_them(
    stored_ecb_rates, today, fake_http, after_rates_change, django_capture_on_commit_callbacks
):
    # A recompute that died with its worker never marked the run: the next scheduled refresh,
    # with nothing new to fetch, still starts the recompute again.
    stored_ecb_rates(until=date(2025, 1, 20))
    today(date(2025, 1, 21))
    fake_http.serve("eurofxref-daily.xml", fixture_bytes("eurofxref-daily.xml"))
    run = rates_refresh(provider="ecb", http=fake_http, notify=False)
    assert rate_changes_pending() == [run.pk]

    with django_capture_on_commit_callbacks(execute=True):
        rates_refresh_all(providers=["ecb"], http=fake_http)

    assert after_rates_change.calls == ["delay"]


def test_the_bundled_provider_refreshes_offline(today):
    today(date(2025, 1, 24))

    run = rates_refresh(provider=RateProvider.ECB_BUNDLED, since=date(2025, 1, 20))

    assert run.status == RefreshStatus.SUCCEEDED
    assert run.newest_rate_date == date(2025, 1, 24)
    assert cny_on(date(2025, 1, 21)).amount_usd == Decimal("5491298066.09")
