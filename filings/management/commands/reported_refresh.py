"""manage.py reported_refresh [--company SLUG]: what beat runs weekly, by hand."""

from django.core.management.base import BaseCommand, CommandError

from companies.models import Company
from filings.choices import ImportStatus
from filings.services import reported_refresh_all


class Command(BaseCommand):
    help = "Import reported capital expenditure from SEC EDGAR for every company with a CIK (or one --company)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--company", help="Only this company (its slug).")

    def handle(self, *args, company: str | None = None, **options) -> None:
        companies = None
        if company:
            companies = Company.objects.filter(slug=company).exclude(cik="")
            if not companies.exists():
                raise CommandError(f"No company {company!r} with a CIK.")
        runs = reported_refresh_all(companies=companies)
        for run in runs:
            line = f"{run.company or 'all'}: {run.get_status_display()}, {run.rows_written} new rows"
            self.stdout.write(f"{line}. {run.error}" if run.error else line)
        if any(run.status == ImportStatus.FAILED for run in runs):
            raise CommandError("Some imports failed; the values stored before stay in use.")
