"""
The shape of announced figures in the API. Serializers check the shape of input; the rules
(ranges, components one level deep, revisions of the same company, citations before
publication) live in capex.services and Investment.clean().
"""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from capex.choices import Category, Evidence, Measure, Qualifier, Scope, Status, WorkflowState, Workload
from capex.models import MONEY, Citation, Investment, VendorShare
from capex.services.workflow import REASON_MAX_LENGTH
from companies.api.serializers import CompanyRefSerializer
from companies.filters import COUNTRY_CHOICES
from companies.models import Company
from config.api.fields import AsciiDecimalField, IdRelatedField, SlugField
from currencies.choices import CURRENCY_CHOICES
from sources.models import Source

MONEY_FIELD = {"max_digits": MONEY["max_digits"], "decimal_places": MONEY["decimal_places"]}


def absolute(request, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


class ConversionSerializer(serializers.Serializer):
    """One USD conversion of a figure, with what it used, or why there is none."""

    amount_usd = serializers.DecimalField(
        **MONEY_FIELD, allow_null=True, help_text="The amount (the low end of a range) in US dollars."
    )
    amount_high_usd = serializers.DecimalField(
        **MONEY_FIELD, allow_null=True, help_text="The high end of a range in US dollars; null otherwise."
    )
    rate = serializers.DecimalField(
        max_digits=24, decimal_places=12, allow_null=True, help_text="US dollars per unit of the figure's currency."
    )
    rate_date = serializers.DateField(
        allow_null=True, help_text="The date of the rate used (on or before the wanted one)."
    )
    provider = serializers.CharField(allow_null=True, help_text="Where the rate came from, e.g. `ecb`, `peg`.")
    not_converted_reason = serializers.CharField(
        allow_null=True, help_text="Why there is no USD value (no rate within the tolerance, ...); null when converted."
    )

    def __init__(self, *args, suffix: str = "at_announcement", **kwargs):
        self.suffix = suffix
        super().__init__(*args, **kwargs)

    def to_representation(self, investment: Investment) -> dict:
        return super().to_representation(conversion_values(investment, self.suffix))


def conversion_values(investment: Investment, suffix: str) -> dict:
    """One basis's conversion fields of a figure (`suffix`: at_announcement or latest)."""
    amount = getattr(investment, f"amount_usd_{suffix}")
    note = getattr(investment, f"fx_note_{suffix}")
    reason = (note or "Not converted yet: the conversion runs after the figure is saved.") if amount is None else None
    return {
        "amount_usd": amount,
        "amount_high_usd": getattr(investment, f"amount_high_usd_{suffix}"),
        "rate": getattr(investment, f"fx_rate_{suffix}"),
        "rate_date": getattr(investment, f"fx_date_{suffix}"),
        "provider": getattr(investment, f"fx_provider_{suffix}") or None,
        "not_converted_reason": reason,
    }


class PeriodSerializer(serializers.Serializer):
    """The period a figure covers."""

    start = serializers.DateField(source="period_start", allow_null=True, help_text="First day covered.")
    end = serializers.DateField(source="period_end", allow_null=True, help_text="Last day covered.")
    label = serializers.CharField(source="period_label", help_text='As stated: "2025", "FY2025", "2025-2028".')


class CitedSourceSerializer(serializers.ModelSerializer):
    """The source a citation quotes."""

    publisher = serializers.CharField(
        source="publisher.name", default=None, allow_null=True, read_only=True, help_text="Who published it."
    )
    api_url = serializers.HyperlinkedIdentityField(view_name="api:source-detail", help_text="This source in the API.")

    class Meta:
        model = Source
        fields = ["id", "title", "url", "publisher", "published_on", "api_url"]
        extra_kwargs = {
            "id": {"help_text": "Identifier of the source."},
            "title": {"help_text": "Title as published."},
            "url": {"help_text": "Address of the source; empty where it is not known."},
            "published_on": {"help_text": "Publication date."},
        }


class CitationSerializer(serializers.ModelSerializer):
    """The evidence for a figure: a source and the exact words in it."""

    source = CitedSourceSerializer(read_only=True, help_text="The source quoted.")

    class Meta:
        model = Citation
        fields = ["id", "source", "quote", "locator", "note"]
        extra_kwargs = {
            "id": {"help_text": "Identifier of the citation."},
            "note": {"help_text": 'What a reader should know about this evidence, e.g. "original not read".'},
            "quote": {"help_text": "The exact words in the source that support the figure."},
            "locator": {"help_text": 'Where in the source: "paragraph 3", "p. 14".'},
        }


class CitationWriteSerializer(serializers.Serializer):
    """A citation to attach to a figure."""

    source = IdRelatedField(queryset=Source.objects.all(), help_text="Id of the source quoted.")
    quote = serializers.CharField(max_length=5000, help_text="The exact words in the source that support the figure.")
    locator = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text='Where in the source: "paragraph 3", "p. 14".'
    )


