"""
`manage.py export_curated_data [--company SLUG ...] [--output FILE]`: write published figures in the
curated dataset's format, so editors' changes in the admin can be reviewed and kept as files.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from capex.curated import dataset_export
from capex.models import Investment


class Command(BaseCommand):
    help = "Export published figures in the curated dataset's YAML format."

    def add_arguments(self, parser):
        parser.add_argument("--company", action="append", default=[], help="Only this company's figures (repeatable).")
        parser.add_argument("--output", help="Write to this file instead of standard output.")

    def handle(self, *args, company: list[str], output: str | None, **options):
        figures = (
            Investment.objects.published()
            .select_related("company", "parent__company", "supersedes__company")
            .prefetch_related("partners", "chip_vendors", "vendor_shares")
            .order_by("company__slug", "announced_on", "pk")
        )
        if company:
            figures = figures.filter(company__slug__in=company)
            if not figures.exists():
                raise CommandError(f"No published figures for {', '.join(company)}.")
        text = dataset_export(figures)
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stdout.write(f"Wrote {figures.count()} figures to {output}.")
        else:
            self.stdout.write(text, ending="")
