"""
The weekly refresh of reported capex from EDGAR (Celery beat runs it; see CELERY_BEAT_SCHEDULE).

Safe to run twice: stored filings are skipped, and a run that finds the lock taken is recorded as
skipped. A company whose import fails keeps its last good values; its ImportRun says why.
"""

from celery import shared_task

from filings.services import REFRESH_TIME_LIMIT, reported_refresh_all


@shared_task(
    name="filings.tasks.refresh_reported",
    acks_late=True,
    soft_time_limit=REFRESH_TIME_LIMIT - 60,
    time_limit=REFRESH_TIME_LIMIT,
)
def refresh_reported() -> dict[str, str]:
    runs = reported_refresh_all()
    return {str(run.company or "all"): f"{run.status}, {run.rows_written} new rows" for run in runs}
