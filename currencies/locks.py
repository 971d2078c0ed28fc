"""
Keeping two runs of the same job apart, across processes and machines.

On PostgreSQL the lock is a session advisory lock: it lives as long as the holder's database
connection, so a worker killed with SIGKILL in the middle of a run cannot leave it behind, and the
next run can start as soon as the dead worker's transaction is rolled back. A lock in Redis with a
timeout would block every run until the timeout passed. Elsewhere (SQLite, the embedded default,
one process) the cache holds the lock with `cache.add` and a timeout.
"""

import hashlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.cache import cache
from django.db import connection

LOCK_PREFIX = "capex-tracker:lock:"


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for a lock name (PostgreSQL advisory locks take a bigint)."""
    digest = hashlib.blake2b(f"{LOCK_PREFIX}{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@contextmanager
def exclusive_run(name: str, *, timeout: int) -> Iterator[bool]:
    """
    Yield True when this process holds the lock called `name`, False when another run holds it.
    `timeout` (seconds) bounds how long a cache lock can outlive a crashed holder; set it to the
    job's hard time limit.
    """
    if connection.vendor == "postgresql":
        key = advisory_key(name)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s::bigint)", [key])
            acquired = bool(cursor.fetchone()[0])
        try:
            yield acquired
        finally:
            if acquired:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s::bigint)", [key])
        return

    cache_key = f"{LOCK_PREFIX}{name}"
    token = uuid.uuid4().hex
    acquired = cache.add(cache_key, token, timeout)
    try:
        yield acquired
    finally:
        if acquired and cache.get(cache_key) == token:
            cache.delete(cache_key)
