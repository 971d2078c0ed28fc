#!/usr/bin/env python3
"""
Load with wrk on loopback, bounded in time (about 9 minutes in all).

Starts its own PostgreSQL cluster (LOAD_PG_PORT, default 25435) and redis-server (LOAD_REDIS_PORT,
default 26381), then the web process exactly as production runs it (bin/web, gunicorn.conf.py,
WEB_CONCURRENCY workers) with the sample data, and puts a mix of API and page requests on it
(scripts/load/mix.lua). Throttling is raised out of the way: this measures the server, not the
rate limits.

1. Maximum: closed-loop wrk at 8, 16 and 32 connections, 15 s each; the best rate is the maximum.
2. Soak: SOAK_SECONDS (300) at 70 % of the maximum, in 30 s windows. Holds when no request fails,
   the median p99 of the last three windows is within 20 % of the first three's, and the workers'
   memory (RSS, summed) grows less than 10 %.
3. Overload: 30 s at twice the maximum (twice the connections, no pause). Holds when the server
   does not crash (same master, /healthz 200) and every answer is 2xx, 429 or 503, and when it is
   back to normal (median latency within 1.5x the pre-load median) within 10 s after.

Prints one RESULT line of JSON with every figure, for RELIABILITY.md.

    .venv/bin/python scripts/load/soak.py
"""

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "faults"))

from stack import (
    Postgres,
    Processes,
    Redis,
    app_env,
    free_port,
    http_status,
    log,
    port_setting,
    prepare_database,
    report,
    wait_for,
)

LUA = Path(__file__).resolve().parent / "mix.lua"
SOAK_SECONDS = int(os.environ.get("SOAK_SECONDS", "300"))
WINDOW = 30


def wrk(base: str, *, connections: int, seconds: int, pause_ms: float = 0, threads: int = 2) -> dict:
    result = subprocess.run(  # noqa: S603
        ["wrk", f"-t{min(threads, connections)}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",  # noqa: S607
         "-s", str(LUA), base, "--", str(int(pause_ms))],
        capture_output=True, text=True, timeout=seconds + 60,
    )  # fmt: skip
    match = re.search(r"^WRKJSON (.*)$", result.stdout, re.MULTILINE)
    if match is None:
        raise RuntimeError(f"wrk gave no summary: {result.stdout}\n{result.stderr}")
    data = json.loads(match.group(1))
    data["rps"] = round(data["requests"] / data["seconds"], 1)
    data["errors"] = sum(data["socket_errors"].values()) + data["non_2xx"]
    return data


