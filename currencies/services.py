"""
Writes about exchange rates: refreshing a provider, loading the bundled history, manual rates,
and telling the apps that keep USD conversions that the rates changed.

A refresh fetches and validates everything first and then writes the rows and its RateRefresh
outcome in one transaction, so a failure of any kind (network, timeout, HTTP error, broken or
truncated document, a day without the EUR->USD anchor) writes no rates at all: the last good rates
stay, and the RateRefresh row says what failed.
"""

import logging
from collections.abc import Sequence
from datetime import date, timedelta

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.module_loading import import_string

from currencies.choices import FEED_PROVIDERS, RateProvider, RefreshStatus
from currencies.locks import exclusive_run
from currencies.models import ExchangeRate, RateRefresh
from currencies.parsers import ECB_BASE, RateRow, RatesFormatError, days_without_anchor, missing_currencies
from currencies.providers import get_provider

logger = logging.getLogger(__name__)

# Rows per INSERT; SQLite allows 32,766 parameters and a rate row has 6.
BULK_BATCH_SIZE = 5000
# Inserting this many rows changes the table enough to refresh PostgreSQL's statistics at once.
ANALYZE_AFTER_ROWS = 10000
# A cache lock (SQLite only) outlives a crashed refresh by at most this long: the task's hard limit.
REFRESH_LOCK_SECONDS = 330


def scheduled_providers() -> list[str]:
    """What the scheduled refresh covers: the configured feed, then the pegs."""
    return [settings.RATES_DEFAULT_PROVIDER, RateProvider.PEG]


def provider_family(provider: str) -> list[str]:
    """Providers whose rows are the same data: the live ECB feed continues the bundled history."""
    return list(FEED_PROVIDERS) if provider in FEED_PROVIDERS else [provider]


def rates_store(*, provider: str, rows: Sequence[RateRow]) -> int:
    """
    Insert rows for a provider in one transaction, skipping those already stored; returns how
    many were new. Bulk insert without full_clean: the parsers have already checked every code,
    date and rate, and the database constraints check the rest.
    """
    if not rows:
        return 0
    scope = ExchangeRate.objects.filter(
        provider=provider, date__range=(min(r.date for r in rows), max(r.date for r in rows))
    )
    with transaction.atomic():
        # Reading the stored keys first makes a repeated load (the whole bundled history) cheap;
        # ignore_conflicts still covers a row that lands in between.
        stored = set(scope.values_list("base", "currency", "date"))
        objects = [
            ExchangeRate(provider=provider, base=row.base, currency=row.currency, date=row.date, rate=row.rate)
            for row in rows
            if (row.base, row.currency, row.date) not in stored
        ]
        if not objects:
            return 0
        before = len(stored)
        ExchangeRate.objects.bulk_create(objects, batch_size=BULK_BATCH_SIZE, ignore_conflicts=True)
        if connection.vendor == "postgresql" and len(objects) >= ANALYZE_AFTER_ROWS:
            # Fresh statistics before the recompute that follows: planned on an "empty" rates
            # table, its join takes minutes instead of a fraction of a second.
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {ExchangeRate._meta.db_table}")
        return scope.count() - before


def describe_failure(exc: BaseException) -> str:
    """What an operator reads in the RateRefresh row and the admin."""
    if isinstance(exc, requests.Timeout):
        return f"Timed out fetching rates: {exc}"
    if isinstance(exc, requests.HTTPError):
        status = exc.response.status_code if exc.response is not None else "an error"
        return f"The provider answered HTTP {status}: {exc}"
    if isinstance(exc, requests.ConnectionError):
        return f"Could not connect to the provider: {exc}"
    if isinstance(exc, requests.RequestException):
        return f"The download failed: {exc}"
    if isinstance(exc, RatesFormatError):
        return f"The provider's data was rejected and nothing was written: {exc}"
    return f"{type(exc).__name__}: {exc}"


def describe_gaps(gaps: dict[date, set[str]]) -> str:
    days = "; ".join(f"{day.isoformat()}: {', '.join(sorted(codes))}" for day, codes in sorted(gaps.items()))
    return (
        f"Currencies missing from a publication that the one before had ({days}). Their last rates stay "
        f"in use for up to {settings.RATES_TOLERANCE_DAYS} days."
    )


