"""
Announced figures and their totals in the API.

Anyone reads published figures; staff may ask for drafts (`?state=draft`). Writes need a
token and the model permission, go through capex.services, and produce drafts: a figure is
published only by a reviewer, through the workflow. Totals come from capex.selectors, which
holds the rule that totals never double count.
"""

from decimal import ROUND_HALF_EVEN, Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BrowsableAPIRenderer
from rest_framework.response import Response

from capex.api.serializers import (
    CitationSerializer,
    CitationWriteSerializer,
    InvestmentCreateSerializer,
    InvestmentSerializer,
    InvestmentUpdateSerializer,
    ReturnToDraftSerializer,
)
from capex.choices import FxBasis, Measure
from capex.filters import InvestmentFilterSet
from capex.models import Citation, Investment
from capex.selectors import (
    DEFAULT_MEASURE,
    DEFAULT_YEAR_MODE,
    DIMENSIONS,
    UNSPECIFIED,
    YEAR_MODES,
    Breakdown,
    Bucket,
    Measures,
    breakdown,
)
from capex.services.investments import citation_add, investment_create, investment_update
from capex.services.workflow import investment_publish, investment_return_to_draft, investment_submit
from capex.views.reported import reported_years
from companies.models import Company
from config.api.datapackage import Table as PackageTable
from config.api.datapackage import data_package, data_package_response
from config.api.exceptions import validation_error_detail
from config.api.export import Table
from config.api.filters import FilterBackend
from config.api.permissions import HasModelPermissions
from config.api.renderers import CSVRenderer, FastJSONRenderer
from config.api.views import ApiViewMixin, ResourceViewSet
from currencies.api.serializers import RatesFreshnessSerializer
from currencies.selectors import rates_freshness_payload
from filings.api.serializers import (
    GuidedVsReportedSerializer,
    ReportedCapexSerializer,
    guided_vs_reported_columns,
)
from filings.models import ReportedCapex

CENT = Decimal("0.01")
# Groups listed by the stats endpoint unless asked for more: grouping by company over a large set
# gives tens of thousands of groups, megabytes of JSON nobody reads.
STATS_DEFAULT_LIMIT = 100
STATS_MAX_LIMIT = 100_000
# Sorts figures without a USD value after every converted one in `?ordering=-amount_usd`.
NOT_CONVERTED = Value(Decimal(-1))


