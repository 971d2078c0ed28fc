"""
What the fault scripts share: a throwaway PostgreSQL cluster and Redis server of their own (other
ports, a temporary directory), the app's processes (bin/web, bin/worker, bin/beat) started with the
production environment, a small HTTP load generator, and clean-up of exactly the processes started
here, by PID. Nothing here touches a database or Redis that the script did not start.
"""

import contextlib
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".venv" / "bin"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def wait_for(
    check, *, timeout: float, interval: float = 0.2, what: str = "condition", fatal: type[Exception] | None = None
) -> float:
    """Poll `check` until it is true; returns the seconds waited, or raises after `timeout`.

    Exceptions from `check` count as "not yet", except those of the `fatal` type, which end the wait.
    """
    start = time.monotonic()
    while True:
        try:
            if check():
                return time.monotonic() - start
        except Exception as error:
            if fatal is not None and isinstance(error, fatal):
                raise
        if time.monotonic() - start > timeout:
            raise TimeoutError(f"{what} not reached within {timeout:.0f} s")
        time.sleep(interval)


# Ports for the servers started here lie below Linux's ephemeral range (32768-60999 by default):
# a port inside it can be taken at any moment by the local end of an outgoing connection (the load
# generator's, the app's to its database), and then the server cannot bind it.
PORTS = range(20000, 32000)