def incremental_start(provider: str) -> date | None:
    """The day after the newest stored rate of the provider's family; None (everything) when empty."""
    newest = ExchangeRate.objects.filter(provider__in=provider_family(provider)).aggregate(newest=Max("date"))["newest"]
    return newest + timedelta(days=1) if newest else None


def previous_publication(provider: str, before: date) -> set[str]:
    """The currencies of the newest stored EUR-based day before `before`, for the gap check."""
    family = ExchangeRate.objects.filter(provider__in=provider_family(provider), base=ECB_BASE, date__lt=before)
    day = family.aggregate(day=Max("date"))["day"]
    if day is None:
        return set()
    return set(family.filter(date=day).values_list("currency", flat=True))


def rates_refresh(
    *,
    provider: str,
    since: date | None = None,
    until: date | None = None,
    full: bool = False,
    http: requests.Session | None = None,
    notify: bool = True,
) -> RateRefresh:
    """
    Fetch a provider's new rates and store them, recording the run in a RateRefresh row.

    Incremental from the day after the newest stored rate (`since` overrides, `full` fetches
    the whole history; an empty store backfills everything). Exceptions are recorded on the row
    and raised again, so a task can retry network errors. A second run of the same provider
    while one is going records "skipped" and does nothing.
    """
    source = get_provider(provider, http=http)
    with exclusive_run(f"rates-refresh:{provider}", timeout=REFRESH_LOCK_SECONDS) as acquired:
        now = timezone.now()
        if not acquired:
            return RateRefresh.objects.create(
                provider=provider,
                started_at=now,
                finished_at=now,
                status=RefreshStatus.SKIPPED,
                error="Another refresh of this provider was running; this run did nothing.",
            )
        # Holding the lock, any other "running" row of this provider belongs to a dead process.
        RateRefresh.objects.filter(provider=provider, status=RefreshStatus.RUNNING).update(
            status=RefreshStatus.FAILED,
            finished_at=now,
            error="Interrupted: the process running this refresh ended before it finished.",
        )
        run = RateRefresh.objects.create(provider=provider, started_at=now, status=RefreshStatus.RUNNING)
        try:
            end = until or timezone.localdate()
            start = None if full else (since or incremental_start(provider))
            rows = [] if start is not None and start > end else source.fetch(start, end)
            unanchored = days_without_anchor(rows)
            if unanchored:
                listed = ", ".join(day.isoformat() for day in unanchored[:10])
                raise RatesFormatError(f"no EUR->USD rate on {listed}, so no USD conversion can use those days.")
            gaps: dict[date, set[str]] = {}
            eur_rows = [row for row in rows if row.base == ECB_BASE]
            if start is not None and eur_rows:
                first = min(row.date for row in eur_rows)
                gaps = missing_currencies(eur_rows, previous=previous_publication(provider, first))
            with transaction.atomic():
                run.rows_written = rates_store(provider=provider, rows=rows)
                run.newest_rate_date = ExchangeRate.objects.filter(provider=provider).aggregate(newest=Max("date"))[
                    "newest"
                ]
                run.status = RefreshStatus.PARTIAL if gaps else RefreshStatus.SUCCEEDED
                run.error = describe_gaps(gaps) if gaps else ""
                run.finished_at = timezone.now()
                run.save(update_fields=["rows_written", "newest_rate_date", "status", "error", "finished_at"])
                if notify and run.rows_written:
                    transaction.on_commit(rates_changed_notify)
        except Exception as exc:
            run.status = RefreshStatus.FAILED
            run.error = describe_failure(exc)
            run.finished_at = timezone.now()
            run.save(update_fields=["status", "error", "finished_at"])
            logger.warning("Rate refresh of %s failed: %s", provider, run.error)
            raise
    logger.info("Rate refresh of %s: %s, %s new rows", provider, run.status, run.rows_written)
    return run


