"""
CPU instructions the app spends on one request, counted by valgrind's callgrind: a figure that,
unlike a timing, comes out the same run after run on a shared machine, so a change to the
request path can be measured by itself. Only the Python process is counted (Django, DRF, the
ORM, psycopg, redis-py), not PostgreSQL or Redis.

    DATABASE_URL=postgres://USER@HOST:5432/capex_bench_large REDIS_URL=redis://HOST:6379/9 \
        .venv/bin/python bench/instructions.py                  # E1, built
    ... bench/instructions.py --url '/api/v1/investments/?scope=domestic&page_size=50&category=chips'

It runs the request through Django's test client (all the middleware, not gunicorn) in two
processes under callgrind, one that makes `--requests` more requests than the other after the
same warm-up, and prints the difference per request. Needs valgrind (Debian's package). A run
takes about a minute and a half.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
E1 = "/api/v1/investments/?scope=domestic&page_size=50"
WARM_UP = 20


def client_requests(url: str, count: int) -> None:
    """
    In the process valgrind watches: warm up, then make `count` requests, each built afresh
    (`Cache-Control: no-cache`). Answers from the shared cache are not counted here: their
    counts did not add up (fewer instructions for more requests), so no figure is given for them.
    """
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.test import Client

    client = Client()
    headers = {"HTTP_CACHE_CONTROL": "no-cache"}
    for _ in range(WARM_UP):
        response = client.get(url, **headers)
        if response.status_code != 200:
            sys.exit(f"{url} answered {response.status_code}: {response.content[:300]!r}")
    statuses = {client.get(url, **headers).status_code for _ in range(count)}
    if statuses - {200}:
        sys.exit(f"{url} answered {sorted(statuses)} while counted")


def instructions(url: str, count: int, *, env: dict) -> int:
    with tempfile.TemporaryDirectory() as folder:
        command = [
            "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={folder}/callgrind.out",
            sys.executable,
            __file__,
            "--in-process",
            "--url",
            url,
            "--requests",
            str(count),
        ]
        result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(result.stderr[-2000:])
    found = re.search(r"Collected : (\d+)", result.stderr)
    if found is None:
        sys.exit("callgrind printed no instruction count:\n" + result.stderr[-2000:])
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=E1, help="the request (default: E1)")
    parser.add_argument("--requests", type=int, default=40, help="requests counted (default 40)")
    parser.add_argument("--in-process", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.in_process:
        client_requests(args.url, args.requests)
        return
    env = {
        **os.environ,
        "ALLOWED_HOSTS": "testserver",
        # The same string hashes in both processes, so their dictionaries do the same work.
        "PYTHONHASHSEED": "0",
        "DEBUG": "false",
        # One client makes every request: rate limits would turn them into 429s.
        "API_THROTTLE_ANON": "100000000/minute",
        "API_THROTTLE_USER": "100000000/minute",
    }
    env.setdefault("SECRET_KEY", "benchmark-only-secret-key-not-for-production")
    baseline = instructions(args.url, 0, env=env)
    counted = instructions(args.url, args.requests, env=env)
    per_request = (counted - baseline) / args.requests
    print(f"{args.url}: {per_request / 1e6:.2f} M instructions per request, built ({args.requests} requests)")


if __name__ == "__main__":
    main()