class VendorShareSerializer(serializers.ModelSerializer):
    """A chip vendor's share of a figure, as the source states it."""

    vendor = CompanyRefSerializer(read_only=True, help_text="The chip vendor.")

    class Meta:
        model = VendorShare
        fields = ["vendor", "share_percent", "share_percent_high", "share_amount", "group", "quote"]
        extra_kwargs = {
            "share_percent": {"help_text": "Percentage of the figure (the low end of a stated range)."},
            "share_percent_high": {"help_text": "High end of a stated percentage range; null otherwise."},
            "share_amount": {"help_text": "Amount in the figure's currency, where stated instead of a percentage."},
            "group": {"help_text": "Vendors with the same group share one stated share."},
            "quote": {"help_text": "The words the share comes from."},
        }


class InvestmentSerializer(serializers.ModelSerializer):
    """One announced figure, as stated and in USD, with its place among other figures and its sources."""

    api_url = serializers.HyperlinkedIdentityField(
        view_name="api:investment-detail", help_text="This figure in the API."
    )
    web_url = serializers.SerializerMethodField(help_text="This figure's page on the website.")
    company = CompanyRefSerializer(read_only=True, help_text="The company that announced the figure.")
    partners = CompanyRefSerializer(many=True, read_only=True, help_text="Other companies in a joint announcement.")
    period = PeriodSerializer(source="*", read_only=True, help_text="The period the figure covers.")
    qualifier = serializers.ChoiceField(
        choices=Qualifier.choices, read_only=True, help_text="How the amount is stated (about, at least, a range...)."
    )
    currency = serializers.ChoiceField(choices=CURRENCY_CHOICES, read_only=True, help_text="ISO 4217 currency.")
    usd_at_announcement = ConversionSerializer(
        source="*", suffix="at_announcement", read_only=True, help_text="In USD at the rate of the announcement date."
    )
    usd_latest = ConversionSerializer(
        source="*", suffix="latest", read_only=True, help_text="In USD at the latest stored rate."
    )
    measure = serializers.ChoiceField(
        choices=Measure.choices,
        read_only=True,
        help_text="What the figure measures; totals never add different measures together.",
    )
    vendor_shares = VendorShareSerializer(
        many=True, read_only=True, help_text="Shares of the chip vendors, where the source states them."
    )
    scope = serializers.ChoiceField(
        choices=Scope.choices, read_only=True, help_text="Where the money is spent relative to the company's home."
    )
    target_countries = serializers.SerializerMethodField(help_text="Countries the money is spent in (alpha-2).")
    category = serializers.ChoiceField(choices=Category.choices, read_only=True, help_text="What the money buys.")
    workload = serializers.ChoiceField(
        choices=Workload.choices, read_only=True, help_text="Training, inference or both."
    )
    chip_vendors = CompanyRefSerializer(many=True, read_only=True, help_text="Chip vendors the money buys from.")
    evidence = serializers.ChoiceField(choices=Evidence.choices, read_only=True, help_text="How the figure is known.")
    status = serializers.ChoiceField(choices=Status.choices, read_only=True, help_text="Progress of the spending.")
    state = serializers.ChoiceField(
        choices=WorkflowState.choices, read_only=True, help_text="Editorial state; only staff see other than published."
    )
    parent = serializers.PrimaryKeyRelatedField(
        read_only=True,
        allow_null=True,
        help_text="Id of the larger figure this one is a component of; null for a headline.",
    )
    components = serializers.SerializerMethodField(help_text="Ids of the figures this one is split into.")
    supersedes = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="Id of the earlier figure this one revises; null otherwise."
    )
    superseded_by = serializers.SerializerMethodField(help_text="Id of the later figure that revises this one.")
    citations = CitationSerializer(many=True, read_only=True, help_text="The sources and quotes behind the figure.")

    class Meta:
        model = Investment
        fields = [
            "id",
            "api_url",
            "web_url",
            "company",
            "partners",
            "title",
            "description",
            "announced_on",
            "period",
            "amount",
            "amount_high",
            "qualifier",
            "currency",
            "usd_at_announcement",
            "usd_latest",
            "measure",
            "scope",
            "target_countries",
            "category",
            "workload",
            "chip_vendors",
            "vendor_shares",
            "evidence",
            "disputed",
            "dispute_note",
            "status",
            "last_checked_on",
            "state",
            "parent",
            "components",
            "supersedes",
            "superseded_by",
            "citations",
            "published_at",
            "updated_at",
        ]
        extra_kwargs = {
            "id": {"help_text": "Identifier of the figure."},
            "title": {"help_text": 'What the figure is, e.g. "AI infrastructure spending in 2025".'},
            "description": {"help_text": "Details of the figure in a few sentences."},
            "announced_on": {"help_text": "When the figure was first made public."},
            "amount": {"help_text": "The figure as stated, in its currency; the low end of a range."},
            "amount_high": {"help_text": "The high end of a range; null otherwise."},
            "disputed": {"help_text": "Whether someone disputes the figure."},
            "dispute_note": {"help_text": 'Who disputes it and how: "ByteDance called the report incorrect".'},
            "published_at": {"help_text": "When the figure was published; null for drafts."},
            "updated_at": {"help_text": "When the record last changed."},
        }

    @extend_schema_field(serializers.URLField())
    def get_web_url(self, investment: Investment) -> str:
        return absolute(self.context.get("request"), investment.get_absolute_url())

    @staticmethod
    def related(queryset, *, user):
        """
        `queryset` with everything this serializer shows, read in a fixed number of queries
        whatever the number of figures (chosen from the query log of a list page): the company
        and the revision joined, partners, vendors, the components `user` sees and citations
        with their sources and publishers prefetched, one query each.
        """
        refs = Company.objects.only("id", "slug", "name")
        return queryset.select_related("company", "superseded_by").prefetch_related(
            Prefetch("partners", queryset=refs),
            Prefetch("chip_vendors", queryset=refs),
            Prefetch(
                "components",
                queryset=Investment.objects.visible_to(user).only("id", "parent_id").order_by("id"),
                to_attr="visible_components",
            ),
            Prefetch("citations", queryset=Citation.objects.select_related("source__publisher").order_by("id")),
            Prefetch("vendor_shares", queryset=VendorShare.objects.select_related("vendor")),
        )

    @extend_schema_field(serializers.ListField(child=serializers.CharField(min_length=2, max_length=2)))
    def get_target_countries(self, investment: Investment) -> list[str]:
        return [country.code for country in investment.target_countries]

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_components(self, investment: Investment) -> list[int]:
        visible = getattr(investment, "visible_components", None)
        if visible is None:
            visible = list(investment.components.visible_to(self._user()).order_by("id"))
        return [component.pk for component in visible]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_superseded_by(self, investment: Investment) -> int | None:
        try:
            later = investment.superseded_by
        except Investment.superseded_by.RelatedObjectDoesNotExist:
            return None
        user = self._user()
        if later.state == WorkflowState.PUBLISHED or (user is not None and user.is_staff):
            return later.pk
        return None

    def _user(self):
        request = self.context.get("request")
        return getattr(request, "user", None)


