"""
Spreadsheet formulas neutralised in everything the project writes as CSV or XLSX (OWASP's
advice against CSV injection): the API's CSV (`?format=csv` and `export/`), the explore page's
download, the pages' chart downloads and the admin's CSV and XLSX exports.

A cell that starts with =, +, -, @, a tab or a carriage return is run as a formula by spreadsheet
programs; in XLSX, openpyxl even writes such text as a formula. `escape_formula` is the one rule,
used by all of these and by the export pipeline (config.api.export): such text gets a leading
apostrophe, so it is shown, never executed. A plain number (a negative amount, "-12.50") is left
as it is: it cannot be a formula.
"""

import re

from import_export.formats import base_formats

# Spreadsheets run a cell that starts with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


def escape_formula(value):
    """The one rule for every exported cell: text a spreadsheet would run as a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


class _NeutralisingMixin:
    def export_data(self, dataset, **kwargs):
        for _ in range(len(dataset)):
            row = dataset[0]
            del dataset[0]
            dataset.append([escape_formula(cell) for cell in row])
        return super().export_data(dataset, **kwargs)


class CSV(_NeutralisingMixin, base_formats.CSV):
    pass


class XLSX(_NeutralisingMixin, base_formats.XLSX):
    pass
