"""
End to end, with the processes docker-compose runs: the weekly reported-capex job is in beat's
schedule, and sent through Redis it runs in a real Celery worker (a subprocess, on this test's
PostgreSQL database), which loads the recorded responses from a local server in SEC's layout.
"""

import os
import secrets
from decimal import Decimal

import pytest
from django.conf import settings

from config.celery import app
from currencies.tests.e2e.conftest import (
    WORKER_APPLICATION_NAME,
    CeleryProcesses,
    needs_services,
    other_backends,
    wait_until,
    worker_database_url,
)
from filings.choices import ImportStatus
from filings.models import ImportRun, ReportedCapex
from filings.tasks import refresh_reported
from filings.tests.conftest import recorded_companies

pytestmark = [pytest.mark.e2e, needs_services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(tmp_path, sec_server):
    inherited = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL_FILE", "REDIS_URL_FILE")}
    env = {
        **inherited,
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": os.environ["REDIS_URL"],
        "SEC_API_BASE_URL": sec_server.base_url,
        "SEC_USER_AGENT": "AI Capex Tracker e2e@example.com",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": os.environ.get("ALLOWED_HOSTS") or "localhost",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONUNBUFFERED": "1",
        "PGAPPNAME": WORKER_APPLICATION_NAME,
    }
    app.control.purge()  # no task left by an earlier run may run against this database
    processes = CeleryProcesses(tmp_path, env)
    processes.worker()
    yield processes
    processes.stop_all()
    wait_until(lambda: not other_backends(), timeout=120, what="the worker's database sessions to end")


def test_the_weekly_job_is_scheduled_and_the_worker_loads_the_recorded_responses(worker, sec_server):
    entry = settings.CELERY_BEAT_SCHEDULE["refresh-reported-capex-weekly"]
    assert entry["task"] == "filings.tasks.refresh_reported"
    assert app.conf.beat_schedule["refresh-reported-capex-weekly"]["task"] == "filings.tasks.refresh_reported"
    recorded_companies()

    refresh_reported.delay()  # through Redis to the worker, as beat sends it

    wait_until(
        lambda: ImportRun.objects.filter(status=ImportStatus.SUCCEEDED).count() == 4,
        timeout=120,
        what="the worker to import the four companies' recorded responses",
    )
    assert not ImportRun.objects.exclude(status=ImportStatus.SUCCEEDED).exists()
    assert {agent for _, agent in sec_server.requests} == {"AI Capex Tracker e2e@example.com"}
    # Microsoft's fiscal 2025 Q4, derived in the worker from the 10-K less nine months (64,551 - 47,472).
    q4 = ReportedCapex.objects.current().get(company__slug="microsoft", fiscal_year=2025, fiscal_quarter=4)
    assert q4.amount == Decimal("17079000000") and q4.derived
    assert "filings.tasks.refresh_reported" in worker.log("worker")
