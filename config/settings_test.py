"""
The settings the test suite runs with (pyproject.toml names this module): config.settings as the
environment configures it, with two differences only tests want.

* Each pytest-xdist worker process (PYTEST_XDIST_WORKER = gw0, gw1, ...) has a Redis database of
  its own: tests clear the cache and purge the Celery queue, which must not reach another worker's
  keys mid-test. Worker gwN uses the database N above the one REDIS_URL names (CI's 14 gives 14
  and 15). The variable itself is rewritten, so that the Celery worker processes the end-to-end
  tests start inherit the same database. PostgreSQL needs nothing: pytest-django gives each worker
  a test database of its own.
* Passwords are hashed with MD5: the tests make hundreds of users, and the production hasher is
  slow on purpose. Nothing but the tests uses this module.
"""

import os
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ImproperlyConfigured

REDIS_DATABASES = 16  # Redis's default `databases`


def redis_url_for_worker(url: str, worker: str) -> str:
    """REDIS_URL with its database number moved up by the xdist worker's number."""
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    database = base + int(worker.removeprefix("gw"))
    if database >= REDIS_DATABASES:
        raise ImproperlyConfigured(
            f"xdist worker {worker} would use Redis database {database}, above Redis's last ({REDIS_DATABASES - 1}): "
            "run fewer workers (pytest -n 2) or point REDIS_URL at a lower database."
        )
    return urlunsplit(parts._replace(path=f"/{database}"))


_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker and os.environ.get("REDIS_URL"):
    os.environ["REDIS_URL"] = redis_url_for_worker(os.environ["REDIS_URL"], _worker)

from config.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