def _bindable(port: int) -> bool:
    """Whether a server could listen on `port` now (as servers do, connections in TIME_WAIT do not count)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def free_port(preferred: int | None = None) -> int:
    """`preferred` if nothing holds it, otherwise a free port from PORTS."""
    if preferred and _bindable(preferred):
        return preferred
    for port in random.sample(PORTS, 200):
        if _bindable(port):
            return port
    raise RuntimeError(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


def port_setting(name: str, default: int) -> int:
    """The port named by the environment variable `name`, or a free one near `default`."""
    return int(os.environ[name]) if os.environ.get(name) else free_port(default)


@dataclass
class Processes:
    """Processes started by this script; each is stopped by its own PID (and its own process group)."""

    started: list[subprocess.Popen] = field(default_factory=list)
    cleanups: list = field(default_factory=list)

    def start(
        self, args: list[str], *, env: dict | None = None, log_path: Path | None = None, **kwargs
    ) -> subprocess.Popen:
        out = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115 (kept open for the process)
        process = subprocess.Popen(  # noqa: S603
            args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, **kwargs
        )
        self.started.append(process)
        return process

    def stop(self, process: subprocess.Popen, *, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
        if process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            # The group is the one start_new_session gave this child: its own workers, nothing else.
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)

    def stop_all(self) -> None:
        for process in reversed(self.started):
            self.stop(process)
        for cleanup in reversed(self.cleanups):
            with contextlib.suppress(Exception):
                cleanup()


class Postgres:
    """A PostgreSQL cluster of its own in a temporary directory, run as the postgres user."""

    def __init__(self, processes: Processes, port: int):
        self.port = port
        self.processes = processes
        self.directory = Path(tempfile.mkdtemp(prefix="capex-fault-pg-"))
        shutil.chown(self.directory, user="postgres")
        self.data = self.directory / "data"
        self.logfile = self.directory / "postgres.log"
        processes.cleanups.append(self.remove)

    def _as_postgres(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603
            ["runuser", "-u", "postgres", "--", *args],  # noqa: S607
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )

    def init(self) -> None:
        self._as_postgres("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.start()

    def start(self) -> None:
        self._as_postgres(
            "pg_ctl", "-D", str(self.data), "-l", str(self.logfile), "-w", "-t", "60",
            "-o", f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        )  # fmt: skip

    def stop(self) -> None:
        self._as_postgres("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop")

    def restart(self) -> None:
        self._as_postgres(
            "pg_ctl", "-D", str(self.data), "-l", str(self.logfile), "-m", "fast", "-w", "-t", "60", "restart"
        )  # fmt: skip

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> None:
        subprocess.run(  # noqa: S603
            ["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-qc", f"CREATE DATABASE {name}"],  # noqa: S607
            check=True,
            capture_output=True,
            timeout=60,
        )

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(Exception):
                self._as_postgres("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.directory, ignore_errors=True)


class Redis:
    """A redis-server of its own on another port, without persistence."""

    def __init__(self, processes: Processes, port: int, log_path: Path):
        self.port = port
        self.processes = processes
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        if not _bindable(self.port):
            # Another server there would answer the pings below and be taken for ours.
            raise RuntimeError(f"port {self.port} is taken; choose another for redis-server")
        self.process = self.processes.start(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            log_path=self.log_path,
        )
        process = self.process

        def up() -> bool:
            if process.poll() is not None:
                output = self.log_path.read_text(errors="replace")[-2000:] if self.log_path.exists() else ""
                raise RuntimeError(f"redis-server on port {self.port} exited ({process.returncode}):\n{output}")
            return self.ping()

        wait_for(up, timeout=15, what=f"redis on port {self.port}", fatal=RuntimeError)

    def stop(self) -> None:
        if self.process is not None:
            self.processes.stop(self.process)
            self.process = None

    def ping(self) -> bool:
        result = subprocess.run(  # noqa: S603
            ["redis-cli", "-p", str(self.port), "ping"],  # noqa: S607
            capture_output=True,
            text=True,
            timeout=5,
        )
        return result.stdout.strip() == "PONG"

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"


def app_env(**overrides: str) -> dict[str, str]:
    """The production environment docker-compose gives the processes (.env), for this machine."""
    env = {
        "PATH": f"{VENV_BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": os.environ.get("HOME", "/root"),
        "SECRET_KEY": "fault-" + os.urandom(24).hex(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DEBUG": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "RATES_DEFAULT_PROVIDER": "ecb_bundled",
        "API_THROTTLE_ANON": "1000000/minute",
        "API_THROTTLE_USER": "1000000/minute",
        "PAGE_THROTTLE_RATE": "1000000/minute",
        "WEB_CONCURRENCY": "2",
        "CELERY_CONCURRENCY": "1",
        "LOG_LEVEL": "WARNING",
    }
    env.update(overrides)
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(  # noqa: S603
        [str(VENV_BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, timeout=600
    )


def prepare_database(env: dict[str, str]) -> None:
    """What CI does before starting the processes: static files, migrations, sample data, rates."""
    manage(env, "collectstatic", "--noinput")
    subprocess.run(["bin/release"], cwd=ROOT, env=env, check=True, capture_output=True, timeout=600)  # noqa: S607
    manage(env, "load_sample_data")
    manage(env, "rates_load_bundled")


def http_status(url: str, *, timeout: float = 10, data: bytes | None = None, headers: dict | None = None) -> int:
    request = urllib.request.Request(url, data=data, headers=headers or {})  # noqa: S310 (loopback)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        exc.read()
        return exc.code
    except Exception:
        return 0  # connection refused, reset, timed out


@dataclass
class Sample:
    at: float  # seconds since the load started
    status: int
    latency: float
    path: str


class Load:
    """`threads` clients requesting `paths` in turn, without pause, until stopped."""

    def __init__(self, base: str, paths: list[str], *, threads: int = 4, timeout: float = 10):
        self.base = base
        self.paths = paths
        self.threads = threads
        self.timeout = timeout
        self.samples: list[Sample] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._workers: list[threading.Thread] = []
        self.started = 0.0

    def _run(self, offset: int) -> None:
        index = offset
        while not self._stop.is_set():
            path = self.paths[index % len(self.paths)]
            index += 1
            begin = time.monotonic()
            status = http_status(self.base + path, timeout=self.timeout)
            end = time.monotonic()
            with self._lock:
                self.samples.append(Sample(begin - self.started, status, end - begin, path))
            if status == 0:
                time.sleep(0.05)  # the server is not there: do not spin

    def start(self) -> "Load":
        self.started = time.monotonic()
        for offset in range(self.threads):
            worker = threading.Thread(target=self._run, args=(offset,), daemon=True)
            worker.start()
            self._workers.append(worker)
        return self

    def now(self) -> float:
        return time.monotonic() - self.started

    def stop(self) -> list[Sample]:
        self._stop.set()
        for worker in self._workers:
            worker.join(timeout=self.timeout + 5)
        return sorted(self.samples, key=lambda sample: sample.at)


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def report(name: str, result: dict, *, ok: bool) -> None:
    """One JSON line with the figures, for RELIABILITY.md, then the verdict."""
    result = {"fault": name, "passed": ok, **result}
    print("RESULT " + json.dumps(result, sort_keys=True), flush=True)
    log(f"{name}: {'PASSED' if ok else 'FAILED'}")
    if not ok:
        sys.exit(1)
