"""Reported capex in the API, read-only."""

from config.api.export import Column, ExportSpec
from config.api.views import ResourceViewSet
from filings.api.serializers import ReportedCapexSerializer
from filings.filters import ReportedCapexFilterSet
from filings.models import ReportedCapex

FIELDS = (
    "id",
    "fiscal_year",
    "fiscal_quarter",
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
)

REPORTED_EXPORT = ExportSpec(
    columns=(Column("id"), Column("company", source="company__slug"), *(Column(name) for name in FIELDS[1:])),
    values=(*FIELDS, "company__slug"),
)


class ReportedCapexViewSet(ResourceViewSet):
    """
    Capital expenditure companies reported in their filings (SEC EDGAR XBRL), by fiscal quarter
    and year, with the filing's EDGAR link; derived quarters are year-to-date differences. Every
    filed value is listed; `current=true` keeps the latest filed value of each period.
    """

    queryset = ReportedCapex.objects.published().select_related("company")
    serializer_class = ReportedCapexSerializer
    lookup_value_regex = r"[0-9]{1,18}"
    filterset_class = ReportedCapexFilterSet
    ordering = ["-period_end", "-id"]
    ordering_fields = {"period_end": "End of the period.", "id": "Order of entry."}
    export_spec = REPORTED_EXPORT
    export_name = "reported-capex"
