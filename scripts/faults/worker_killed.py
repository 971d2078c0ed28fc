#!/usr/bin/env python3
"""
Fault: a Celery worker killed (SIGKILL) in the middle of a job.

The scenario is the end-to-end test of the currency subsystem
(currencies/tests/e2e/test_worker_and_beat.py::test_a_worker_killed_mid_recompute_...): a real
worker is killed halfway through recomputing the USD values of 300,000 figures; the message was
acknowledged late (CELERY_TASK_ACKS_LATE, REJECT_ON_WORKER_LOST), so a new worker runs the job
again, and the test checks that no figure is half-updated and that the result is complete with
nothing duplicated. This script runs that test against a PostgreSQL cluster and a redis-server of
its own (FAULT_PG_PORT, default 25434; FAULT_REDIS_PORT, default 26380), and cleans them up.

    .venv/bin/python scripts/faults/worker_killed.py
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from stack import ROOT, VENV_BIN, Postgres, Processes, Redis, log, port_setting, report

TEST = (
    "currencies/tests/e2e/test_worker_and_beat.py::"
    "test_a_worker_killed_mid_recompute_leaves_no_partial_result_and_a_restart_completes_it"
)


def main() -> None:
    processes = Processes()
    logs = Path(tempfile.mkdtemp(prefix="capex-fault-logs-"))
    try:
        pg = Postgres(processes, port_setting("FAULT_PG_PORT", 25434))
        redis = Redis(processes, port_setting("FAULT_REDIS_PORT", 26380), logs / "redis.log")
        pg.init()
        redis.start()
        env = {
            **os.environ,
            "PATH": f"{VENV_BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}",
            "DATABASE_URL": pg.url("capex"),
            "REDIS_URL": redis.url(0),
            "SECRET_KEY": "fault-" + os.urandom(24).hex(),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DEBUG": "false",
            "FAIL_ON_SKIP": "1",
        }
        log(f"Running {TEST}")
        begin = time.monotonic()
        result = subprocess.run(  # noqa: S603
            [str(VENV_BIN / "pytest"), "-q", "-p", "no:cacheprovider", "-rA", TEST],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
        )  # fmt: skip
        seconds = time.monotonic() - begin
        tail = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
        ok = result.returncode == 0 and " passed" in tail and "skipped" not in tail
        if not ok:
            print(result.stdout[-6000:], result.stderr[-3000:])
        report("worker_killed", {"pytest": tail, "seconds": round(seconds, 1)}, ok=ok)
    finally:
        processes.stop_all()


if __name__ == "__main__":
    main()
