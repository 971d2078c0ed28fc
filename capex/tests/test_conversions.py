"""
USD conversions of figures, recomputed with set-based SQL: the values a researcher reads next to
each figure, with the rate, its date and provider, or the reason there is no USD value.
"""

import functools
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection

from capex.choices import Qualifier
from capex.conversions import conversions_recompute, conversions_recompute_all, investment_convert
from capex.models import Investment
from capex.tasks import recompute_conversions
from capex.tests.factories import InvestmentFactory
from currencies.choices import RateProvider
from currencies.conversion import convert_to_usd
from currencies.models import ExchangeRate, RateRefresh
from currencies.parsers import RateRow
from currencies.providers import BundledEcbProvider, PegProvider
from currencies.services import rate_changes_pending, rates_refresh, rates_store

pytestmark = pytest.mark.django_db

RMB_40BN = Decimal("40000000000")
BYTEDANCE_DAY = date(2025, 1, 21)


@pytest.fixture(autouse=True)
def celery_runs_in_process():
    """Tasks run in the test process even where REDIS_URL is set (CI): no worker runs here."""
    from config.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@functools.cache
def bundled_january_2025() -> list[RateRow]:
    return BundledEcbProvider().fetch(date(2025, 1, 1), date(2025, 1, 31))


@pytest.fixture
def january_2025_rates():
    """The bundled ECB rates of January 2025 and the pegs, as the embedded default has them."""
    rates_store(provider=RateProvider.ECB_BUNDLED, rows=bundled_january_2025())
    rates_store(provider=RateProvider.PEG, rows=PegProvider().fetch(date(2025, 1, 1), date(2025, 1, 31)))


def figure(**fields) -> Investment:
    investment = InvestmentFactory(**fields)
    investment_convert(investment_id=investment.pk, today=date(2025, 2, 3))
    investment.refresh_from_db()
    return investment


def test_bytedance_rmb_40bn_converts_to_about_5_5bn_dollars(january_2025_rates):
    chips = figure(amount=RMB_40BN, currency="CNY", announced_on=BYTEDANCE_DAY)

    assert Decimal("5490000000") <= chips.amount_usd_at_announcement <= Decimal("5510000000")
    assert chips.amount_usd_at_announcement == Decimal("5491298066.09")
    assert chips.fx_rate_at_announcement == Decimal("0.137282451652")
    assert chips.fx_date_at_announcement == BYTEDANCE_DAY
    assert chips.fx_provider_at_announcement == "ecb_bundled"
    assert chips.fx_note_at_announcement == ""


def test_a_saturday_figure_uses_the_friday_rate(january_2025_rates):
    saturday = figure(amount=RMB_40BN, currency="CNY", announced_on=date(2025, 1, 18))

    assert saturday.fx_date_at_announcement == date(2025, 1, 17)
    assert saturday.amount_usd_at_announcement == Decimal("5457773537.91")


def test_a_currency_with_no_rate_is_not_converted_with_the_reason(january_2025_rates):
    taiwan = figure(amount=Decimal("100000000000"), currency="TWD", announced_on=BYTEDANCE_DAY)

    reason = "No exchange rate for TWD is stored: no provider covers it. An editor can enter a manual rate."
    assert taiwan.amount_usd_at_announcement is None and taiwan.amount_usd_latest is None
    assert taiwan.fx_rate_at_announcement is None and taiwan.fx_date_at_announcement is None
    assert taiwan.fx_provider_at_announcement == ""
    assert taiwan.fx_note_at_announcement == reason
    assert taiwan.fx_note_latest == reason


def test_a_gap_beyond_the_tolerance_is_not_converted_never_zero(january_2025_rates):
    early = figure(amount=RMB_40BN, currency="CNY", announced_on=date(2024, 12, 20))

    assert early.amount_usd_at_announcement is None
    assert early.fx_note_at_announcement == "No CNY rate on 2024-12-20 or in the 7 days before it."
    # The latest basis still converts: January's rates are the newest ones.
    assert early.fx_date_latest == date(2025, 1, 31)