class InvestmentViewSet(ResourceViewSet):
    """
    Announced AI infrastructure figures. Lists show published, current figures unless asked
    otherwise; headline figures and their components are both listed (`?top_level=true` for
    headlines only), so a list is not a total: use `/api/v1/stats/` for totals.
    """

    lookup_value_regex = r"[0-9]{1,18}"
    filterset_class = InvestmentFilterSet
    ordering = ["-announced_on", "-id"]
    ordering_fields = {
        "announced_on": "Announcement date.",
        "amount_usd": "USD value at the announcement-date rate (the low end of a range); figures not "
        "converted sort as lowest.",
        "company_name": "Name of the announcing company.",
        "updated_at": "Last change of the record.",
        "id": "Order of entry.",
    }
    export_name = "investments"
    cache_name = "investments"

    def get_queryset(self):
        return self.with_related(Investment.objects.visible_to(self.request.user))

    def with_related(self, queryset):
        return _with_ordering_keys(InvestmentSerializer.related(queryset, user=self.request.user))

    def get_serializer_class(self):
        if self.action == "create":
            return InvestmentCreateSerializer
        if self.action == "partial_update":
            return InvestmentUpdateSerializer
        return InvestmentSerializer

    def _read(self, investment: Investment, *, status_code: int = status.HTTP_200_OK) -> Response:
        # Read back whatever the state: the writer sees the draft it just wrote.
        fresh = self.with_related(Investment.objects.all()).get(pk=investment.pk)
        data = InvestmentSerializer(fresh, context=self.get_serializer_context()).data
        headers = {"Location": data["api_url"]} if status_code == status.HTTP_201_CREATED else None
        return Response(data, status=status_code, headers=headers)

    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY})
    @action(detail=False, methods=["get"], url_path="datapackage", pagination_class=None)
    def datapackage(self, request, *args, **kwargs):
        """
        A Frictionless Data Package (zip): `datapackage.json` with each table's columns and types,
        the licence and when it was made, and two CSV tables: the figures matching the filters,
        as `export/` writes them (sources, quotes, evidence, measure and both USD bases, with
        absolute links), and the capital expenditure companies reported in their filings (those of
        the `company` filter when one is given), the latest filed value of each period, with their
        EDGAR links.
        """
        figures = self.filter_queryset(self.get_queryset()).order_by("-announced_on", "-id")
        reported = ReportedCapex.objects.current().select_related("company").order_by("company__slug", "period_end")
        if companies := request.query_params.getlist("company"):  # the reported capex of the view's companies
            reported = reported.filter(company__slug__in=companies)
        content = data_package(
            tables=[
                PackageTable(
                    "investments",
                    "Announced figures: one row per figure, with its citations, measure, period and USD values.",
                    figures,
                    InvestmentSerializer,
                ),
                PackageTable(
                    "reported-capex",
                    "Capital expenditure as companies reported it in their filings, by fiscal quarter and year.",
                    reported,
                    ReportedCapexSerializer,
                ),
            ],
            context=self.get_serializer_context(),
            title="AI Capex Tracker: announced AI infrastructure spending and reported capital expenditure",
            description="Figures that companies and governments announced for AI infrastructure, each with the "
            "words of its source, and what companies reported in their filings. Totals are not included: they "
            "follow the counting rules described on the site's methodology page.",
            sources=[
                {"title": "The sources cited by each figure: see the citations_* columns."},
                {
                    "title": "SEC EDGAR XBRL financial data, for reported capex: each row's edgar_url is its filing",
                    "path": "https://www.sec.gov/edgar",
                },
            ],
        )
        return data_package_response(content, name="ai-capex-datapackage")

    @extend_schema(request=InvestmentCreateSerializer, responses={201: InvestmentSerializer})
    def create(self, request, *args, **kwargs):
        """
        Create a figure with its citations (needs `capex.add_investment`, and
        `capex.add_citation` when citations are sent). It is saved as a draft.
        """
        serializer = InvestmentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        citations = fields.pop("citations", [])
        if citations and not request.user.has_perm("capex.add_citation"):
            self.permission_denied(request, message="Adding citations needs the permission capex.add_citation.")
        with transaction.atomic():
            investment = investment_create(created_by=request.user, **fields)
            _add_citations(investment, citations, by=request.user)
        return self._read(investment, status_code=status.HTTP_201_CREATED)

    @extend_schema(request=InvestmentUpdateSerializer, responses={200: InvestmentSerializer})
    def partial_update(self, request, *args, **kwargs):
        """Change some fields of a draft figure (needs `capex.change_investment`)."""
        investment = self.get_object()
        serializer = InvestmentUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        investment = investment_update(investment=investment, updated_by=request.user, **serializer.validated_data)
        return self._read(investment)

    @extend_schema(request=CitationWriteSerializer, responses={201: CitationSerializer})
    @action(
        detail=True,
        methods=["post"],
        url_path="citations",
        permission_classes=[HasModelPermissions("capex.add_citation")],
    )
    def citations(self, request, *args, **kwargs):
        """Attach a source and its supporting quote to a draft figure (needs `capex.add_citation`)."""
        investment = self.get_object()
        serializer = CitationWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        citation = citation_add(investment=investment, by=request.user, **serializer.validated_data)
        citation = Citation.objects.select_related("source__publisher").get(pk=citation.pk)
        return Response(CitationSerializer(citation, context=self.get_serializer_context()).data, status=201)

    @extend_schema(request=None, responses={200: InvestmentSerializer})
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def submit(self, request, *args, **kwargs):
        """Send a draft for review (needs `capex.submit_investment`; the figure needs a citation)."""
        return self._read(investment_submit(investment=self.get_object(), by=request.user))

    @extend_schema(request=None, responses={200: InvestmentSerializer})
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def publish(self, request, *args, **kwargs):
        """
        Publish a figure in review (needs `capex.publish_investment`; nobody publishes a figure
        in which any change since it was last published is their own).
        """
        return self._read(investment_publish(investment=self.get_object(), by=request.user))

    @extend_schema(request=ReturnToDraftSerializer, responses={200: InvestmentSerializer})
    @action(detail=True, methods=["post"], url_path="return-to-draft", permission_classes=[IsAuthenticated])
    def return_to_draft(self, request, *args, **kwargs):
        """Take a figure back to draft with a reason (needs `capex.return_investment`)."""
        serializer = ReturnToDraftSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        investment = investment_return_to_draft(
            investment=self.get_object(), by=request.user, reason=serializer.validated_data["reason"]
        )
        return self._read(investment)


