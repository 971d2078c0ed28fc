#!/usr/bin/env python3
"""
A full slice rebuild while readers sum the slices, on PostgreSQL: the rebuild swaps the table
(capex.services.slices), so this checks that no reader sees an error or an empty table, and how
long the longest read waited for the swap.

Four threads read a company's total from `capex_figureslice` in a loop, two of them through
server-side prepared statements (as the app does after a statement's fifth run), while
`slices_refresh()` runs in this process. Run it against a database with slices, e.g. the
benchmark's:

    DATABASE_URL=postgres://USER@HOST:5432/capex_bench_large \\
    SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))') ALLOWED_HOSTS=localhost \\
        .venv/bin/python scripts/load/rebuild_under_reads.py

Prints one RESULT line of JSON, for RELIABILITY.md; exits 1 if a read failed or came back empty.
"""

import json
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

import psycopg  # noqa: E402
from django.db import connection  # noqa: E402

from capex.models import FigureSlice  # noqa: E402
from capex.services.slices import slices_refresh  # noqa: E402

READERS = 4


def conninfo() -> str:
    settings = connection.settings_dict
    parts = {
        "dbname": settings["NAME"],
        "user": settings["USER"],
        "password": settings["PASSWORD"],
        "host": settings["HOST"],
        "port": settings["PORT"],
    }
    return " ".join(f"{key}={value}" for key, value in parts.items() if value)


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("This checks PostgreSQL's table swap: set DATABASE_URL to a PostgreSQL database with slices.")
    company_id = FigureSlice.objects.values_list("company_id", flat=True).first()
    if company_id is None:
        sys.exit("No slices here: load a data set first (bench/run --size small, or generate_synthetic_data).")
    table = connection.ops.quote_name(FigureSlice._meta.db_table)
    query = f"SELECT COUNT(*), SUM(point_mills) FROM {table} WHERE basis = %s AND company_id = %s"  # noqa: S608
    stop = threading.Event()
    reads = [0] * READERS
    failures: list[str] = []
    longest = [0.0] * READERS

    def read(number: int) -> None:
        prepare = 0 if number % 2 == 0 else None  # 0: prepare every statement; None: never
        with psycopg.connect(conninfo(), autocommit=True, prepare_threshold=prepare) as reader:
            while not stop.is_set():
                started = time.perf_counter()
                try:
                    rows, _ = reader.execute(query, ["announcement", company_id]).fetchone()
                    if rows == 0:
                        failures.append("a read found no slices")
                    reads[number] += 1
                except psycopg.Error as error:
                    failures.append(f"{type(error).__name__}: {error}"[:200])
                longest[number] = max(longest[number], time.perf_counter() - started)

    threads = [threading.Thread(target=read, args=(number,)) for number in range(READERS)]
    for thread in threads:
        thread.start()
    time.sleep(2)
    started = time.perf_counter()
    written = slices_refresh()
    rebuild_seconds = time.perf_counter() - started
    time.sleep(2)
    stop.set()
    for thread in threads:
        thread.join()

    result = {
        "slices": written,
        "rebuild_seconds": round(rebuild_seconds, 1),
        "reads": sum(reads),
        "failed_reads": len(failures),
        "failures": sorted(set(failures))[:5],
        "longest_read_seconds": round(max(longest), 3),
    }
    print("RESULT " + json.dumps(result))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
