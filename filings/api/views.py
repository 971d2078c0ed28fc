"""Reported capex in the API, read-only."""

from config.api.views import ResourceViewSet
from filings.api.serializers import ReportedCapexSerializer
from filings.filters import ReportedCapexFilterSet
from filings.models import ReportedCapex


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
    export_name = "reported-capex"
