"""
The admin's CSV and XLSX export formats, with spreadsheet formulas neutralised.

A cell that starts with =, +, -, @, a tab or a carriage return is run as a formula by
spreadsheet programs (CSV injection); in XLSX, openpyxl even writes such text as a formula.
Every exported text cell that starts so gets a leading apostrophe, the same rule as the API's and
the pages' exports (config.api.export), so a figure's title is shown, never executed.
"""

from import_export.formats import base_formats

# Spreadsheets run a cell that starts with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value):
    """The one rule for every exported cell: text a spreadsheet would run as a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
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
