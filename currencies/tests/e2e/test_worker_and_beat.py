"""
End to end, with the processes docker-compose runs: Redis as broker, a Celery worker and Celery
beat as subprocesses, PostgreSQL, and a local server publishing ECB-format files at ECB_BASE_URL.

1. Beat's scheduled refresh runs in the worker, stores the new day's rates, and the recompute it
   starts moves a figure's latest-rate USD value in the database.
2. The worker is killed with SIGKILL in the middle of a recompute: no figure is half-updated, and
   once a worker runs again the result is complete, with nothing duplicated.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from bench.rates_figures import insert_figures
from capex.conversions import conversions_recompute
from capex.models import Investment
from companies.models import Company
from currencies.models import ExchangeRate, RateRefresh
from currencies.parsers import parse_ecb_xml
from currencies.services import rates_store
from currencies.tests.conftest import fixture_bytes
from currencies.tests.e2e.conftest import needs_services, other_backends, wait_until

pytestmark = [pytest.mark.e2e, needs_services, pytest.mark.django_db(transaction=True)]

RMB_40BN = Decimal("40000000000")
# The ECB's rates of 21 and 24 January 2025, published here as the two newest days.
OLDER_DAY_RATES = {"USD": "1.0357", "JPY": "161.26", "GBP": "0.84553", "CNY": "7.5443", "HKD": "8.0636"}
NEWER_DAY_RATES = {"USD": "1.0472", "JPY": "163.9", "GBP": "0.84413", "CNY": "7.5891", "HKD": "8.1559"}
# Enough figures that the recompute takes seconds, so the worker can be killed in the middle of it.
MANY_FIGURES = 300_000
ENVELOPE = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" '
    'xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">\n'
    "\t<gesmes:subject>Reference rates</gesmes:subject>\n"
    "\t<gesmes:Sender><gesmes:name>European Central Bank</gesmes:name></gesmes:Sender>\n"
    "\t<Cube>\n{days}\t</Cube>\n</gesmes:Envelope>\n"
)


def ecb_xml(days: dict[date, dict[str, str]]) -> bytes:
    cubes = ""
    for day, rates in sorted(days.items(), reverse=True):
        cubes += f"\t\t<Cube time='{day.isoformat()}'>\n"
        cubes += "".join(f"\t\t\t<Cube currency='{code}' rate='{rate}'/>\n" for code, rate in rates.items())
        cubes += "\t\t</Cube>\n"
    return ENVELOPE.format(days=cubes).encode()


def newest_publication_days() -> tuple[date, date]:
    """The last two weekdays up to today: the day already stored, and the day to be published."""
    newer = timezone.localdate()
    while newer.weekday() >= 5:
        newer -= timedelta(days=1)
    older = newer - timedelta(days=1)
    while older.weekday() >= 5:
        older -= timedelta(days=1)
    return older, newer


def publish_and_store(ecb_server) -> tuple[date, date]:
    """
    Store January 2025 and the older day as earlier refreshes would have; publish the older and
    the newer day in the ECB's daily and 90-day documents.
    """
    older, newer = newest_publication_days()
    january = parse_ecb_xml(fixture_bytes("eurofxref-hist-90d.xml"))
    rates_store(provider="ecb", rows=january + parse_ecb_xml(ecb_xml({older: OLDER_DAY_RATES})))
    ecb_server.publish("eurofxref-daily.xml", ecb_xml({newer: NEWER_DAY_RATES}))
    ecb_server.publish("eurofxref-hist-90d.xml", ecb_xml({older: OLDER_DAY_RATES, newer: NEWER_DAY_RATES}))
    return older, newer


def in_usd(amount: Decimal, rates: dict[str, str]) -> Decimal:
    return (amount * Decimal(rates["USD"]) / Decimal(rates["CNY"])).quantize(Decimal("0.01"))


def test_a_scheduled_refresh_in_the_worker_moves_the_latest_usd_value(ecb_server, celery_processes):
    bytedance = Company.objects.create(name="ByteDance", slug="bytedance", country="CN")
    chips = Investment.objects.create(
        company=bytedance,
        title="AI chips in China in 2025",
        announced_on=date(2025, 1, 21),
        amount=RMB_40BN,
        currency="CNY",
    )
    older, newer = publish_and_store(ecb_server)
    conversions_recompute()
    chips.refresh_from_db()
    assert (chips.fx_date_latest, chips.amount_usd_latest) == (older, in_usd(RMB_40BN, OLDER_DAY_RATES))

    celery_processes.worker()
    celery_processes.beat()
    wait_until(
        lambda: Investment.objects.filter(pk=chips.pk, fx_date_latest=newer).exists(),
        timeout=120,
        what=f"the worker to store the rates of {newer} and recompute the figure",
    )

    chips.refresh_from_db()
    assert chips.amount_usd_latest == in_usd(RMB_40BN, NEWER_DAY_RATES)
    assert chips.amount_usd_latest != in_usd(RMB_40BN, OLDER_DAY_RATES)
    assert (chips.fx_provider_latest, chips.fx_note_latest) == ("ecb", "")
    # The announcement-date value is history: the new day does not move it.
    assert chips.amount_usd_at_announcement == Decimal("5491298066.09")
    run = RateRefresh.objects.get(provider="ecb", rows_written__gt=0)
    assert (run.status, run.rows_written, run.newest_rate_date) == ("succeeded", 5, newer)
    assert run.conversions_updated_at is not None
    assert set(ExchangeRate.objects.filter(date=newer, provider="ecb").values_list("currency", flat=True)) == set(
        NEWER_DAY_RATES
    )
    assert any(path.startswith("/stats/eurofxref/eurofxref-") for path in ecb_server.requests)
    assert "currencies.tasks.refresh_rates" in celery_processes.log("worker")
    assert "capex.tasks.recompute_conversions" in celery_processes.log("worker")


def test_a_worker_killed_mid_recompute_leaves_no_partial_result_and_a_restart_completes_it(
    ecb_server, celery_processes
):
    company = Company.objects.create(name="Generated", slug="generated", country="CN")
    days = [date(2025, 1, 16) + timedelta(days=n) for n in range(9)]
    insert_figures(count=MANY_FIGURES, company=company, currencies=["CNY"], days=days, amount_step=Decimal("1000"))
    older, newer = publish_and_store(ecb_server)
    conversions_recompute()
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Investment._meta.db_table}")  # as autovacuum would after a bulk load
    assert Investment.objects.filter(fx_date_latest=older).count() == MANY_FIGURES

    worker = celery_processes.worker()
    celery_processes.beat()
    wait_until(
        lambda: RateRefresh.objects.filter(provider="ecb", rows_written__gt=0).exists(),
        timeout=120,
        what=f"the scheduled refresh to store the rates of {newer}",
    )
    # The worker runs one task at a time: the next recompute it starts is one that sees them.
    recompute_backend = wait_until(
        recompute_running, timeout=120, interval=0.02, what="the worker to start recomputing the conversions"
    )
    celery_processes.kill(worker)

    # Nothing half-written: the interrupted transaction is never seen, then rolled back.
    assert not Investment.objects.filter(fx_date_latest=newer).exists()
    wait_until(
        lambda: recompute_backend not in other_backends(), timeout=180, what="the killed worker's session to end"
    )
    assert Investment.objects.filter(fx_date_latest=older).count() == MANY_FIGURES
    new_rates = RateRefresh.objects.get(provider="ecb", rows_written__gt=0)
    assert new_rates.conversions_updated_at is None  # still pending: no recompute has seen them

    celery_processes.worker("worker-restarted")
    wait_until(
        lambda: Investment.objects.filter(fx_date_latest=newer).count() == MANY_FIGURES,
        timeout=300,
        interval=1,
        what="a recompute in the restarted worker to convert every figure at the new rates",
    )

    assert Investment.objects.count() == MANY_FIGURES
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM capex_investment "
            "WHERE amount_usd_latest IS DISTINCT FROM ROUND(amount * %s / %s, 2) OR fx_note_latest <> ''",
            [Decimal(NEWER_DAY_RATES["USD"]), Decimal(NEWER_DAY_RATES["CNY"])],
        )
        assert cursor.fetchone()[0] == 0, "every figure converted at the new rate, none left behind"
    duplicates = (
        ExchangeRate.objects.values("provider", "base", "currency", "date").annotate(n=Count("id")).filter(n__gt=1)
    )
    assert not duplicates.exists()
    assert ExchangeRate.objects.filter(provider="ecb", date=newer).count() == len(NEWER_DAY_RATES)
    new_rates.refresh_from_db()
    assert new_rates.conversions_updated_at is not None


def recompute_running() -> int | None:
    """The database session of another process that is executing the recompute's UPDATE, if any."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND state = 'active' AND query LIKE %s",
            ["%UPDATE capex_investment SET%"],
        )
        row = cursor.fetchone()
    return row[0] if row else None