def test_usd_figures_convert_at_one_without_a_provider():
    microsoft = figure(amount=Decimal("80000000000"), currency="USD", announced_on=date(2025, 1, 3))

    assert microsoft.amount_usd_at_announcement == Decimal("80000000000")
    assert microsoft.amount_usd_latest == Decimal("80000000000")
    assert microsoft.fx_rate_at_announcement == Decimal("1")
    assert microsoft.fx_date_at_announcement == date(2025, 1, 3)
    assert microsoft.fx_provider_at_announcement == "" and microsoft.fx_note_at_announcement == ""
    assert microsoft.fx_note_latest == ""


def test_both_ends_of_a_range_are_converted_on_both_bases(january_2025_rates):
    ranged = figure(
        amount=Decimal("60000000000"),
        amount_high=Decimal("65000000000"),
        qualifier=Qualifier.RANGE,
        currency="EUR",
        announced_on=date(2025, 1, 24),
    )

    assert ranged.amount_usd_at_announcement == Decimal("62832000000.00")  # x 1.0472
    assert ranged.amount_high_usd_at_announcement == Decimal("68068000000.00")
    assert ranged.fx_date_latest == date(2025, 1, 31)
    latest_rate = ExchangeRate.objects.get(provider="ecb_bundled", currency="USD", date=date(2025, 1, 31)).rate
    assert ranged.amount_high_usd_latest == (Decimal("65000000000") * latest_rate).quantize(Decimal("0.01"))


def test_pegged_riyals_convert_through_the_peg(january_2025_rates):
    saudi = figure(amount=Decimal("375000000000"), currency="SAR", announced_on=date(2025, 1, 11))

    assert saudi.amount_usd_at_announcement == Decimal("100000000000.00")
    assert saudi.fx_provider_at_announcement == "peg"
    assert saudi.fx_date_at_announcement == date(2025, 1, 11)


def test_sql_recompute_agrees_with_the_conversion_service(january_2025_rates):
    ExchangeRate.objects.create(
        provider="manual", base="USD", currency="TWD", date=date(2025, 1, 20), rate=Decimal("32.81")
    )
    cases = [
        ("CNY", date(2025, 1, 21), None),
        ("CNY", date(2025, 1, 19), None),
        ("JPY", date(2025, 1, 2), None),
        ("GBP", date(2025, 1, 31), Decimal("75000000000")),
        ("EUR", date(2025, 1, 13), None),
        ("AED", date(2025, 1, 5), None),
        ("TWD", date(2025, 1, 22), None),
        ("TWD", date(2025, 1, 29), None),
        ("KRW", date(2024, 11, 1), None),
        ("XAF", date(2025, 1, 21), None),
        ("USD", date(2025, 1, 21), Decimal("75000000000")),
    ]
    figures = [
        InvestmentFactory(
            amount=Decimal("50000000000"),
            amount_high=high,
            qualifier=Qualifier.RANGE if high else Qualifier.APPROXIMATELY,
            currency=currency,
            announced_on=day,
        )
        for currency, day, high in cases
    ]

    result = conversions_recompute(today=date(2025, 2, 3))

    assert result.investments == len(cases)
    for investment in figures:
        investment.refresh_from_db()
        for basis, on in (("at_announcement", investment.announced_on), ("latest", None)):
            expected = convert_to_usd(
                amount=investment.amount,
                amount_high=investment.amount_high,
                currency=investment.currency,
                on=on,
                today=date(2025, 2, 3),
            )
            stored = (
                getattr(investment, f"amount_usd_{basis}"),
                getattr(investment, f"amount_high_usd_{basis}"),
                getattr(investment, f"fx_rate_{basis}"),
                getattr(investment, f"fx_date_{basis}"),
                getattr(investment, f"fx_provider_{basis}"),
                getattr(investment, f"fx_note_{basis}"),
            )
            assert stored == (
                expected.amount_usd,
                expected.amount_high_usd,
                expected.rate,
                expected.rate_date,
                expected.provider,
                expected.note,
            ), f"{investment.currency} {investment.announced_on} {basis}"