def _with_ordering_keys(queryset):
    """The annotations that `ordering_fields` sort on."""
    return queryset.annotate(
        amount_usd=Coalesce(F("amount_usd_at_announcement"), NOT_CONVERTED), company_name=F("company__name")
    )


def _add_citations(investment: Investment, citations: list[dict], *, by) -> None:
    """
    Attach citations in order; an error is reported under `citations` at the index it concerns,
    as DRF reports errors of nested lists ({"citations": {"1": {"quote": [...]}}}).
    """
    for index, citation in enumerate(citations):
        try:
            citation_add(investment=investment, by=by, **citation)
        except DjangoValidationError as error:
            raise ValidationError({"citations": {str(index): validation_error_detail(error)}}) from error


# --- Stats --------------------------------------------------------------------------------


class MeasuresSerializer(serializers.Serializer):
    low = serializers.DecimalField(max_digits=24, decimal_places=2, help_text="Sum of the low ends, in USD.")
    high = serializers.DecimalField(max_digits=24, decimal_places=2, help_text="Sum of the high ends, in USD.")
    point = serializers.DecimalField(
        max_digits=24, decimal_places=2, help_text="Sum of the point values (a range's midpoint), in USD."
    )


class BoundsSerializer(MeasuresSerializer):
    high_open = serializers.BooleanField(
        help_text='Whether the high bound is open: some figure says "at least", so the total is at least `low`.'
    )
    open_figures = serializers.IntegerField(help_text='How many of the figures are open-ended ("at least").')


class BucketSerializer(BoundsSerializer):
    key = serializers.CharField(
        help_text="The group: a company slug, country code, year, choice value, vendor, vendors sharing a stated "
        'share ("cambricon+huawei") or "unallocated:<vendors>".'
    )
    label = serializers.CharField(help_text="The group in words.")
    figure_count = serializers.IntegerField(help_text="Headline figures that contribute to this group.")


class OtherSerializer(MeasuresSerializer):
    key = serializers.CharField(help_text='Always "other".')
    label = serializers.CharField(help_text="How many groups it adds up.")
    group_count = serializers.IntegerField(help_text="Groups added up here.")


class StatsSerializer(serializers.Serializer):
    group_by = serializers.ChoiceField(choices=DIMENSIONS, help_text="The dimension the totals are grouped by.")
    basis = serializers.ChoiceField(choices=FxBasis.choices, help_text="Which USD conversion the totals use.")
    year_mode = serializers.ChoiceField(choices=YEAR_MODES, help_text="How figures are assigned to years.")
    measure = serializers.ChoiceField(
        choices=Measure.choices, help_text="What the totals add up; different measures are never added together."
    )
    currency = serializers.CharField(help_text="Currency of every amount: USD.")
    total = BoundsSerializer(help_text="The total over all groups; each headline figure is counted once.")
    figure_count = serializers.IntegerField(help_text="Headline figures counted.")
    buckets = BucketSerializer(
        many=True, help_text='The largest `limit` groups, largest first (years in order), "unspecified" last.'
    )
    bucket_count = serializers.IntegerField(help_text="How many groups there are in all, listed or not.")
    other = OtherSerializer(
        allow_null=True, help_text="The groups beyond `limit` added together; null when every group is listed."
    )
    unspecified = BucketSerializer(
        help_text="What the figures do not break down by this dimension; zero when everything is assigned."
    )
    unconverted_figure_count = serializers.IntegerField(help_text="Headline figures left out for want of a USD value.")
    unconverted_figure_ids = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="The first `limit` of them by id; `/api/v1/investments/?converted=false&top_level=true` "
        "lists every one.",
    )
    rates = RatesFreshnessSerializer(help_text="How fresh the exchange rates behind the USD values are.")
    reported = GuidedVsReportedSerializer(
        many=True,
        required=False,
        help_text="With `reported=true`: what the companies (those of `company`, or every company with reported "
        "values) reported in their filings by fiscal year, beside their current total-capex guidance, with the "
        "EDGAR link of each value counted.",
    )