def rates_refresh_all(
    *, providers: Sequence[str] | None = None, since: date | None = None, http: requests.Session | None = None
) -> list[RateRefresh]:
    """
    Refresh each provider in turn (the scheduled set by default), then, even when one failed,
    start the recompute if any stored rates are not yet reflected in the conversions: those just
    written, or those of an earlier run whose recompute was interrupted.
    """
    runs: list[RateRefresh] = []
    try:
        for provider in providers or scheduled_providers():
            runs.append(rates_refresh(provider=provider, since=since, http=http, notify=False))
    finally:
        if rate_changes_pending():
            transaction.on_commit(rates_changed_notify)
    return runs


def rates_load_bundled() -> list[RateRefresh]:
    """
    Load the whole bundled ECB history and the pegs (idempotent: stored rows are skipped), then
    recompute every conversion in this process, so a fresh install converts figures at once.
    """
    runs = [
        rates_refresh(provider=RateProvider.ECB_BUNDLED, full=True, notify=False),
        rates_refresh(provider=RateProvider.PEG, full=True, notify=False),
    ]
    rates_changed_notify(synchronous=True)
    return runs


def rates_changed_notify(*, synchronous: bool = False) -> None:
    """
    Start the tasks listed in CURRENCIES_AFTER_RATES_CHANGE. Dotted paths, because the apps that
    keep conversions depend on currencies and never the other way round. `.delay()` queues them
    (in process when Celery runs eagerly); `synchronous` runs them here and now.
    """
    for path in settings.CURRENCIES_AFTER_RATES_CHANGE:
        task = import_string(path)
        if synchronous:
            task()
            continue
        try:
            task.delay()
        except Exception:
            # The rates are committed either way; the run stays pending and the next refresh
            # starts the recompute again.
            logger.exception("Could not start %s after the rates changed", path)


def rate_changes_pending() -> list[int]:
    """Ids of runs that wrote rates no completed recompute has seen yet."""
    return list(
        RateRefresh.objects.filter(
            status__in=[RefreshStatus.SUCCEEDED, RefreshStatus.PARTIAL],
            rows_written__gt=0,
            conversions_updated_at__isnull=True,
        ).values_list("id", flat=True)
    )


def rate_changes_mark_applied(*, refresh_ids: Sequence[int]) -> int:
    """Record that conversions now reflect these runs; call it in the recompute's transaction."""
    if not refresh_ids:
        return 0
    return RateRefresh.objects.filter(id__in=refresh_ids, conversions_updated_at__isnull=True).update(
        conversions_updated_at=timezone.now()
    )


def _record_manual_change(exchange_rate: ExchangeRate) -> None:
    now = timezone.now()
    RateRefresh.objects.create(
        provider=RateProvider.MANUAL,
        started_at=now,
        finished_at=now,
        status=RefreshStatus.SUCCEEDED,
        rows_written=1,
        newest_rate_date=exchange_rate.date,
    )
    transaction.on_commit(rates_changed_notify)


def _check_manual(exchange_rate: ExchangeRate) -> None:
    if exchange_rate.provider != RateProvider.MANUAL:
        raise ValidationError({"provider": 'Only rates of the provider "manual" can be entered or changed by hand.'})
    if exchange_rate.pk:
        stored = ExchangeRate.objects.filter(pk=exchange_rate.pk).values_list("provider", flat=True).first()
        if stored is not None and stored != RateProvider.MANUAL:
            raise ValidationError({"provider": "Rates fetched from a provider cannot be changed by hand."})


def manual_rate_save(*, exchange_rate: ExchangeRate) -> ExchangeRate:
    """
    Save a rate an editor entered, for a currency no provider covers: 1 USD = rate units on a
    date. The conversions are recomputed once it is committed.
    """
    _check_manual(exchange_rate)
    if exchange_rate.base != "USD":
        raise ValidationError({"base": "A manual rate is entered against the US dollar: 1 USD = rate units."})
    exchange_rate.full_clean()
    with transaction.atomic():
        exchange_rate.save()
        _record_manual_change(exchange_rate)
    return exchange_rate


def manual_rate_delete(*, exchange_rate: ExchangeRate) -> None:
    """Delete a manual rate; figures that used it are converted again without it."""
    _check_manual(exchange_rate)
    with transaction.atomic():
        exchange_rate.delete()
        _record_manual_change(exchange_rate)
