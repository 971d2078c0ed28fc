"""
Benchmark of the currency jobs: loading the whole bundled ECB history, and recomputing the USD
conversions of many figures (a million by default) with the set-based SQL.

Run it against a scratch database (it refuses one that already holds figures or rates unless
--reset, which deletes them):

    DATABASE_URL=postgres://USER@HOST:5432/capex_bench \
    SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))') ALLOWED_HOSTS=localhost \
        .venv/bin/python bench/rates_benchmark.py --figures 1000000

It prints Markdown for BENCHMARKS.md. Timings are wall-clock seconds on this machine; nothing here
is a test and nothing asserts a time.
"""

import argparse
import os
import platform
import statistics
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from rates_figures import insert_figures  # noqa: E402

from capex.conversions import conversions_recompute_all, investment_convert  # noqa: E402
from capex.models import Investment  # noqa: E402
from companies.models import Company  # noqa: E402
from currencies.choices import RateProvider  # noqa: E402
from currencies.models import ExchangeRate, RateRefresh  # noqa: E402
from currencies.services import rates_refresh  # noqa: E402

# A realistic mix: mostly dollars, the ECB currencies figures are announced in, a peg, and one
# currency no provider covers (so "not converted" rows are part of the work).
CURRENCIES = ["USD", "USD", "USD", "CNY", "EUR", "JPY", "GBP", "KRW", "INR", "SAR", "TWD", "HKD"]


def timed(label: str, results: list[tuple[str, float]]):
    class Timer:
        def __enter__(self):
            self.started = time.perf_counter()
            return self

        def __exit__(self, *exc):
            self.seconds = time.perf_counter() - self.started
            results.append((label, self.seconds))
            print(f"  {label}: {self.seconds:.2f} s", file=sys.stderr)

    return Timer()


def machine() -> str:
    memory_kb = 0
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_kb = int(line.split()[1])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            cursor.execute("SELECT sqlite_version()")
            database = f"SQLite {cursor.fetchone()[0]}"
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return (
        f"nproc {os.cpu_count()}, memory {memory_kb / 1024 / 1024:.1f} GiB, {platform.machine()}, "
        f"Python {platform.python_version()}, {database}; load average {load} (other work shares the machine)"
    )


def analyze() -> None:
    """What autovacuum would do shortly after a bulk load; a planner without statistics guesses."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Investment._meta.db_table}")


def reset() -> None:
    """Empty the tables the benchmark fills, in SQL: deleting a million figures through the ORM
    would write a million history rows first."""
    tables = [m2m.remote_field.through._meta.db_table for m2m in Investment._meta.local_many_to_many]
    tables += [rel.related_model._meta.db_table for rel in Investment._meta.related_objects if rel.one_to_many]
    tables += [Investment._meta.db_table, ExchangeRate._meta.db_table, RateRefresh._meta.db_table]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(dict.fromkeys(tables))} CASCADE")
        else:
            for table in dict.fromkeys(tables):
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (table names from the models)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--figures", type=int, default=1_000_000, help="How many figures to generate.")
    parser.add_argument("--repeat", type=int, default=3, help="How many times to time the full recompute.")
    parser.add_argument("--reset", action="store_true", help="Delete the figures and rates already there.")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    if Investment.objects.exists() or ExchangeRate.objects.exists():
        if not args.reset:
            sys.exit("The database already holds figures or rates; use a scratch database or pass --reset.")
        reset()

    results: list[tuple[str, float]] = []
    print(f"Machine: {machine()}", file=sys.stderr)

    with timed("Load the whole bundled ECB history (empty table)", results):
        bundled = rates_refresh(provider=RateProvider.ECB_BUNDLED, full=True, notify=False)
    with timed("Load the pegs since 1999", results):
        pegs = rates_refresh(provider=RateProvider.PEG, full=True, notify=False)
    with timed("Load the bundled history again (idempotent, nothing new)", results):
        again = rates_refresh(provider=RateProvider.ECB_BUNDLED, full=True, notify=False)
    rows_note = f"{bundled.rows_written:,} + {pegs.rows_written:,} rows, then {again.rows_written} new"

    company, _ = Company.objects.get_or_create(
        slug="benchmark-company", defaults={"name": "Benchmark", "country": "US"}
    )
    days = [date(2000, 1, 3) + (date(2026, 10, 30) - date(2000, 1, 3)) * k / 997 for k in range(997)]
    with timed(f"Generate {args.figures:,} figures (one INSERT ... SELECT)", results):
        insert_figures(
            count=args.figures, company=company, currencies=CURRENCIES, days=days, amount_step=Decimal("1000")
        )
    analyze()

    recompute_times = []
    for attempt in range(1, args.repeat + 1):
        with timed(f"Recompute all conversions, run {attempt}", results) as timer:
            outcome = conversions_recompute_all()
        recompute_times.append(timer.seconds)
    assert outcome is not None

    ids = list(Investment.objects.order_by("?").values_list("id", flat=True)[:100])
    with timed("Recompute one figure (investment_convert), 100 calls", results):
        for investment_id in ids:
            investment_convert(investment_id=investment_id)

    print()
    print(f"Machine: {machine()}")
    print()
    print("| step | seconds |")
    print("| --- | ---: |")
    for label, seconds in results:
        print(f"| {label} | {seconds:.2f} |")
    print()
    print(f"Rates stored: {rows_note}.")
    print(
        f"Recompute of {outcome.investments:,} figures: median {statistics.median(recompute_times):.2f} s; "
        f"{outcome.not_converted_at_announcement:,} not converted at the announcement date and "
        f"{outcome.not_converted_latest:,} at the latest rate (TWD has no provider, plus dates outside the "
        "ECB history)."
    )


if __name__ == "__main__":
    main()
