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


class ImportRunSerializer(serializers.ModelSerializer):
    company = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = ImportRun
        fields = ["id", "company", "status", "started_at", "finished_at", "rows_written", "url", "error"]
        read_only_fields = fields
