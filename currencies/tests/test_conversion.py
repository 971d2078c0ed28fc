"""The conversion rules: latest rate on or before the date within the tolerance, cross rates through EUR."""

from datetime import date
from decimal import Decimal

import pytest

from currencies.choices import RateProvider
from currencies.conversion import convert_to_usd, latest_rates_date, latest_window
from currencies.models import ExchangeRate
from currencies.providers import BundledEcbProvider, PegProvider
from currencies.services import rates_store

pytestmark = pytest.mark.django_db

RMB_40BN = Decimal("40000000000")


def rate(provider, base, currency, day, value):
    return ExchangeRate.objects.create(provider=provider, base=base, currency=currency, date=day, rate=Decimal(value))


def test_rmb_40bn_on_21_january_2025_is_about_5_5bn_dollars_with_the_bundled_ecb_rates():
    rows = BundledEcbProvider().fetch(date(2025, 1, 1), date(2025, 1, 31))
    rates_store(provider=RateProvider.ECB_BUNDLED, rows=rows)

    result = convert_to_usd(amount=RMB_40BN, currency="CNY", on=date(2025, 1, 21))

    assert Decimal("5490000000") <= result.amount_usd <= Decimal("5510000000")
    # 40bn x EUR->USD 1.0357 / EUR->CNY 7.5443, rounded to the cent.
    assert result.amount_usd == Decimal("5491298066.09")
    assert result.rate == Decimal("0.137282451652")
    assert result.rate_date == date(2025, 1, 21)
    assert result.provider == "ecb_bundled"
    assert result.note == ""


def test_a_saturday_figure_uses_the_friday_rate(stored_ecb_rates):
    stored_ecb_rates()

    result = convert_to_usd(amount=RMB_40BN, currency="CNY", on=date(2025, 1, 18))

    assert result.rate_date == date(2025, 1, 17)
    assert result.amount_usd == (RMB_40BN * Decimal("1.0298") / Decimal("7.5474")).quantize(Decimal("0.01"))


def test_a_rate_after_the_date_is_never_used(stored_ecb_rates):
    stored_ecb_rates()

    result = convert_to_usd(amount=RMB_40BN, currency="CNY", on=date(2025, 1, 15))

    assert not result.converted
    assert result.note == "No CNY rate on 2025-01-15 or in the 7 days before it."


def test_a_gap_longer_than_the_tolerance_is_not_converted(stored_ecb_rates):
    stored_ecb_rates()

    on_day_eight = convert_to_usd(amount=RMB_40BN, currency="CNY", on=date(2025, 2, 1))
    on_day_seven = convert_to_usd(amount=RMB_40BN, currency="CNY", on=date(2025, 1, 31))

    assert on_day_eight.amount_usd is None
    assert on_day_eight.rate is None and on_day_eight.rate_date is None and on_day_eight.provider == ""
    assert on_day_eight.note == "No CNY rate on 2025-02-01 or in the 7 days before it."
    assert on_day_seven.rate_date == date(2025, 1, 24)


def test_the_tolerance_is_a_setting(stored_ecb_rates, settings):
    stored_ecb_rates()
    settings.RATES_TOLERANCE_DAYS = 1

    result = convert_to_usd(amount=RMB_40BN, currency="CNY", on=date(2025, 1, 19))

    assert result.note == "No CNY rate on 2025-01-19 or in the 1 days before it."


def test_a_currency_no_provider_covers_is_not_converted_with_the_reason(stored_ecb_rates):
    stored_ecb_rates()

    result = convert_to_usd(amount=Decimal("1000"), currency="TWD", on=date(2025, 1, 21))

    assert not result.converted
    assert result.amount_usd is None and result.amount_high_usd is None
    assert result.note == (
        "No exchange rate for TWD is stored: no provider covers it. An editor can enter a manual rate."
    )


def test_usd_converts_at_one_without_a_provider():
    result = convert_to_usd(amount=Decimal("80000000000"), currency="USD", on=date(2025, 1, 3))

    assert result.amount_usd == Decimal("80000000000")
    assert result.rate == Decimal("1")
    assert result.rate_date == date(2025, 1, 3)
    assert result.provider == ""
    assert result.converted


def test_both_ends_of_a_range_are_converted(stored_ecb_rates):
    stored_ecb_rates()

    result = convert_to_usd(
        amount=Decimal("60000000000"), amount_high=Decimal("65000000000"), currency="GBP", on=date(2025, 1, 24)
    )

    assert result.amount_usd == (Decimal("60000000000") * Decimal("1.0472") / Decimal("0.84413")).quantize(
        Decimal("0.01")
    )
    assert result.amount_high_usd == (Decimal("65000000000") * Decimal("1.0472") / Decimal("0.84413")).quantize(
        Decimal("0.01")
    )


def test_euro_converts_at_the_published_eur_usd_rate(stored_ecb_rates):
    stored_ecb_rates()

    result = convert_to_usd(amount=Decimal("100"), currency="EUR", on=date(2025, 1, 21))

    assert result.amount_usd == Decimal("103.57")
    assert result.rate == Decimal("1.035700000000")


