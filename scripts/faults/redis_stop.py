#!/usr/bin/env python3
"""
Fault: Redis stopped while the site is in use, then started again.

Starts its own PostgreSQL cluster (FAULT_PG_PORT, default 25433) and redis-server (FAULT_REDIS_PORT,
default 26379), then the web process, a Celery worker and Celery beat with the production
environment; beat refreshes the rates every RATES_REFRESH_INTERVAL_SECONDS (10 s here).

Holds when, with Redis stopped for 35 s (three refreshes due meanwhile): pages and the API keep
answering 200 (the cache fails open with 1 s socket timeouts) while /readyz says 503; saving a
figure through the API answers 201 without waiting on Redis; and once Redis is back, the worker
and beat resume on their own and the missed refresh runs once: in the 25 s after Redis is back
at most the missed refresh and two regular ones run (a replay of the three missed ticks would
make five), all succeeding. Cleans up what it started, by PID.

    .venv/bin/python scripts/faults/redis_stop.py
"""

import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from stack import (
    ROOT,
    VENV_BIN,
    Load,
    Postgres,
    Processes,
    Redis,
    app_env,
    free_port,
    http_status,
    log,
    percentile,
    port_setting,
    prepare_database,
    report,
    wait_for,
)

PATHS = ["/", "/companies/", "/companies/bytedance/", "/explore/", "/api/v1/investments/", "/api/v1/stats/", "/readyz"]
INTERVAL = 10
OUTAGE = 35
# After Redis is back: long enough for the missed refresh and two regular ones, no more.
WATCH = 25


def refreshes(pg: Postgres) -> list[tuple[int, float, str]]:
    """(id, started_at as epoch seconds, status) of the scheduled feed's refreshes."""
    out = subprocess.run(  # noqa: S603
        [  # noqa: S607
            "psql", "-h", "127.0.0.1", "-p", str(pg.port), "-U", "postgres", "-d", "capex", "-Atc",
            "SELECT id, extract(epoch FROM started_at), status FROM currencies_raterefresh "
            "WHERE provider = 'ecb_bundled' ORDER BY id",
        ],
        capture_output=True, text=True, check=True, timeout=30,
    ).stdout  # fmt: skip
    rows = []
    for line in out.splitlines():
        ident, started, status = line.split("|")
        rows.append((int(ident), float(started), status))
    return rows


