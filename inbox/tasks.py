"""
The scheduled poll of watched feeds (Celery beat runs it; see CELERY_BEAT_SCHEDULE). Safe to
run twice: a lock keeps two runs apart and each item URL is stored once.
"""

from celery import shared_task
from django.utils import timezone

from currencies.locks import exclusive_run
from inbox.choices import RunStatus
from inbox.models import PollRun
from inbox.services import feeds_poll_due

POLL_SOFT_TIME_LIMIT = 540
POLL_TIME_LIMIT = 600


@shared_task(
    name="inbox.tasks.poll_feeds", acks_late=True, soft_time_limit=POLL_SOFT_TIME_LIMIT, time_limit=POLL_TIME_LIMIT
)
def poll_feeds() -> str:
    """Poll the feeds that are due and read their new items."""
    with exclusive_run("inbox-poll-feeds", timeout=POLL_TIME_LIMIT) as acquired:
        if not acquired:
            now = timezone.now()
            PollRun.objects.create(started_at=now, finished_at=now, status=RunStatus.SKIPPED)
            return "skipped"
        run = feeds_poll_due()
        return f"{run.status}: {run.feeds_polled} feeds, {run.items_new} new items"
