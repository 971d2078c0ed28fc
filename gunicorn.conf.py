"""gunicorn settings, read from the environment so compose and CI start the same server."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Workers sized to the cores: the app is database-bound and each request is short.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# Threaded workers (one thread each by default): the worker's main loop tells the master it is
# alive while a request runs, so a streamed export may take minutes; a sync worker is killed
# after `timeout` seconds of any one request, which cut the 100,000-row export of BENCHMARKS.md
# (E7) at 30 s. `timeout` now only catches a worker whose main loop is stuck.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
# No keep-alive by default, as with sync workers: a kept-alive connection stays with one worker,
# so a few busy clients can queue on one worker while others idle (on two cores, E1's req/s
# swung from 47 to 109 between runs with it; BENCHMARKS.md). A proxy in front keeps its own.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "0"))
# Recycle workers now and then so that slow memory growth never accumulates. A recycled worker is
# forked from the warmed master (below), so recycling costs little; BENCHMARKS.md has its memory.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "10000"))
max_requests_jitter = 1000
# Load the app once in the master: a recycled worker is forked ready instead of importing Django
# while requests queue behind it (that boot put E6's p99 at 1.26 s; see BENCHMARKS.md). Nothing
# opens a database or Redis connection at import, so no connection is shared across the fork.
preload_app = True
# One line per request on stdout; the benchmark turns it off (GUNICORN_ACCESSLOG="").
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None
errorlog = "-"
# The access log's client address follows TRUSTED_PROXY_COUNT, as the throttles and the lockout do.
logger_class = "config.access_log.AccessLogger"
# Addresses whose X-Forwarded-Proto gunicorn believes (the TLS proxy's); client addresses are
# taken from X-Forwarded-For only through TRUSTED_PROXY_COUNT (config/client_ip.py).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def when_ready(server):
    """Before the first worker is forked: do once, in the master, what each worker's first requests would."""
    from django.apps import apps

    # Only for the Django app loaded in this master (this file also configures bench/'s baseline).
    if server.cfg.preload_app and apps.ready:
        from config.warmup import warm

        server.log.info("Warmed before forking workers: %s", warm())