def test_the_latest_usd_value_changes_when_new_rates_land(january_2025_rates, today_is):
    chips = figure(amount=RMB_40BN, currency="CNY", announced_on=BYTEDANCE_DAY)
    before = chips.amount_usd_latest
    today_is(date(2025, 2, 3))
    rows = [  # the ECB's rates of 3 February 2025
        RateRow("EUR", "USD", date(2025, 2, 3), Decimal("1.0274")),
        RateRow("EUR", "CNY", date(2025, 2, 3), Decimal("7.45")),
    ]

    rates_store(provider=RateProvider.ECB, rows=rows)
    conversions_recompute_all()

    chips.refresh_from_db()
    assert chips.amount_usd_latest != before
    assert chips.amount_usd_latest == (RMB_40BN * Decimal("1.0274") / Decimal("7.45")).quantize(Decimal("0.01"))
    assert (chips.fx_date_latest, chips.fx_provider_latest) == (date(2025, 2, 3), "ecb")
    # The announcement-date conversion is history and does not move.
    assert chips.amount_usd_at_announcement == Decimal("5491298066.09")


def test_a_refresh_recomputes_the_conversions_through_the_setting(
    january_2025_rates, today_is, django_capture_on_commit_callbacks
):
    chips = InvestmentFactory(amount=RMB_40BN, currency="CNY", announced_on=date(2025, 2, 3))
    today_is(date(2025, 2, 3))

    with django_capture_on_commit_callbacks(execute=True):
        run = rates_refresh(provider=RateProvider.ECB_BUNDLED)

    assert run.rows_written > 0
    chips.refresh_from_db()
    assert chips.fx_date_at_announcement == date(2025, 2, 3)
    assert chips.amount_usd_at_announcement == (RMB_40BN * Decimal("1.0274") / Decimal("7.45")).quantize(
        Decimal("0.01")
    )
    run.refresh_from_db()
    assert run.conversions_updated_at is not None
    assert rate_changes_pending() == []


def test_recompute_does_not_write_change_history(january_2025_rates):
    chips = figure(amount=RMB_40BN, currency="CNY", announced_on=BYTEDANCE_DAY)
    versions = chips.history.count()

    conversions_recompute()

    assert chips.history.count() == versions


def test_investment_convert_touches_only_that_figure(january_2025_rates):
    mine = InvestmentFactory(amount=RMB_40BN, currency="CNY", announced_on=BYTEDANCE_DAY)
    other = InvestmentFactory(amount=RMB_40BN, currency="CNY", announced_on=BYTEDANCE_DAY)

    assert investment_convert(investment_id=mine.pk) is True

    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.amount_usd_at_announcement == Decimal("5491298066.09")
    assert other.amount_usd_at_announcement is None and other.fx_note_at_announcement == ""


def test_investment_convert_follows_an_edit_of_the_amount_currency_or_date(january_2025_rates):
    chips = figure(amount=RMB_40BN, currency="CNY", announced_on=BYTEDANCE_DAY)

    Investment.objects.filter(pk=chips.pk).update(currency="USD", amount=Decimal("5500000000"))
    investment_convert(investment_id=chips.pk)

    chips.refresh_from_db()
    assert chips.amount_usd_at_announcement == Decimal("5500000000")
    assert chips.fx_provider_at_announcement == ""


def test_investment_convert_is_safe_for_an_unknown_id():
    assert investment_convert(investment_id=987654321) is False


def test_recompute_of_a_set_of_figures_in_chunks(january_2025_rates):
    figures = InvestmentFactory.create_batch(3, amount=RMB_40BN, currency="CNY", announced_on=BYTEDANCE_DAY)

    result = conversions_recompute(investment_ids=[f.pk for f in figures] + [987654321])

    assert result.investments == 3
    assert Investment.objects.filter(amount_usd_at_announcement=Decimal("5491298066.09")).count() == 3


def test_recompute_task_reports_what_it_did(january_2025_rates):
    InvestmentFactory(amount=RMB_40BN, currency="CNY", announced_on=BYTEDANCE_DAY)
    InvestmentFactory(amount=Decimal("1"), currency="TWD", announced_on=BYTEDANCE_DAY)

    outcome = recompute_conversions.apply().get()

    assert outcome["status"] == "succeeded"
    assert outcome["investments"] == 2
    assert outcome["not_converted_at_announcement"] == 1