def worker_rss_kb(master: int) -> int:
    out = subprocess.run(  # noqa: S603
        ["ps", "-o", "rss=", "--ppid", str(master)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    return sum(int(value) for value in out.split())


def median_latency(url: str, samples: int = 7) -> float:
    latencies = []
    for _ in range(samples):
        begin = time.monotonic()
        http_status(url)
        latencies.append(time.monotonic() - begin)
    return statistics.median(latencies)


def main() -> None:
    processes = Processes()
    logs = Path(tempfile.mkdtemp(prefix="capex-load-logs-"))
    try:
        pg = Postgres(processes, port_setting("LOAD_PG_PORT", 25435))
        redis = Redis(processes, port_setting("LOAD_REDIS_PORT", 26381), logs / "redis.log")
        pg.init()
        pg.create_database("capex")
        redis.start()
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        workers = os.environ.get("WEB_CONCURRENCY", str(os.cpu_count() * 2 + 1))
        env = app_env(
            DATABASE_URL=pg.url("capex"),
            REDIS_URL=redis.url(0),
            GUNICORN_BIND=f"127.0.0.1:{port}",
            WEB_CONCURRENCY=workers,
        )
        log("Migrations, sample data, rates")
        prepare_database(env)
        web = processes.start(["bin/web"], env=env, log_path=logs / "web.log")
        wait_for(lambda: http_status(base + "/readyz") == 200, timeout=60, what="/readyz 200")
        probe = base + "/api/v1/investments/"
        wrk(base, connections=4, seconds=5)  # warm up every worker
        baseline_median = median_latency(probe)
        log(f"Baseline median latency {baseline_median * 1000:.1f} ms, {workers} workers")

        levels = {}
        for connections in (8, 16, 32):
            levels[connections] = wrk(base, connections=connections, seconds=15)
            log(f"Closed loop, {connections} connections: {levels[connections]['rps']} req/s, "
                f"p99 {levels[connections]['p99_ms']} ms, errors {levels[connections]['errors']}")  # fmt: skip
        best = max(levels, key=lambda c: levels[c]["rps"])
        maximum = levels[best]["rps"]
        target = 0.7 * maximum

        # 70 %: the best connection count, each pausing so that together they make the target rate.
        # Calibrated on short runs: each connection's cycle is its pause plus the latency at that rate.
        soak_connections = best
        pause_ms = soak_connections / target * 1000 / 2
        for _ in range(3):
            trial = wrk(base, connections=soak_connections, seconds=10, pause_ms=pause_ms)
            latency_ms = soak_connections / trial["rps"] * 1000 - pause_ms
            pause_ms = max(0.0, soak_connections / target * 1000 - latency_ms)
            log(f"Calibration: {trial['rps']} req/s; next pause {pause_ms:.0f} ms")
        log(f"Maximum {maximum} req/s at {best} connections; soak at {target:.0f} req/s (pause {pause_ms:.0f} ms)")
        windows = []
        rss = [worker_rss_kb(web.pid)]
        for _ in range(max(1, SOAK_SECONDS // WINDOW)):
            window = wrk(base, connections=soak_connections, seconds=WINDOW, pause_ms=pause_ms)
            windows.append(window)
            rss.append(worker_rss_kb(web.pid))
            log(f"Soak window: {window['rps']} req/s, p99 {window['p99_ms']} ms, errors {window['errors']}, "
                f"workers RSS {rss[-1] / 1024:.0f} MB")  # fmt: skip
        # Drift is a trend, not one noisy window: the median p99 of the first three windows against
        # the median of the last three.
        first_p99 = statistics.median(w["p99_ms"] for w in windows[:3])
        last_p99 = statistics.median(w["p99_ms"] for w in windows[-3:])
        p99_drift = (last_p99 - first_p99) / first_p99
        rss_growth = (rss[-1] - rss[0]) / rss[0]
        soak_errors = sum(w["errors"] for w in windows)

        log("Overload: twice the maximum")
        overload = wrk(base, connections=best * 2, seconds=30, threads=2)
        overload_end = time.monotonic()
        back_in = None
        while time.monotonic() - overload_end < 30:
            if median_latency(probe, samples=5) <= 1.5 * baseline_median:
                back_in = time.monotonic() - overload_end
                break
            time.sleep(0.2)
        alive = web.poll() is None and http_status(base + "/healthz") == 200
        overload_statuses = {int(k): v for k, v in overload["statuses"].items()}
        unexpected = {k: v for k, v in overload_statuses.items() if not (200 <= k < 300 or k in (429, 503))}

        result = {
            "workers": int(workers),
            "cpus": os.cpu_count(),
            "baseline_median_ms": round(baseline_median * 1000, 1),
            "max_rps": maximum,
            "max_at_connections": best,
            "levels": {c: {k: levels[c][k] for k in ("rps", "p50_ms", "p99_ms", "errors")} for c in levels},
            "soak_seconds": WINDOW * len(windows),
            "soak_target_rps": round(target, 1),
            "soak_rps": round(statistics.mean(w["rps"] for w in windows), 1),
            "soak_requests": sum(w["requests"] for w in windows),
            "soak_errors": soak_errors,
            "soak_p99_ms_first": round(first_p99, 1),
            "soak_p99_ms_last": round(last_p99, 1),
            "soak_p99_drift_pct": round(p99_drift * 100, 1),
            "soak_p99_by_window_ms": [w["p99_ms"] for w in windows],
            "worker_rss_mb_start": round(rss[0] / 1024, 1),
            "worker_rss_mb_end": round(rss[-1] / 1024, 1),
            "worker_rss_growth_pct": round(rss_growth * 100, 1),
            "overload_connections": best * 2,
            "overload_rps": overload["rps"],
            "overload_p50_ms": overload["p50_ms"],
            "overload_p99_ms": overload["p99_ms"],
            "overload_statuses": overload_statuses,
            "overload_socket_errors": overload["socket_errors"],
            "overload_unexpected_statuses": unexpected,
            "alive_after_overload": alive,
            "back_to_normal_seconds": round(back_in, 2) if back_in is not None else None,
        }
        ok = (
            soak_errors == 0
            and p99_drift < 0.20
            and rss_growth < 0.10
            and alive
            and not unexpected
            and back_in is not None
            and back_in <= 10
        )
        report("load_soak", result, ok=ok)
    finally:
        processes.stop_all()


if __name__ == "__main__":
    main()