class InvestmentUpdateSerializer(serializers.Serializer):
    """What a client sends to change a draft figure; every field is optional."""

    company = SlugField(slug_field="slug", queryset=Company.objects.all(), help_text="Slug of the announcing company.")
    partners = serializers.ListField(
        child=SlugField(slug_field="slug", queryset=Company.objects.all()),
        max_length=50,
        required=False,
        help_text="Slugs of the other companies in a joint announcement.",
    )
    title = serializers.CharField(
        max_length=300, help_text='What the figure is, e.g. "AI chips bought in China in 2025".'
    )
    description = serializers.CharField(
        max_length=10000, required=False, allow_blank=True, help_text="Details in a few sentences."
    )
    announced_on = serializers.DateField(help_text="When the figure was first made public.")
    period_start = serializers.DateField(required=False, allow_null=True, help_text="First day covered.")
    period_end = serializers.DateField(required=False, allow_null=True, help_text="Last day covered.")
    period_label = serializers.CharField(
        max_length=50, required=False, allow_blank=True, help_text='As stated: "2025", "FY2025", "2025-2028".'
    )
    amount = AsciiDecimalField(
        **MONEY_FIELD, min_value=0, help_text="The figure as stated, in its currency; the low end of a range."
    )
    amount_high = AsciiDecimalField(
        **MONEY_FIELD, min_value=0, required=False, allow_null=True, help_text="The high end of a range only."
    )
    qualifier = serializers.ChoiceField(
        choices=Qualifier.choices, required=False, help_text="How the amount is stated; `range` needs `amount_high`."
    )
    measure = serializers.ChoiceField(
        choices=Measure.choices,
        required=False,
        help_text="What the figure measures: AI investment, total capital expenditure, programme, equity, other.",
    )
    currency = serializers.ChoiceField(choices=CURRENCY_CHOICES, help_text="ISO 4217 currency, e.g. USD, CNY.")
    scope = serializers.ChoiceField(
        choices=Scope.choices, required=False, help_text="Where the money is spent relative to the company's home."
    )
    target_countries = serializers.ListField(
        child=serializers.ChoiceField(choices=COUNTRY_CHOICES),
        max_length=50,
        required=False,
        help_text="Countries the money is spent in (alpha-2).",
    )
    category = serializers.ChoiceField(choices=Category.choices, required=False, help_text="What the money buys.")
    workload = serializers.ChoiceField(
        choices=Workload.choices, required=False, help_text="Training, inference or both."
    )
    chip_vendors = serializers.ListField(
        child=SlugField(slug_field="slug", queryset=Company.objects.all()),
        max_length=50,
        required=False,
        help_text="Slugs of the chip vendors the money buys from.",
    )
    evidence = serializers.ChoiceField(choices=Evidence.choices, required=False, help_text="How the figure is known.")
    disputed = serializers.BooleanField(required=False, help_text="Whether someone disputes the figure.")
    dispute_note = serializers.CharField(
        max_length=5000, required=False, allow_blank=True, help_text="Who disputes it and how."
    )
    status = serializers.ChoiceField(choices=Status.choices, required=False, help_text="Progress of the spending.")
    last_checked_on = serializers.DateField(
        required=False, allow_null=True, help_text="When the figure was last compared with its sources."
    )
    parent = IdRelatedField(
        queryset=Investment.objects.all(),
        required=False,
        allow_null=True,
        help_text="Id of the headline figure this one is a component of.",
    )
    supersedes = IdRelatedField(
        queryset=Investment.objects.all(),
        required=False,
        allow_null=True,
        help_text="Id of the earlier figure this one revises.",
    )


class InvestmentCreateSerializer(InvestmentUpdateSerializer):
    """What a client sends to create a figure. It arrives as a draft, for a reviewer to publish."""

    citations = CitationWriteSerializer(
        many=True, required=False, help_text="Sources and quotes to attach; a figure needs one before review."
    )


class ReturnToDraftSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=REASON_MAX_LENGTH, help_text="Why the figure goes back to draft; kept in its history."
    )
