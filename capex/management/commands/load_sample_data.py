from django.core.management.base import BaseCommand

from capex.sample_data import sample_data_load


class Command(BaseCommand):
    help = "Load the sample companies, sources and published figures (idempotent: a second run changes nothing)."

    def handle(self, *args, **options):
        created = sample_data_load()
        summary = ", ".join(f"{count} {kind}" for kind, count in created.items())
        self.stdout.write(self.style.SUCCESS(f"Sample data loaded: created {summary}."))
