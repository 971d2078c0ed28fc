"""
Celery tasks of the capex app. currencies starts `recompute_conversions` after new rates land
(settings.CURRENCIES_AFTER_RATES_CHANGE); beat never calls it directly. Beat runs
`rebuild_slices` nightly.
"""

from dataclasses import asdict

from celery import shared_task
from django.db import InterfaceError, OperationalError

from capex.conversions import conversions_recompute_all
from capex.services.slices import slices_refresh

# The limits leave room for tables far larger than the benchmark's (bench/recompute_benchmark.py)
# without letting a stuck run hold the lock forever.
RECOMPUTE_SOFT_TIME_LIMIT = 900
RECOMPUTE_TIME_LIMIT = 960
# Both jobs rewrite every figure's derived data in one transaction: acknowledged only when done
# (a killed worker's job runs again), retried when the database drops the connection.
WHOLE_TABLE_JOB = {
    "acks_late": True,
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 30,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
    "soft_time_limit": RECOMPUTE_SOFT_TIME_LIMIT,
    "time_limit": RECOMPUTE_TIME_LIMIT,
}


@shared_task(name="capex.tasks.recompute_conversions", **WHOLE_TABLE_JOB)
def recompute_conversions() -> dict:
    """
    Recompute the USD conversions of every figure in one transaction, then rebuild the stored
    slices of totals. Idempotent; a run that overlaps another is skipped, and the refresh runs
    it did not see start it again later.
    """
    result = conversions_recompute_all()
    if result is None:
        return {"status": "skipped"}
    return {"status": "succeeded", **asdict(result)}


@shared_task(name="capex.tasks.rebuild_slices", **WHOLE_TABLE_JOB)
def rebuild_slices() -> dict:
    """Rebuild the stored slices of every figure in one transaction; readers keep the old ones until it commits."""
    return {"status": "succeeded", "slices": slices_refresh()}