class StatsQuerySerializer(serializers.Serializer):
    group_by = serializers.ChoiceField(choices=DIMENSIONS, default="company", help_text="The dimension to group by.")
    basis = serializers.ChoiceField(
        choices=FxBasis.choices,
        default=FxBasis.ANNOUNCEMENT,
        help_text="`announcement`: USD at the rate of each announcement date; `latest`: at the latest rate.",
    )
    year_mode = serializers.ChoiceField(
        choices=YEAR_MODES,
        default=DEFAULT_YEAR_MODE,
        help_text="For `group_by=year`: `spread` (the default) spreads a figure over the years of its period in "
        "proportion to their days (a figure without a period covers its announcement year); `announcement` puts "
        "it whole in its announcement year.",
    )
    measure = serializers.ChoiceField(
        choices=Measure.choices,
        default=DEFAULT_MEASURE,
        help_text="What to add up: `ai_investment` (the default), `total_capex`, `programme`, `equity_commitment` "
        "or `other`. One measure at a time: they are never added together.",
    )
    limit = serializers.IntegerField(
        min_value=1,
        max_value=STATS_MAX_LIMIT,
        default=STATS_DEFAULT_LIMIT,
        help_text=f"How many groups to list (the rest are added up in `other`); up to {STATS_MAX_LIMIT:,}.",
    )
    reported = serializers.BooleanField(
        default=False,
        help_text="`true` adds `reported`: capital expenditure reported in filings by company and fiscal year, "
        "against guidance. With `format=csv` the CSV is that table instead of the groups: one row per company and "
        "fiscal year, its columns named as the keys of `reported` (`quarters_1` to `quarters_4` for `quarters`; "
        "`filings_edgar_url` and the other `filings_` columns list each filing counted, separated by `; `).",
    )


# Dimensions whose values include an explicit "unspecified".
DIMENSIONS_WITH_UNSPECIFIED = {"scope", "category", "workload", "vendor"}


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_EVEN)


def _measures(measures: Measures) -> dict:
    return {"low": _money(measures.low), "high": _money(measures.high), "point": _money(measures.point)}


def _bounds(measures: Measures, open_figures: int) -> dict:
    return {**_measures(measures), "high_open": open_figures > 0, "open_figures": open_figures}


def _bucket(bucket: Bucket) -> dict:
    return {
        "key": bucket.key,
        "label": bucket.label,
        **_bounds(bucket.measures, bucket.open_figures),
        "figure_count": bucket.figure_count,
    }


def stats_payload(result: Breakdown, *, year_mode: str, limit: int = STATS_MAX_LIMIT) -> dict:
    unspecified_bucket = result.bucket(UNSPECIFIED)
    groups = [b for b in result.buckets if b.key != UNSPECIFIED]
    listed, beyond = groups[:limit], groups[limit:]
    buckets = [_bucket(bucket) for bucket in listed]
    if unspecified_bucket is not None:
        unspecified = _bucket(unspecified_bucket)
        buckets.append(unspecified)
    else:
        unspecified = _bucket(Bucket(key=UNSPECIFIED, label="Unspecified"))
        if result.dimension in DIMENSIONS_WITH_UNSPECIFIED:
            buckets.append(unspecified)
    other = None
    if beyond:
        other = {
            "key": "other",
            "label": f"{len(beyond):,} other groups",
            **_measures(sum((b.measures for b in beyond), Measures())),
            "group_count": len(beyond),
        }
    unconverted = sorted(result.unconverted)
    return {
        "group_by": result.dimension,
        "basis": result.basis,
        "year_mode": year_mode,
        "measure": result.measure,
        "currency": "USD",
        "total": _bounds(result.total, result.open_figures),
        "figure_count": result.figure_count,
        "buckets": buckets,
        "bucket_count": len(result.buckets),
        "other": other,
        "unspecified": unspecified,
        "unconverted_figure_count": len(unconverted),
        "unconverted_figure_ids": unconverted[:limit],
        "rates": rates_freshness_payload(),
    }


