"""Reported capex as the API, exports and the data package return it: one representation."""

from rest_framework import serializers

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