def test_cross_rates_use_one_provider_and_one_date():
    # The live feed has CNY on the 21st but its USD only on the 20th; the bundled history has both
    # on the 20th. Mixing the live CNY of the 21st with a USD of another day would be wrong.
    rate("ecb", "EUR", "CNY", date(2025, 1, 21), "7.5443")
    rate("ecb", "EUR", "USD", date(2025, 1, 20), "1.0316")
    rate("ecb_bundled", "EUR", "USD", date(2025, 1, 20), "1.0316")
    rate("ecb_bundled", "EUR", "CNY", date(2025, 1, 20), "7.5431")

    result = convert_to_usd(amount=RMB_40BN, currency="CNY", on=date(2025, 1, 21))

    assert result.rate_date == date(2025, 1, 20)
    assert result.provider == "ecb_bundled"
    assert result.amount_usd == (RMB_40BN * Decimal("1.0316") / Decimal("7.5431")).quantize(Decimal("0.01"))


def test_on_a_tie_of_dates_the_live_feed_wins_over_the_bundled_history():
    for provider, usd in (("ecb_bundled", "1.0300"), ("ecb", "1.0357")):
        rate(provider, "EUR", "USD", date(2025, 1, 21), usd)
        rate(provider, "EUR", "CNY", date(2025, 1, 21), "7.5443")

    result = convert_to_usd(amount=RMB_40BN, currency="CNY", on=date(2025, 1, 21))

    assert result.provider == "ecb"
    assert result.amount_usd == Decimal("5491298066.09")


def test_a_newer_date_wins_over_provider_preference():
    rate("ecb", "EUR", "USD", date(2025, 1, 20), "1.0316")
    rate("ecb", "EUR", "CNY", date(2025, 1, 20), "7.5431")
    rate("ecb_bundled", "EUR", "USD", date(2025, 1, 21), "1.0357")
    rate("ecb_bundled", "EUR", "CNY", date(2025, 1, 21), "7.5443")

    result = convert_to_usd(amount=RMB_40BN, currency="CNY", on=date(2025, 1, 21))

    assert (result.provider, result.rate_date) == ("ecb_bundled", date(2025, 1, 21))


def test_pegged_currencies_convert_through_the_peg():
    rates_store(provider=RateProvider.PEG, rows=PegProvider().fetch(date(2025, 1, 1), date(2025, 1, 31)))

    riyal = convert_to_usd(amount=Decimal("375000000"), currency="SAR", on=date(2025, 1, 18))
    dirham = convert_to_usd(amount=Decimal("36725"), currency="AED", on=date(2025, 1, 18))

    assert riyal.amount_usd == Decimal("100000000.00")
    assert riyal.provider == "peg" and riyal.rate_date == date(2025, 1, 18)
    assert dirham.amount_usd == Decimal("10000.00")


def test_a_manual_rate_converts_a_currency_no_provider_covers():
    rate("manual", "USD", "TWD", date(2025, 1, 20), "32.8")

    result = convert_to_usd(amount=Decimal("3280000000"), currency="TWD", on=date(2025, 1, 21))

    assert result.amount_usd == Decimal("100000000.00")
    assert (result.provider, result.rate_date) == ("manual", date(2025, 1, 20))


def test_latest_basis_uses_the_newest_rates(stored_ecb_rates):
    stored_ecb_rates()

    result = convert_to_usd(amount=RMB_40BN, currency="CNY", today=date(2025, 1, 27))

    assert result.rate_date == date(2025, 1, 24)
    assert result.amount_usd == (RMB_40BN * Decimal("1.0472") / Decimal("7.5891")).quantize(Decimal("0.01"))


def test_latest_basis_counts_the_tolerance_back_from_the_rates_as_of_date(stored_ecb_rates):
    # The feed stopped on the 24th; months later the latest basis still converts at the 24th
    # (the pages say the rates are stale), but a currency whose newest rate is more than a
    # week older than that is not converted.
    stored_ecb_rates()
    rate("ecb", "EUR", "RUB", date(2025, 1, 10), "107.0")
    rate("ecb", "EUR", "USD", date(2025, 1, 10), "1.0304")

    cny = convert_to_usd(amount=RMB_40BN, currency="CNY", today=date(2025, 6, 2))
    rub = convert_to_usd(amount=Decimal("1000"), currency="RUB", today=date(2025, 6, 2))

    assert cny.rate_date == date(2025, 1, 24)
    assert latest_window(today=date(2025, 6, 2)) == (date(2025, 1, 17), date(2025, 6, 2), date(2025, 1, 24))
    assert rub.note == "No RUB rate within 7 days of the latest rates (2025-01-24)."


def test_pegs_and_manual_rates_do_not_move_the_rates_as_of_date(stored_ecb_rates):
    stored_ecb_rates()
    rates_store(provider=RateProvider.PEG, rows=PegProvider().fetch(date(2025, 1, 1), date(2025, 3, 1)))
    rate("manual", "USD", "TWD", date(2025, 2, 20), "32.8")

    assert latest_rates_date() == date(2025, 1, 24)
