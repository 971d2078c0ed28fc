"""
Benchmark of the full recompute that new rates start: the USD conversions of every figure, then
the rebuild of the stored slices that totals are summed from (`conversions_recompute_all`), on
the synthetic data set that `bench/run` loads, with its components, ranges and currencies.

    DATABASE_URL=postgres://USER@HOST:5432/capex_bench_large \
    SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))') ALLOWED_HOSTS=localhost \
        .venv/bin/python bench/recompute_benchmark.py --repeat 3

It rewrites derived data only (conversions and slices, to the same values when no rate changed),
so it can run on the benchmark database between `bench/run` runs. It prints Markdown for
BENCHMARKS.md. Timings are wall-clock seconds on this machine; nothing here asserts a time.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from rates_benchmark import machine  # noqa: E402

from capex import conversions  # noqa: E402
from capex.models import FigureSlice, Investment  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="How many full recomputes to time.")
    args = parser.parse_args()

    figures = Investment.objects.count()
    if not figures:
        sys.exit("No figures here: point DATABASE_URL at the database bench/run loads (bench/run --size large).")

    # The two steps of conversions_recompute_all, timed apart by wrapping the rebuild it calls.
    rebuild = conversions.slices_refresh
    phases: dict[str, list[float]] = {"conversions (and VACUUM of the figures)": [], "slices": [], "in all": []}

    def timed_rebuild() -> int:
        started = time.perf_counter()
        try:
            return rebuild()
        finally:
            phases["slices"].append(time.perf_counter() - started)

    conversions.slices_refresh = timed_rebuild
    try:
        for run in range(1, args.repeat + 1):
            started = time.perf_counter()
            outcome = conversions.conversions_recompute_all()
            if outcome is None:
                sys.exit("Another full recompute holds the lock; try again when it is done.")
            total = time.perf_counter() - started
            phases["in all"].append(total)
            phases["conversions (and VACUUM of the figures)"].append(total - phases["slices"][-1])
            print(f"  run {run}: {total:.1f} s", file=sys.stderr)
    finally:
        conversions.slices_refresh = rebuild

    layout = ""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT reloptions FROM pg_class WHERE relname = %s", [Investment._meta.db_table])
            layout = f"; figures' table options: {cursor.fetchone()[0] or 'none'}"
    print(f"Machine: {machine()}{layout}")
    print()
    print(f"{figures:,} figures, {FigureSlice.objects.count():,} slices; {args.repeat} full recomputes")
    print()
    print("| step | median s | runs (s) |")
    print("| --- | ---: | --- |")
    for name, seconds in phases.items():
        runs = ", ".join(f"{value:.1f}" for value in seconds)
        print(f"| {name} | {statistics.median(seconds):.1f} | {runs} |")


if __name__ == "__main__":
    main()
