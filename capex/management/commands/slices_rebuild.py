import time

from django.core.management.base import BaseCommand

from capex.models import FigureSlice, Investment
from capex.services.slices import slices_refresh


class Command(BaseCommand):
    help = (
        "Rebuild the stored slices that totals are summed from (capex.services.slices), in one "
        "transaction. --if-empty rebuilds only when there are countable figures and no slices, "
        "as after the migration that adds the table."
    )

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="only when no slice is stored yet")

    def handle(self, *args, if_empty: bool, **options):
        if if_empty and (FigureSlice.objects.exists() or not Investment.objects.countable().exists()):
            self.stdout.write("Slices are in place; nothing to do.")
            return
        started = time.monotonic()
        written = slices_refresh()
        self.stdout.write(self.style.SUCCESS(f"Stored {written:,} slices in {time.monotonic() - started:.1f} s."))
