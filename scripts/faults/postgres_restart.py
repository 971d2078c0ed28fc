#!/usr/bin/env python3
"""
Fault: PostgreSQL restarted while the API is under load.

Starts its own PostgreSQL cluster (port FAULT_PG_PORT, default 25432 or a free port) and the web
process (gunicorn, production settings: persistent connections with CONN_HEALTH_CHECKS), puts the
API and the pages under load from 4 clients, restarts PostgreSQL (pg_ctl restart -m fast) and keeps
the load on.

Holds when: no error before the restart; requests succeed again within 5 s of PostgreSQL being
back; no error at all from then on. Cleans up everything it started, by PID.

    .venv/bin/python scripts/faults/postgres_restart.py
"""

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from stack import (
    Load,
    Postgres,
    Processes,
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

PATHS = ["/api/v1/investments/", "/api/v1/companies/", "/api/v1/stats/", "/", "/companies/bytedance/", "/explore/"]
RECOVERY_LIMIT = 5.0


def main() -> None:
    processes = Processes()
    logs = Path(tempfile.mkdtemp(prefix="capex-fault-logs-"))
    try:
        pg = Postgres(processes, port_setting("FAULT_PG_PORT", 25432))
        log(f"PostgreSQL of our own on port {pg.port}")
        pg.init()
        pg.create_database("capex")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = app_env(DATABASE_URL=pg.url("capex"), GUNICORN_BIND=f"127.0.0.1:{port}")
        log("Migrations, sample data, rates")
        prepare_database(env)
        processes.start(["bin/web"], env=env, log_path=logs / "web.log")
        wait_for(lambda: http_status(base + "/readyz") == 200, timeout=60, what="/readyz 200")

        load = Load(base, PATHS, threads=4).start()
        time.sleep(5)
        restart_began = load.now()
        log("Restarting PostgreSQL under load")
        pg.restart()
        back_at = load.now()
        log(f"PostgreSQL back after {back_at - restart_began:.2f} s")
        time.sleep(20)
        samples = load.stop()

        before = [s for s in samples if s.at + s.latency < restart_began]
        after_back = [s for s in samples if s.at >= back_at]
        first_ok = next((s for s in after_back if s.status == 200), None)
        recovery = (first_ok.at + first_ok.latency - back_at) if first_ok else float("inf")
        settled = [s for s in samples if s.at >= back_at + RECOVERY_LIMIT]
        errors_during = [s for s in samples if restart_began <= s.at + s.latency and s.at < back_at and s.status != 200]
        errors_after_back = [s for s in after_back if s.status != 200]
        errors_settled = [s for s in settled if s.status != 200]
        ok_latencies = [s.latency for s in settled if s.status == 200]
        result = {
            "requests": len(samples),
            "errors_before_restart": sum(s.status != 200 for s in before),
            "restart_seconds": round(back_at - restart_began, 2),
            "errors_while_down": len(errors_during),
            "errors_after_postgres_back": len(errors_after_back),
            "first_success_after_back_seconds": round(recovery, 3),
            "errors_after_5s": len(errors_settled),
            "requests_after_5s": len(settled),
            "p99_ms_after_5s": round(percentile(ok_latencies, 0.99) * 1000, 1),
            "statuses": sorted({s.status for s in samples}),
        }
        ok = result["errors_before_restart"] == 0 and recovery <= RECOVERY_LIMIT and not errors_settled and settled
        if not ok:
            print((logs / "web.log").read_text()[-4000:])
        report("postgres_restart", result, ok=bool(ok))
    finally:
        processes.stop_all()


if __name__ == "__main__":
    main()
