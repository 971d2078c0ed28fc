"""
Fixtures shared by every app's tests.

Browser tests drive the system's Chromium (the `chromium` Debian package) through
Playwright; no browser is downloaded. Screenshots go to test-artifacts/screenshots/.
"""

import os
import shutil
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parent / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_configure(config):
    """
    WhiteNoise looks for STATIC_ROOT when a request first builds the middleware (some test modules
    do so while they are collected); without the folder (collectstatic has not run) it warns once
    per client. The tests serve static files from the finders, so an empty folder is all it needs.
    """
    from django.conf import settings

    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: cached answers (config.cache) must not leak between tests' data."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="session", autouse=True)
def _plain_static_storage():
    """
    With DEBUG off (CI, production settings) static files come from a hashed manifest that only
    collectstatic writes, and the test live server serves static files from the finders by their
    plain names. Tests use the plain storage; CI checks the manifest against the real gunicorn
    stack (.ci/check_stack.py).
    """
    from django.conf import settings
    from django.test.utils import override_settings

    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        yield


@pytest.fixture(scope="session", autouse=True)
def _no_session_outlives_the_test_database(django_db_setup, django_db_blocker):
    """
    On PostgreSQL the test database is dropped at the end of the run, which fails while any other
    session is still connected to it (and leaves the database behind). Sessions of processes the
    tests started and killed, or of threads that ended without closing their connection, are ended
    first; their names are printed so that the one that stayed can be found.
    """
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT application_name, state, left(query, 80), pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        for name, state, query in (row[:3] for row in cursor.fetchall()):
            print(f"\nEnded a database session left open at the end of the run: {name or '-'} ({state}): {query}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    # In CI (FAIL_ON_SKIP=1) a skipped test is a failure: nothing may pass by not running.
    if os.environ.get("FAIL_ON_SKIP") == "1" and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"Skipped in CI, where every test must run: {report.longrepr}"


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is needed for browser tests and was not found at {CHROMIUM}.")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    """A fresh page that records console errors and page errors in `page.console_errors`."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda msg: page.console_errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    yield page
    context.close()


@pytest.fixture
def screenshot(page):
    """Save a full-page screenshot as a test artifact: screenshot("company-bytedance")."""

    def take(name: str) -> Path:
        path = ARTIFACTS / "screenshots" / f"{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def lock_held_elsewhere(db):
    """
    Hold a named job lock from outside this test's process state, as another worker would:
    on PostgreSQL through a second connection (advisory locks are re-entrant within one),
    elsewhere in the cache.
    """
    from django.core.cache import cache
    from django.db import connection

    from currencies.locks import LOCK_PREFIX, advisory_key

    held: list = []

    def hold(name: str) -> None:
        if connection.vendor == "postgresql":
            import psycopg

            params = connection.get_connection_params()
            params.pop("cursor_factory", None)
            params.pop("context", None)
            other = psycopg.connect(**params, autocommit=True)
            other.execute("SELECT pg_advisory_lock(%s::bigint)", [advisory_key(name)])
            held.append(other)
        else:
            cache.set(f"{LOCK_PREFIX}{name}", "another-worker", 60)
            held.append(f"{LOCK_PREFIX}{name}")

    yield hold
    for item in held:
        if isinstance(item, str):
            cache.delete(item)
        else:
            item.close()