def test_an_overlapping_recompute_is_skipped_and_the_rates_stay_pending(january_2025_rates, lock_held_elsewhere):
    chips = InvestmentFactory(amount=RMB_40BN, currency="CNY", announced_on=BYTEDANCE_DAY)
    run = RateRefresh.objects.create(
        provider="ecb_bundled", started_at=chips.created_at, status="succeeded", rows_written=10
    )
    lock_held_elsewhere("capex:recompute-conversions")

    outcome = recompute_conversions.apply().get()

    assert outcome == {"status": "skipped"}
    chips.refresh_from_db()
    assert chips.amount_usd_at_announcement is None
    assert rate_changes_pending() == [run.pk]


def test_rates_load_bundled_loads_the_whole_history_and_converts_every_figure(capsys):
    chips = InvestmentFactory(amount=RMB_40BN, currency="CNY", announced_on=BYTEDANCE_DAY)
    saudi = InvestmentFactory(amount=Decimal("3750000000"), currency="SAR", announced_on=date(2001, 9, 11))

    call_command("rates_load_bundled")
    call_command("rates_load_bundled")

    chips.refresh_from_db()
    saudi.refresh_from_db()
    assert chips.amount_usd_at_announcement == Decimal("5491298066.09")
    assert chips.fx_provider_latest == "ecb_bundled"
    assert saudi.amount_usd_at_announcement == Decimal("1000000000.00")
    assert ExchangeRate.objects.filter(provider="ecb_bundled", date=date(1999, 1, 4), currency="USD").exists()
    runs = RateRefresh.objects.filter(provider="ecb_bundled").order_by("started_at")
    assert [run.rows_written > 100000 for run in runs] == [True, False]
    output = capsys.readouterr().out
    assert "0 new rows" in output


@pytest.mark.skipif(connection.vendor != "postgresql", reason="page layout and heap-only updates are PostgreSQL's")
def test_a_full_recompute_rewrites_figures_in_their_pages_without_touching_the_indexes(january_2025_rates):
    """
    A recompute changes no indexed column, and the figures' pages keep room for a second version
    of each row (migration 0008), so PostgreSQL updates every row in place: heap-only updates,
    no new entries in the table's twelve indexes. On full pages most updates were not.
    """
    company = InvestmentFactory().company
    Investment.objects.bulk_create(
        Investment(
            company=company,
            title=f"Data centre campus {n}",
            description="A campus of data centres for training and inference. " * 6,
            announced_on=BYTEDANCE_DAY,
            amount=Decimal("1000000000") + n,
            currency="CNY" if n % 2 else "USD",
        )
        for n in range(400)
    )

    result = conversions_recompute(today=date(2025, 2, 3))

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_stat_get_xact_tuples_updated(%s::regclass), pg_stat_get_xact_tuples_hot_updated(%s::regclass)",
            [Investment._meta.db_table] * 2,
        )
        updated, in_place = cursor.fetchone()
    assert result.investments == 401
    assert updated >= 401
    assert in_place == updated


@pytest.fixture
def today_is(monkeypatch):
    from django.utils import timezone

    def set_today(day: date) -> None:
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)

    return set_today


@pytest.mark.skipif(connection.vendor != "postgresql", reason="VACUUM and the visibility map are PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_after_a_full_recompute_the_figures_are_vacuumed(january_2025_rates):
    """The recompute leaves every figure with a dead former version; it vacuums them at once."""
    figures = [InvestmentFactory(amount=RMB_40BN, currency="CNY", announced_on=BYTEDANCE_DAY) for _ in range(3)]

    def visible_pages() -> tuple[int, int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT relallvisible, relpages FROM pg_class WHERE oid = %s::regclass", [Investment._meta.db_table]
            )
            return cursor.fetchone()

    conversions_recompute_all(today=date(2025, 2, 3))

    all_visible, pages = visible_pages()
    assert pages >= 1
    assert all_visible == pages  # VACUUM set every page all-visible again, as the updates had cleared them
    converted = Investment.objects.get(pk=figures[0].pk)
    assert converted.amount_usd_at_announcement == Decimal("5491298066.09")
