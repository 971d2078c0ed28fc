"""
`manage.py extract_figures FILE [--published YYYY-MM-DD]`: the figure extractor for other tools.

Prints one JSON object per line for each figure found in the file ("-" reads standard input),
with the keys amount, amount_high, currency, qualifier, quote, scope, workload, category and
vendors. Amounts are exact decimal strings ("12000000000"), never floats; a key is null where
the text gave no hint.

With --published (the date the text was made public), each object also has company (the slug
of the company named nearest the figure), period_start, period_end and measure, periods like
"this year" or "over the next three years" are resolved against that date, and quote is the
clause that carries the figure rather than its whole sentence.
"""

import json
import sys
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from capex.extraction import KnownCompany, extract_figures, extract_in_context
from companies.choices import CompanyKind
from companies.models import Company


def known_companies() -> list[KnownCompany]:
    """
    The companies a figure can belong to, with every name they go by and their fiscal years (as the
    inbox reads them). Chip vendors own a figure only when named before it: their own investments.
    """
    return [
        KnownCompany(
            key=company.slug,
            names=(company.name, *company.alias_list),
            fiscal_year_end_month=company.fiscal_year_end_month,
            vendor=company.kind == CompanyKind.CHIP_VENDOR,
        )
        for company in Company.objects.all()
    ]


class Command(BaseCommand):
    help = "Print the figures found in a text file, one JSON object per line."

    def add_arguments(self, parser):
        parser.add_argument("file", help='A UTF-8 text file, or "-" for standard input.')
        parser.add_argument(
            "--published",
            type=date.fromisoformat,
            help="When the text was made public (YYYY-MM-DD): adds company, period and measure to each figure.",
        )

    def handle(self, *args, file: str, published: date | None = None, **options):
        if file == "-":
            text = sys.stdin.read()
        else:
            path = Path(file)
            try:
                text = path.read_text(encoding="utf-8")
            except FileNotFoundError:
                raise CommandError(f"No such file: {file}") from None
            except UnicodeDecodeError:
                raise CommandError(f"{file} is not UTF-8 text.") from None
            except OSError as error:
                raise CommandError(f"{file} cannot be read: {error.strerror}") from None
        if published is None:
            figures = [candidate.as_dict() for candidate in extract_figures(text)]
        else:
            figures = [
                figure.as_dict()
                for figure in extract_in_context(text, published=published, companies=known_companies())
            ]
        for figure in figures:
            self.stdout.write(json.dumps(figure, ensure_ascii=False))
