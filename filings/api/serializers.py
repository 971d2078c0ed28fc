"""Reported capex as the API, exports and the data package return it: one representation."""

from rest_framework import serializers

from config.api.export import serializer_columns
from filings.models import ImportRun, ReportedCapex


class ReportedCapexSerializer(serializers.ModelSerializer):
    """One reported value of one fiscal period, with the filing it comes from on EDGAR."""

    company = serializers.SlugRelatedField(slug_field="slug", read_only=True, help_text="Company slug.")
    period = serializers.CharField(source="period_label", read_only=True, help_text='"FY2025 Q3" or "FY2025".')

    class Meta:
        model = ReportedCapex
        fields = [
            "id",
            "company",
            "fiscal_year",
            "fiscal_quarter",
            "period",
            "period_start",
            "period_end",
            "amount",
            "currency",
            "concept",
            "form",
            "accession_number",
            "filed_on",
            "edgar_url",
            "derived",
            "origin",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "id": {"help_text": "Identifier of the reported value."},
            "fiscal_year": {"help_text": "The company's fiscal year."},
            "fiscal_quarter": {"help_text": "1-4; null for a full year."},
            "period_start": {"help_text": "First day of the period."},
            "period_end": {"help_text": "Last day of the period."},
            "amount": {"help_text": "Capital expenditure in the period, in `currency`."},
            "currency": {"help_text": "ISO 4217 currency of the amount."},
            "concept": {"help_text": "The XBRL concept the value was filed under."},
            "form": {"help_text": "The filing's form: 10-Q, 10-K, 20-F, 6-K."},
            "accession_number": {"help_text": "The filing's EDGAR accession number."},
            "filed_on": {"help_text": "When the filing was filed."},
            "edgar_url": {"help_text": "The filing on EDGAR."},
            "derived": {"help_text": "True for a quarter derived from year-to-date values; false as reported."},
            "origin": {"help_text": "Where the value comes from: imported from EDGAR or entered by an editor."},
        }


class ImportRunSerializer(serializers.ModelSerializer):
    company = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = ImportRun
        fields = ["id", "company", "status", "started_at", "finished_at", "rows_written", "url", "error"]
        read_only_fields = fields


class ReportedFilingSerializer(serializers.ModelSerializer):
    """A stored value counted in a fiscal year's reported total, with the filing on EDGAR."""

    period = serializers.CharField(source="period_label", read_only=True, help_text='"FY2025 Q3" or "FY2025".')

    class Meta:
        model = ReportedCapex
        fields = ["period", "amount", "form", "accession_number", "filed_on", "edgar_url", "derived", "origin"]
        read_only_fields = fields
        extra_kwargs = {name: ReportedCapexSerializer.Meta.extra_kwargs[name] for name in fields if name != "period"}


MONEY = {"max_digits": 20, "decimal_places": 2, "read_only": True}


class GuidedVsReportedSerializer(serializers.Serializer):
    """
    One company's fiscal year: what it reported so far, by quarter, beside its current total-capex
    guidance for the year, as the company page's "guided vs reported so far" table shows it.
    """

    company = serializers.CharField(source="company.slug", read_only=True, help_text="Company slug.")
    company_name = serializers.CharField(source="company.name", read_only=True, help_text="Company name.")
    fiscal_year = serializers.IntegerField(
        source="row.fiscal_year", read_only=True, help_text="The company's fiscal year."
    )
    currency = serializers.CharField(
        source="row.currency", read_only=True, help_text="ISO 4217 currency of the amounts."
    )
    quarters = serializers.DictField(
        source="row.quarters",
        child=serializers.DecimalField(**MONEY),
        read_only=True,
        help_text='Reported capex by fiscal quarter ("1" to "4"), as filed or derived from year-to-date values.',
    )
    quarters_reported = serializers.IntegerField(
        source="row.quarters_reported", read_only=True, help_text="Quarters covered so far (4 once the year is filed)."
    )
    complete = serializers.BooleanField(
        source="row.complete",
        read_only=True,
        help_text="Whether the whole fiscal year is reported: filed as a year, or all four of its quarters.",
    )
    reported_so_far = serializers.DecimalField(
        source="row.reported_so_far", **MONEY, help_text="The year as filed, or the sum of its quarters so far."
    )
    full_year = serializers.DecimalField(
        source="row.full_year", allow_null=True, **MONEY, help_text="The year as filed; null until it is."
    )
    guidance_low = serializers.DecimalField(
        source="row.guidance_low", allow_null=True, **MONEY, help_text="Low end of the current guidance; null without."
    )
    guidance_high = serializers.DecimalField(
        source="row.guidance_high", allow_null=True, **MONEY, help_text="High end of the current guidance."
    )
    share_delivered = serializers.DecimalField(
        source="row.share_delivered",
        max_digits=8,
        decimal_places=4,
        allow_null=True,
        read_only=True,
        help_text="Reported so far over the guidance's midpoint (0.5 = half); null without guidance.",
    )
    filings = ReportedFilingSerializer(
        source="row.sources", many=True, read_only=True, help_text="The values counted, each with its EDGAR link."
    )


def guided_vs_reported_columns() -> list[tuple[str, tuple[str, ...]]]:
    """
    GuidedVsReportedSerializer as CSV columns, named as its JSON keys: `quarters` one column a
    quarter (`quarters_1` is `quarters["1"]`), and the filings counted flattened as every export
    flattens a list (`filings_edgar_url` holds each filing's link, "; " between them).
    """
    columns = []
    for name, path in serializer_columns(GuidedVsReportedSerializer()):
        if name == "quarters":
            columns += [(f"quarters_{quarter}", ("quarters", str(quarter))) for quarter in range(1, 5)]
        else:
            columns.append((name, path))
    return columns