def api_token(env: dict) -> str:
    code = (
        "from django.contrib.auth import get_user_model\n"
        "from knox.models import AuthToken\n"
        "user = get_user_model().objects.create_superuser('fault', 'fault@example.org', 'fault-pass-phrase-1')\n"
        "print(AuthToken.objects.create(user=user)[1])\n"
    )
    result = subprocess.run(  # noqa: S603
        [str(VENV_BIN / "python"), "manage.py", "shell", "-c", code],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    return result.stdout.strip().splitlines()[-1]


def save_figure(base: str, token: str, source_id: int) -> tuple[int, float]:
    body = json.dumps(
        {
            "company": "bytedance",
            "title": "Saved while Redis is down",
            "announced_on": "2025-03-01",
            "amount": "1000000000",
            "currency": "USD",
            "qualifier": "approximately",
            "citations": [{"source": source_id, "quote": "plans to invest", "locator": "p. 1"}],
        }
    ).encode()
    request = urllib.request.Request(  # noqa: S310 (loopback)
        base + "/api/v1/investments/",
        data=body,
        headers={"Content-Type": "application/json", "Authorization": f"Token {token}"},
    )
    begin = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
        print(exc.read()[:500])
    return status, time.monotonic() - begin


def main() -> None:
    processes = Processes()
    logs = Path(tempfile.mkdtemp(prefix="capex-fault-logs-"))
    try:
        pg = Postgres(processes, port_setting("FAULT_PG_PORT", 25433))
        redis = Redis(processes, port_setting("FAULT_REDIS_PORT", 26379), logs / "redis.log")
        log(f"PostgreSQL on {pg.port} and Redis on {redis.port}, both our own")
        pg.init()
        pg.create_database("capex")
        redis.start()
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = app_env(
            DATABASE_URL=pg.url("capex"),
            REDIS_URL=redis.url(0),
            GUNICORN_BIND=f"127.0.0.1:{port}",
            RATES_REFRESH_INTERVAL_SECONDS=str(INTERVAL),
            CELERY_BEAT_SCHEDULE_FILE=str(logs / "celerybeat-schedule"),
            CELERY_LOG_LEVEL="INFO",
        )
        log("Migrations, sample data, rates")
        prepare_database(env)
        token = api_token(env)
        source_id = int(
            subprocess.run(  # noqa: S603
                ["psql", "-h", "127.0.0.1", "-p", str(pg.port), "-U", "postgres", "-d", "capex", "-Atc",  # noqa: S607
                 "SELECT source_id FROM capex_citation LIMIT 1"],
                capture_output=True, text=True, check=True,
            ).stdout.strip()
        )  # fmt: skip
        processes.start(["bin/web"], env=env, log_path=logs / "web.log")
        processes.start(["bin/worker"], env=env, log_path=logs / "worker.log")
        processes.start(["bin/beat"], env=env, log_path=logs / "beat.log")
        wait_for(lambda: http_status(base + "/readyz") == 200, timeout=60, what="/readyz 200")
        log("Waiting for a first scheduled refresh (worker and beat working)")
        wait_for(lambda: any(r[2] != "running" for r in refreshes(pg)), timeout=INTERVAL * 3, what="first refresh")

        load = Load(base, PATHS, threads=3).start()
        time.sleep(3)
        down_at = load.now()
        log("Stopping Redis")
        redis.stop()
        time.sleep(3)
        save_status, save_seconds = save_figure(base, token, source_id)
        log(f"Figure saved with Redis down: {save_status} in {save_seconds:.2f} s")
        time.sleep(OUTAGE - 3)
        log("Starting Redis again")
        restart_at = load.now()
        redis.start()
        up_at = load.now()
        up_epoch = time.time()
        time.sleep(5)
        samples = load.stop()
        # Requests that started after the stop settled and finished before the restart began.
        during = [s for s in samples if down_at + 2 < s.at and s.at + s.latency < restart_at]
        # Everything but /readyz, which rightly says 503 while Redis is down.
        served = [s for s in during if s.path != "/readyz"]
        ready_during = {s.status for s in during if s.path == "/readyz"}

        log("Waiting for the missed refresh")
        wait_for(
            lambda: any(r[1] >= up_epoch - 1 and r[2] != "running" for r in refreshes(pg)),
            timeout=INTERVAL * 3,
            what="a refresh after Redis came back",
        )
        first_after = min(r[1] for r in refreshes(pg) if r[1] >= up_epoch - 1)
        time.sleep(max(0.0, up_epoch + WATCH + 3 - time.time()))
        burst = [r for r in refreshes(pg) if up_epoch - 1 <= r[1] < up_epoch + WATCH]
        during_outage = [r for r in refreshes(pg) if up_epoch - (up_at - down_at) < r[1] < up_epoch - 1]

        result = {
            "requests_while_down": len(served),
            "errors_while_down": sum(s.status != 200 for s in served),
            "p50_ms_while_down": round(percentile([s.latency for s in served], 0.5) * 1000, 1),
            "p99_ms_while_down": round(percentile([s.latency for s in served], 0.99) * 1000, 1),
            "readyz_while_down": sorted(ready_during),
            "save_figure_status": save_status,
            "save_figure_seconds": round(save_seconds, 2),
            "refreshes_started_while_down": len(during_outage),
            "refresh_after_back_seconds": round(first_after - up_epoch, 1),
            "refreshes_in_25s_after_back": len(burst),
            "refresh_after_back_status": [r[2] for r in burst],
            "readyz_after_back": http_status(base + "/readyz"),
        }
        ok = (
            result["errors_while_down"] == 0
            and served
            and ready_during == {503}
            and save_status == 201
            and save_seconds < 10
            and result["refreshes_started_while_down"] == 0
            and 1 <= len(burst) <= WATCH // INTERVAL + 1
            and all(r[2] == "succeeded" for r in burst)
            and result["readyz_after_back"] == 200
        )
        if not ok:
            for name in ("web", "worker", "beat"):
                print(f"--- {name} log\n" + (logs / f"{name}.log").read_text()[-3000:])
        report("redis_stop", result, ok=bool(ok))
    finally:
        processes.stop_all()


if __name__ == "__main__":
    main()
