"""manage.py rates_refresh [--provider P] [--since YYYY-MM-DD]: what beat runs, by hand."""

import argparse
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from currencies.choices import RateProvider
from currencies.services import describe_failure, rates_refresh_all

REFRESHABLE = [RateProvider.ECB, RateProvider.ECB_BUNDLED, RateProvider.PEG]


def iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--since must be a date as YYYY-MM-DD, not {value!r}.") from None


class Command(BaseCommand):
    help = (
        "Fetch new exchange rates (the configured feed and the pegs, or one --provider) from the day "
        "after the newest stored rate, or from --since; then recompute the USD conversions."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--provider", choices=REFRESHABLE, help="Refresh only this provider.")
        parser.add_argument("--since", type=iso_date, help="Fetch from this date on (YYYY-MM-DD).")

    def handle(self, *args, provider: str | None = None, since: date | None = None, **options) -> None:
        try:
            runs = rates_refresh_all(providers=[provider] if provider else None, since=since)
        except Exception as exc:
            raise CommandError(f"{describe_failure(exc)} The rates stored before stay in use.") from exc
        for run in runs:
            newest = run.newest_rate_date.isoformat() if run.newest_rate_date else "none"
            self.stdout.write(
                f"{run.provider}: {run.get_status_display()}, {run.rows_written} new rows, newest rate {newest}"
            )
            if run.error:
                self.stdout.write(f"  {run.error}")