def reported_stats(company_slugs: list[str]) -> list[dict]:
    """The reported section of the stats: the same rows as the company pages' "guided vs reported" tables."""
    companies = (
        Company.objects.filter(slug__in=company_slugs)
        if company_slugs
        else Company.objects.filter(pk__in=ReportedCapex.objects.published().values("company_id"))
    )
    return [{"company": company, "row": row} for company, row in reported_years(companies.order_by("name"))]


class StatsView(ApiViewMixin, generics.GenericAPIView):
    """
    Totals of announced AI infrastructure spending in USD, grouped by one dimension, that
    never double count: only top-level, current, published, not cancelled figures add up;
    their components split them into groups, and what the components do not cover stays in
    the headline's own group, usually "unspecified". Where a headline says "at least" and its
    components add up to more, the components' sum counts (ByteDance: more than $12bn, of which
    RMB 40bn and $6.8bn). The figure filters are those of `/api/v1/investments/`: a filter on a
    component's attribute (`?scope=overseas`) totals the matching parts only.
    """

    filter_backends = [FilterBackend]
    filterset_class = InvestmentFilterSet
    pagination_class = None
    serializer_class = StatsSerializer
    cache_name = "stats"

    def get_renderers(self):
        return [FastJSONRenderer(), CSVRenderer(), BrowsableAPIRenderer()]

    def get_queryset(self):
        return Investment.objects.visible_to(self.request.user)

    @extend_schema(
        parameters=[
            StatsQuerySerializer,
            OpenApiParameter(
                name="format",
                type=OpenApiTypes.STR,
                enum=["json", "csv"],
                description="`csv` returns one table as CSV: the groups (`buckets`), one row each; with "
                "`reported=true`, the reported capex against guidance (`reported`), one row per company and fiscal "
                "year, instead.",
            ),
        ],
        filters=True,
        responses={200: StatsSerializer},
    )
    def get(self, request, *args, **kwargs):
        return self.cached_answer(request, lambda: self.build_stats(request))

    def build_stats(self, request) -> Response:
        # A plain dict, so a blank value is checked like any other (a QueryDict blank means "default").
        query = StatsQuerySerializer(
            data={
                name: request.query_params[name]
                for name in StatsQuerySerializer().fields
                if name in request.query_params
            }
        )
        query.is_valid(raise_exception=True)
        if len(request.query_params.getlist("measure")) > 1:
            raise ValidationError({"measure": ["Totals add up one measure at a time; give one."]})
        options = query.validated_data
        # Without a figure filter every countable figure counts: no list of their ids for the
        # database to check each slice against (at a million figures that list alone took minutes).
        filters = set(request.query_params) - set(StatsQuerySerializer().fields) - {"format"}
        origins = self.filter_queryset(self.get_queryset()) if filters else None
        if request.accepted_renderer.format == "csv" and options["reported"]:
            # One CSV is one table: with `reported`, the guided-vs-reported rows, not the groups.
            rows = GuidedVsReportedSerializer(reported_stats(request.query_params.getlist("company")), many=True).data
            return Response(Table.flattened(guided_vs_reported_columns(), rows))

        result = breakdown(
            dimension=options["group_by"],
            basis=options["basis"],
            origins=origins,
            year_mode=options["year_mode"],
            measure=options["measure"],
        )
        payload = stats_payload(result, year_mode=options["year_mode"], limit=options["limit"])
        if options["reported"]:
            payload["reported"] = reported_stats(request.query_params.getlist("company"))
        data = dict(StatsSerializer(payload).data)
        if request.accepted_renderer.format == "csv":
            columns = ["key", "label", "low", "high", "point", "high_open", "open_figures", "figure_count"]
            return Response(Table(columns=columns, rows=data["buckets"]))
        return Response(data)
