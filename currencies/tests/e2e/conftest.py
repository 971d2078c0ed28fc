"""
Real processes for the end-to-end tests: a local HTTP server in the ECB's layout, and Celery worker
and beat started as docker-compose starts them (`celery -A config worker ...`, `celery -A config
beat ...`), against this test's PostgreSQL database and the Redis in REDIS_URL.
"""

import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

MISSING = [name for name in ("DATABASE_URL", "REDIS_URL") if not os.environ.get(name)]
NOT_POSTGRES = not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
SKIP_REASON = (
    f"End-to-end tests start a Celery worker and beat against PostgreSQL and Redis; set {' and '.join(MISSING)}."
    if MISSING
    else "End-to-end tests need PostgreSQL: DATABASE_URL must be a postgres:// URL."
)
needs_services = pytest.mark.skipif(bool(MISSING) or NOT_POSTGRES, reason=SKIP_REASON)

# Beat adds an interval entry from this setting; every two seconds keeps the tests short.
REFRESH_INTERVAL_SECONDS = 2
# The statement bound bin/worker, bin/beat and bin/release give jobs (JOB_STATEMENT_TIMEOUT_MS's
# default): the worker and beat here, and the tests' own bulk set-up, are jobs, not web requests,
# and on a busy machine (another test worker beside them) a bulk statement can pass a request's 30 s.
JOB_STATEMENT_TIMEOUT_MS = "900000"


@pytest.fixture(autouse=True)
def _job_statement_timeout(transactional_db):
    """This test's own database session is bounded as a job's, then as a request's again."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('statement_timeout', %s, false)", [JOB_STATEMENT_TIMEOUT_MS])
    yield
    with connection.cursor() as cursor:
        cursor.execute("RESET statement_timeout")


def worker_database_url() -> str:
    """The URL of the database pytest-django created, for the worker and beat processes."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{credentials}@{host}/{quote(db['NAME'], safe='')}"


def wait_until(condition: Callable[[], object], *, timeout: float, what: str, interval: float = 0.2) -> object:
    """Poll until condition() is truthy; fail with `what` after `timeout` seconds. Bounded, never timed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"Gave up after {timeout:.0f} s waiting for {what}.")


class EcbServer:
    """Serves files from a folder on 127.0.0.1 at a free port, recording the paths requested."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.requests: list[str] = []
        server = self

        class Handler(SimpleHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append(self.path)
                super().do_GET()

            def log_message(self, format: str, *args: object) -> None:
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(folder)))
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/stats/eurofxref/"

    def publish(self, name: str, content: bytes) -> None:
        target = self.folder / "stats" / "eurofxref" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)


@pytest.fixture
def ecb_server(tmp_path) -> Iterator[EcbServer]:
    server = EcbServer(tmp_path / "www")
    server.folder.mkdir()
    server.thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


class CeleryProcesses:
    """
    Starts worker and beat as subprocesses, each in its own process group, logs to files. Only
    the processes started here are ever signalled, by the PIDs recorded here.
    """

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.folder = folder
        self.env = env
        self.started: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, *arguments: str) -> subprocess.Popen:
        log = (self.folder / f"{name}.log").open("ab")
        process = subprocess.Popen(  # noqa: S603 (our own interpreter running celery, fixed arguments)
            [sys.executable, "-m", "celery", "-A", "config", *arguments],
            cwd=settings.BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.started.append((name, process))
        return process

    def worker(self, name: str = "worker") -> subprocess.Popen:
        """A worker as bin/worker starts it (prefork pool), with one pool process."""
        return self.start(
            name, "worker", "--loglevel=INFO", "--concurrency=1", f"--hostname=e2e-{uuid.uuid4().hex[:8]}@%h"
        )

    def beat(self) -> subprocess.Popen:
        return self.start("beat", "beat", "--loglevel=INFO", f"--schedule={self.folder / 'celerybeat-schedule'}")

    def kill(self, process: subprocess.Popen) -> None:
        """SIGKILL the process started here and its pool children (its own process group)."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

    def log(self, name: str) -> str:
        path = self.folder / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop_all(self) -> None:
        for _, process in self.started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for _, process in self.started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=20)


WORKER_APPLICATION_NAME = "capex-e2e-worker"


@pytest.fixture
def celery_processes(tmp_path, ecb_server) -> Iterator[CeleryProcesses]:
    inherited = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL_FILE", "REDIS_URL_FILE")}
    env = {
        **inherited,
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": os.environ["REDIS_URL"],
        "ECB_BASE_URL": ecb_server.base_url,
        "RATES_DEFAULT_PROVIDER": "ecb",
        "RATES_REFRESH_INTERVAL_SECONDS": str(REFRESH_INTERVAL_SECONDS),
        "DATABASE_STATEMENT_TIMEOUT_MS": JOB_STATEMENT_TIMEOUT_MS,
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": os.environ.get("ALLOWED_HOSTS") or "localhost",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONUNBUFFERED": "1",
        # Names the workers' database sessions, so teardown waits for theirs and no one else's
        # (a live server earlier in the session keeps connections of its own open).
        "PGAPPNAME": WORKER_APPLICATION_NAME,
    }
    # Start from an empty queue: tasks left by an earlier run must not run against this database.
    from config.celery import app

    app.control.purge()
    processes = CeleryProcesses(tmp_path, env)
    yield processes
    processes.stop_all()
    # The database is flushed after the test: no connection of a worker may still hold locks.
    wait_until(lambda: not other_backends(), timeout=120, what="the workers' database sessions to end")


def other_backends() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND backend_type = 'client backend' AND application_name = %s",
            [WORKER_APPLICATION_NAME],
        )
        return [row[0] for row in cursor.fetchall()]
