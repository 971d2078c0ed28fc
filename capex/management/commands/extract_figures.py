"""
`manage.py extract_figures FILE`: the figure extractor for other tools.

Prints one JSON object per line for each figure found in the file ("-" reads standard input),
with the keys amount, amount_high, currency, qualifier, quote, scope, workload, category and
vendors. Amounts are exact decimal strings ("12000000000"), never floats; a key is null where
the text gave no hint.
"""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from capex.extraction import extract_figures


class Command(BaseCommand):
    help = "Print the figures found in a text file, one JSON object per line."

    def add_arguments(self, parser):
        parser.add_argument("file", help='A UTF-8 text file, or "-" for standard input.')

    def handle(self, *args, file: str, **options):
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
        for candidate in extract_figures(text):
            self.stdout.write(json.dumps(candidate.as_dict(), ensure_ascii=False))
