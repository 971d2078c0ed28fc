"""
The scheduled refresh of exchange rates (Celery beat runs it; see CELERY_BEAT_SCHEDULE).

Safe to run twice: stored rows are skipped, and a run of a provider that another run holds is
recorded as skipped. Network errors retry with exponential backoff; a broken document does not
(retrying cannot fix it): its RateRefresh row says what was wrong and the last good rates stay.
"""

from datetime import date

import requests
from celery import shared_task

from currencies.services import rates_refresh_all

# Fetching the full-history zip and inserting it is the longest a refresh takes.
REFRESH_SOFT_TIME_LIMIT = 270
REFRESH_TIME_LIMIT = 300


@shared_task(
    name="currencies.tasks.refresh_rates",
    acks_late=True,
    autoretry_for=(requests.RequestException,),
    retry_backoff=60,
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=5,
    soft_time_limit=REFRESH_SOFT_TIME_LIMIT,
    time_limit=REFRESH_TIME_LIMIT,
)
def refresh_rates(provider: str | None = None, since: str | None = None) -> dict[str, str]:
    """
    Refresh one provider, or the scheduled set (the configured feed and the pegs), from the
    newest stored date on (`since`, an ISO date, overrides). Conversions are recomputed after.
    """
    runs = rates_refresh_all(
        providers=[provider] if provider else None,
        since=date.fromisoformat(since) if since else None,
    )
    return {run.provider: f"{run.status}, {run.rows_written} new rows" for run in runs}
