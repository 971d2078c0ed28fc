"""Exchange rates and refresh runs in the API, read-only, with the freshness of the rates."""

from config.api.pagination import CursorPagination
from config.api.views import ResourceViewSet
from currencies.api.serializers import ExchangeRateSerializer, RateRefreshSerializer
from currencies.filters import ExchangeRateFilterSet, RateRefreshFilterSet
from currencies.models import ExchangeRate, RateRefresh
from currencies.selectors import rates_freshness_payload

ID_PATTERN = r"[0-9]{1,18}"


class RatesCursorPagination(CursorPagination):
    """A page of rates, with the freshness of the stored rates beside it, so staleness is visible."""

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["rates"] = rates_freshness_payload()
        return response

    def get_paginated_response_schema(self, schema):
        paginated = super().get_paginated_response_schema(schema)
        paginated["required"].append("rates")
        paginated["properties"]["rates"] = {
            # The component comes from the stats response, which embeds the same object.
            "$ref": "#/components/schemas/RatesFreshness",
        }
        return paginated


class ExchangeRateViewSet(ResourceViewSet):
    """
    Stored exchange rates as their providers publish them (EUR-based ECB pairs, USD pegs,
    manual rates). Cross rates are computed when converting and are not stored. The list
    carries `rates`, the freshness of the stored rates.
    """

    queryset = ExchangeRate.objects.all()
    serializer_class = ExchangeRateSerializer
    pagination_class = RatesCursorPagination
    lookup_value_regex = ID_PATTERN
    filterset_class = ExchangeRateFilterSet
    ordering = ["-date", "-id"]
    ordering_fields = {"date": "Rate date.", "id": "Order of entry."}
    export_name = "exchange-rates"


class RateRefreshViewSet(ResourceViewSet):
    """Every refresh run of every rate provider, newest first: when it ran, what it stored, what failed."""

    queryset = RateRefresh.objects.all()
    serializer_class = RateRefreshSerializer
    lookup_value_regex = ID_PATTERN
    filterset_class = RateRefreshFilterSet
    ordering = ["-started_at", "-id"]
    ordering_fields = {"started_at": "When the run started.", "id": "Order of entry."}
    export_name = "rate-refreshes"
