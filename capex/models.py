import functools

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from capex.choices import Category, Evidence, FxBasis, Measure, Qualifier, Scope, Status, WorkflowState, Workload
from companies.models import Company
from config.validators import EARLIEST_DATE, LATEST_DATE, no_bidi_controls, validate_date_in_range
from currencies.choices import CURRENCY_CHOICES
from sources.models import Source

MONEY = {"max_digits": 22, "decimal_places": 2}
RATE = {"max_digits": 24, "decimal_places": 12}


def sees_drafts(user) -> bool:
    """Staff see figures in every workflow state; everyone else sees published figures."""
    return bool(user is not None and user.is_authenticated and user.is_staff)


@functools.cache
def _not_revised() -> models.Exists:
    """
    The condition of `current()`, built once: building the subquery was over a quarter of a list
    request's filtering (profiled). Each query that uses it resolves its own copy; this one is
    never changed.
    """
    revised = Investment.objects.filter(supersedes=models.OuterRef("pk"), state=WorkflowState.PUBLISHED)
    return ~models.Exists(revised)


class InvestmentQuerySet(models.QuerySet):
    def published(self) -> "InvestmentQuerySet":
        return self.filter(state=WorkflowState.PUBLISHED)

    def top_level(self) -> "InvestmentQuerySet":
        return self.filter(parent__isnull=True)

    def current(self) -> "InvestmentQuerySet":
        """Not revised by a published later figure. A draft revision does not hide its original."""
        return self.filter(_not_revised())

    def not_cancelled(self) -> "InvestmentQuerySet":
        return self.exclude(status=Status.CANCELLED)

    def countable(self) -> "InvestmentQuerySet":
        """
        The figures a total may add up: top-level, current, published and not cancelled.
        Components are reached through their parent, never counted on their own.
        """
        return self.published().top_level().current().not_cancelled()

    def visible_to(self, user) -> "InvestmentQuerySet":
        """
        What a reader may see: everything for staff; published figures for everyone else, and
        a signed-in writer's own figures in every state besides (whoever may create a draft may
        read it back and change it).
        """
        if sees_drafts(user):
            return self
        if user is not None and user.is_authenticated:
            return self.filter(models.Q(state=WorkflowState.PUBLISHED) | models.Q(created_by=user))
        return self.published()

    def visible(self, *, drafts: bool) -> "InvestmentQuerySet":
        """Every figure for a reader who sees drafts (`sees_drafts`), else the published ones."""
        return self if drafts else self.published()


class Investment(models.Model):
    """
    One announced figure: who plans to spend how much, on what, where, and how sure we are.

    A figure may be a component of a larger one (`parent`: ByteDance's RMB 40bn for chips in
    China is part of its more-than-$12bn 2025 plan) or a revision of an earlier one
    (`supersedes`: Meta's $64-72bn replaced its $60-65bn). Totals count only top-level,
    current, published figures (see capex/selectors.py); components only split them up.
    Components are one level deep: a component has no components of its own, and it belongs to
    its parent's company (moving the parent moves them: `investment_update`).

    The amount is kept as stated, in its own currency. The two USD conversions are derived
    data maintained by the currency jobs, each with the rate, the rate's date and provider it
    used, or the reason it could not be converted.
    """

    # Who and when
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="investments")
    partners = models.ManyToManyField(
        Company, blank=True, related_name="partner_investments", help_text="Other companies in a joint announcement."
    )
    title = models.CharField(
        max_length=300,
        validators=[no_bidi_controls],
        help_text='What the figure is, e.g. "AI infrastructure spending in 2025".',
    )
    description = models.TextField(blank=True)
    announced_on = models.DateField(
        validators=[validate_date_in_range], help_text="When the figure was first made public (1990-2100)."
    )
    period_start = models.DateField(null=True, blank=True, validators=[validate_date_in_range])
    period_end = models.DateField(null=True, blank=True, validators=[validate_date_in_range])
    period_label = models.CharField(max_length=50, blank=True, help_text='As stated: "2025", "FY2025", "2025-2028".')

    # How much
    amount = models.DecimalField(**MONEY, help_text="The figure as stated, in its currency; the low end of a range.")
    amount_high = models.DecimalField(**MONEY, null=True, blank=True, help_text="The high end of a range.")
    qualifier = models.CharField(max_length=20, choices=Qualifier.choices, default=Qualifier.APPROXIMATELY)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="USD")

    # What it measures: totals never add different measures together.
    measure = models.CharField(
        max_length=20,
        choices=Measure.choices,
        default=Measure.AI_INVESTMENT,
        help_text="AI investment, total capital expenditure guidance, a programme, an equity commitment or other.",
    )

    # What for
    scope = models.CharField(max_length=20, choices=Scope.choices, default=Scope.UNSPECIFIED)
    target_countries = CountryField(multiple=True, blank=True, help_text="Where the money is spent, where known.")
    category = models.CharField(max_length=20, choices=Category.choices, default=Category.UNSPECIFIED)
    workload = models.CharField(max_length=20, choices=Workload.choices, default=Workload.UNSPECIFIED)
    chip_vendors = models.ManyToManyField(
        Company, blank=True, related_name="vendor_investments", help_text="The chip vendors this money buys from."
    )

    # How sure
    evidence = models.CharField(max_length=20, choices=Evidence.choices, default=Evidence.MEDIA_REPORT)
    disputed = models.BooleanField(default=False)
    dispute_note = models.TextField(
        blank=True, help_text='Who disputes it and how: "ByteDance called the report incorrect".'
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    last_checked_on = models.DateField(
        null=True,
        blank=True,
        validators=[validate_date_in_range],
        help_text="When the figure and its quotes were last compared with the sources.",
    )

    # Structure
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="components",
        help_text="The larger figure this one is a part of.",
    )
    supersedes = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
        help_text="The earlier figure this one revises.",
    )

    # The curated dataset's name for the figure (capex/data/*.yaml): how a reload finds it again.
    dataset_key = models.SlugField(max_length=120, blank=True, editable=False)

    # Workflow
    state = models.CharField(max_length=20, choices=WorkflowState.choices, default=WorkflowState.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    # USD at the rate of the announcement date (maintained by the currency jobs)
    amount_usd_at_announcement = models.DecimalField(**MONEY, null=True, blank=True, editable=False)
    amount_high_usd_at_announcement = models.DecimalField(**MONEY, null=True, blank=True, editable=False)
    fx_rate_at_announcement = models.DecimalField(
        **RATE, null=True, blank=True, editable=False, help_text="USD per unit of the currency."
    )
    fx_date_at_announcement = models.DateField(null=True, blank=True, editable=False)
    fx_provider_at_announcement = models.CharField(max_length=20, blank=True, editable=False)
    fx_note_at_announcement = models.CharField(
        max_length=300, blank=True, editable=False, help_text="Why the figure is not converted, if it is not."
    )

    # USD at the latest rate (maintained by the currency jobs)
    amount_usd_latest = models.DecimalField(**MONEY, null=True, blank=True, editable=False)
    amount_high_usd_latest = models.DecimalField(**MONEY, null=True, blank=True, editable=False)
    fx_rate_latest = models.DecimalField(**RATE, null=True, blank=True, editable=False)
    fx_date_latest = models.DateField(null=True, blank=True, editable=False)
    fx_provider_latest = models.CharField(max_length=20, blank=True, editable=False)
    fx_note_latest = models.CharField(max_length=300, blank=True, editable=False)

    history = HistoricalRecords(m2m_fields=[partners, chip_vendors])
    objects = InvestmentQuerySet.as_manager()

    class Meta:
        ordering = ["-announced_on", "-id"]
        # The editorial workflow (capex/services/workflow.py); groups get them in a data migration.
        permissions = [
            ("submit_investment", "Can send a figure for review"),
            ("publish_investment", "Can publish a figure in review"),
            ("return_investment", "Can return a figure to draft"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0),
                name="investment_amount_not_negative",
                violation_error_message="The amount cannot be negative.",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    qualifier=Qualifier.RANGE, amount_high__isnull=False, amount_high__gte=models.F("amount")
                )
                | (~models.Q(qualifier=Qualifier.RANGE) & models.Q(amount_high__isnull=True)),
                name="investment_range_low_le_high",
                violation_error_message=(
                    "A range needs a high value at least as large as the low value; only a range has a high value."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(period_start__isnull=True)
                | models.Q(period_end__isnull=True)
                | models.Q(period_end__gte=models.F("period_start")),
                name="investment_period_end_after_start",
                violation_error_message="The period cannot end before it starts.",
            ),
            models.CheckConstraint(
                condition=models.Q(announced_on__range=(EARLIEST_DATE, LATEST_DATE))
                & (models.Q(period_start__isnull=True) | models.Q(period_start__range=(EARLIEST_DATE, LATEST_DATE)))
                & (models.Q(period_end__isnull=True) | models.Q(period_end__range=(EARLIEST_DATE, LATEST_DATE))),
                name="investment_dates_in_range",
                violation_error_message="Dates lie between 1990-01-01 and 2100-12-31.",
            ),
            models.UniqueConstraint(
                fields=["dataset_key"],
                condition=~models.Q(dataset_key=""),
                name="investment_dataset_key_unique",
                violation_error_message="Another figure of the dataset has this key.",
            ),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("pk")),
                name="investment_not_own_parent",
                violation_error_message="A figure cannot be a component of itself.",
            ),
            models.CheckConstraint(
                condition=~models.Q(supersedes=models.F("pk")),
                name="investment_not_own_revision",
                violation_error_message="A figure cannot revise itself.",
            ),
        ]
        # On PostgreSQL the table keeps half of each page free (migration 0008), so that a recompute of
        # conversions, which changes no indexed column, updates rows in place and leaves the indexes be.
        indexes = [
            # `include`: the id and parent of a date range's figures are read from the index alone,
            # which the origins of a total are (capex.selectors.slice_set; BENCHMARKS.md).
            models.Index(
                fields=["state", "-announced_on"], include=["id", "parent"], name="investment_state_announced"
            ),
            # Published revisions: `current()` asks of every listed figure whether one replaces it.
            models.Index(
                fields=["supersedes"],
                condition=models.Q(state="published", supersedes__isnull=False),
                name="investment_published_revision",
            ),
            models.Index(fields=["company", "-announced_on"], name="investment_company_announced"),
        ]

    def __str__(self) -> str:
        return f"{self.company}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("capex:investment-detail", kwargs={"pk": self.pk})

    @property
    def is_range(self) -> bool:
        return self.qualifier == Qualifier.RANGE

    def clean(self) -> None:
        """Cross-field and cross-row rules the database cannot express, with messages an editor can act on."""
        errors: dict[str, list[str]] = {}

        def add(field: str, message: str) -> None:
            errors.setdefault(field, []).append(message)

        if self.amount is not None and self.amount < 0:
            add("amount", "The amount cannot be negative.")
        if self.qualifier == Qualifier.RANGE:
            if self.amount_high is None:
                add("amount_high", "A range needs its high value.")
            elif self.amount is not None and self.amount_high < self.amount:
                add("amount_high", "The high value must be at least the low value.")
        elif self.amount_high is not None:
            add("amount_high", 'Only a range has a high value; choose the qualifier "Range" or clear it.')
        if self.period_start and self.period_end and self.period_end < self.period_start:
            add("period_end", "The period cannot end before it starts.")

        if self.parent_id:
            parent = self.parent
            if self.pk and parent.pk == self.pk:
                add("parent", "A figure cannot be a component of itself.")
            elif parent.parent_id:
                add("parent", "Components are one level deep: choose the headline figure as parent.")
            elif self.pk and self.components.exists():
                add("parent", "This figure has components of its own, so it cannot be a component.")
            elif self.company_id and self.company_id != parent.company_id:
                # A component splits its parent's money: counted under another company it would
                # make that company's breakdown add up to more than its total.
                add("company", f"A component belongs to its parent's company ({parent.company}).")

        if self.supersedes_id:
            earlier = self.supersedes
            if self.pk and earlier.pk == self.pk:
                add("supersedes", "A figure cannot revise itself.")
            elif self.company_id and earlier.company_id != self.company_id:
                add("supersedes", "A revision must belong to the same company as the figure it revises.")
            elif self.pk and self._revision_chain_contains(earlier, self.pk):
                add("supersedes", "This would make a cycle of revisions.")

        if self.state == WorkflowState.PUBLISHED and (self.pk is None or not self.citations.exists()):
            add("state", "A figure cannot be published without at least one citation.")

        if errors:
            raise ValidationError(errors)

    @staticmethod
    def _revision_chain_contains(start: "Investment", pk: int) -> bool:
        """Walk `supersedes` back from start; a bounded walk, since chains are short."""
        seen: set[int] = set()
        node = start
        while node is not None and node.pk not in seen:
            if node.pk == pk:
                return True
            seen.add(node.pk)
            node = node.supersedes
        return False


class Citation(models.Model):
    """
    The evidence for a figure: a source and the exact words in it that support the figure.
    A figure cannot be published without one; a cited source cannot be deleted.
    """

    investment = models.ForeignKey(Investment, on_delete=models.CASCADE, related_name="citations")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="citations")
    quote = models.TextField(help_text="The exact words in the source that support the figure.")
    locator = models.CharField(max_length=200, blank=True, help_text='Where in the source: "paragraph 3", "p. 14".')
    note = models.CharField(
        max_length=500,
        blank=True,
        help_text='What a reader should know about this evidence: "original not read; quoted from Reuters\' report".',
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(quote=""),
                name="citation_quote_required",
                violation_error_message="A citation needs the supporting quote.",
            ),
            models.UniqueConstraint(
                fields=["investment", "source", "locator"],
                name="citation_one_per_source_locator",
                violation_error_message="This figure already cites this place in this source.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} → {self.investment}"


class VendorShare(models.Model):
    """
    How much of a figure goes to one of its chip vendors, as the source states it: a percentage
    (a range where the source gives one) or an amount in the figure's currency. Vendors that
    share one stated share ("about 60% from Huawei and Cambricon") carry the same `group` and
    the same share, which belongs to the group, not to each. A vendor of the figure without a
    share row has no known share: vendor views put that money under "unallocated among ...".
    """

    investment = models.ForeignKey(Investment, on_delete=models.CASCADE, related_name="vendor_shares")
    vendor = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    share_percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    share_percent_high = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    share_amount = models.DecimalField(**MONEY, null=True, blank=True, help_text="In the figure's currency.")
    group = models.CharField(
        max_length=60, blank=True, help_text='Vendors that share one stated share, e.g. "chinese-suppliers".'
    )
    quote = models.TextField(blank=True, help_text="The words the share comes from, verbatim.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["investment", "group", "vendor"]
        constraints = [
            models.UniqueConstraint(
                fields=["investment", "vendor"],
                name="vendor_share_one_per_vendor",
                violation_error_message="This vendor already has a share of this figure.",
            ),
            models.CheckConstraint(
                condition=(models.Q(share_percent__isnull=True) | models.Q(share_percent__range=(0, 100)))
                & (
                    models.Q(share_percent_high__isnull=True)
                    | models.Q(share_percent_high__gte=models.F("share_percent"))
                )
                & (models.Q(share_percent_high__isnull=True) | models.Q(share_percent_high__lte=100)),
                name="vendor_share_percent_0_to_100",
                violation_error_message="A share is a percentage between 0 and 100, low before high.",
            ),
            models.CheckConstraint(
                condition=models.Q(share_percent__isnull=True) | models.Q(share_amount__isnull=True),
                name="vendor_share_percent_or_amount",
                violation_error_message="Give a share as a percentage or as an amount, not both.",
            ),
            models.CheckConstraint(
                condition=models.Q(share_amount__isnull=True) | models.Q(share_amount__gte=0),
                name="vendor_share_amount_not_negative",
                violation_error_message="A share's amount cannot be negative.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.vendor} in {self.investment}"


class FigureSlice(models.Model):
    """
    One part of a countable figure's USD value on one basis, as `capex.selectors.figure_slices`
    cuts it (a component or the remainder, one vendor bucket, one calendar year of its period):
    derived data, so that totals are sums in SQL rather than a walk over every figure.

    `capex.services.slices` keeps the table in step: the workflow rewrites a figure's slices
    when it is published or returned to draft, the conversions after every recompute, and a
    daily task rebuilds the whole table as a backstop. A countable figure without a USD value
    on the basis has one row with no amounts, so totals can say what they leave out.

    Amounts are whole thousandths of a dollar (mills): integer sums are exact on every
    database, and a range's midpoint of cent amounts needs no more.

    The table is rewritten in bulk (two million rows at a million figures), so it has no
    foreign key constraints in the database and only the indexes totals are read by; Django
    still deletes a figure's slices with the figure.
    """

    basis = models.CharField(max_length=20, choices=FxBasis.choices)
    figure = models.ForeignKey(
        Investment, on_delete=models.CASCADE, db_constraint=False, related_name="+", help_text="The headline."
    )
    origin = models.ForeignKey(
        Investment,
        on_delete=models.CASCADE,
        db_constraint=False,
        db_index=False,
        related_name="+",
        help_text="The component this part comes from, or the headline itself for its remainder.",
    )
    company = models.ForeignKey(
        Company,
        on_delete=models.CASCADE,
        db_constraint=False,
        db_index=False,
        related_name="+",
        help_text="The headline's.",
    )
    announced_on = models.DateField(help_text="The headline's announcement date.")
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    scope = models.CharField(max_length=20, choices=Scope.choices)
    category = models.CharField(max_length=20, choices=Category.choices)
    workload = models.CharField(max_length=20, choices=Workload.choices)
    vendors = models.CharField(
        max_length=500,
        blank=True,
        help_text="Ids of the vendors of this part's bucket (see vendor_kind), ascending, joined by commas.",
    )
    vendor_kind = models.CharField(
        max_length=12,
        default="unspecified",
        help_text="share (one vendor's stated share), group (a group's shared share), unallocated, unspecified.",
    )
    measure = models.CharField(max_length=20, choices=Measure.choices, help_text="The headline's measure.")
    year = models.PositiveSmallIntegerField(help_text="The calendar year this part falls in, spread over the period.")
    high_open = models.BooleanField(default=False, help_text='The headline says "at least": its high bound is open.')
    low_mills = models.BigIntegerField(null=True, blank=True)
    high_mills = models.BigIntegerField(null=True, blank=True)
    point_mills = models.BigIntegerField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["basis", "company"], name="slice_basis_company"),
            models.Index(fields=["basis", "measure", "year"], name="slice_basis_measure_year"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(low_mills__isnull=True, high_mills__isnull=True, point_mills__isnull=True)
                | models.Q(low_mills__gte=0, high_mills__gte=models.F("low_mills"), point_mills__gte=0),
                name="slice_amounts_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"Slice of figure {self.figure_id} ({self.basis})"


class CompanyRollup(models.Model):
    """
    One group of one company's stored slices on one basis and measure, summed: the rollups that
    the dashboard, company pages and the unfiltered stats API read instead of the slices.

    A row is what `SliceSet` gives for one grouping of the company's slices: its `total`
    (every converted slice), one `year` (spread over periods, or by announcement year, as
    `year_mode` says), one bucket of `scope`, `category`, `workload` or `vendor` over all
    years, the company's money that names one chip vendor (`buyer`: that vendor's id in
    `vendors`, whatever its buckets), or one `unconverted` figure (its id in `key`, the vendors
    its slices name in `vendors`, no amounts). Figure counts are
    distinct counts of the group's own figures: they never add across years or buckets, but
    they add across companies, since each figure belongs to one company, so totals over
    several companies are sums of these rows.

    `capex.services.rollups` keeps the table in step with `FigureSlice`, in the transaction
    that rewrites a company's slices, and rebuilds it whole with the slices.
    """

    class Dimension(models.TextChoices):
        TOTAL = "total", "Total"
        YEAR = "year", "Year"
        SCOPE = "scope", "Scope"
        CATEGORY = "category", "Category"
        WORKLOAD = "workload", "Workload"
        VENDOR = "vendor", "Chip vendor"
        BUYER = "buyer", "Bought from a chip vendor"
        UNCONVERTED = "unconverted", "Not converted"

    basis = models.CharField(max_length=20, choices=FxBasis.choices)
    measure = models.CharField(max_length=20, choices=Measure.choices)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, db_constraint=False, related_name="+")
    dimension = models.CharField(max_length=12, choices=Dimension.choices)
    year_mode = models.CharField(
        max_length=12, blank=True, help_text="spread or announcement for a year row; blank for the others."
    )
    key = models.CharField(
        max_length=20,
        blank=True,
        help_text="The bucket: a year, a scope, category or workload, a vendor kind, an unconverted figure's id.",
    )
    vendors = models.CharField(
        max_length=500,
        blank=True,
        help_text="The vendor ids a vendor, buyer or unconverted row is about, as FigureSlice.vendors holds them.",
    )
    low_mills = models.BigIntegerField(null=True, blank=True)
    high_mills = models.BigIntegerField(null=True, blank=True)
    point_mills = models.BigIntegerField(null=True, blank=True)
    figures = models.PositiveIntegerField(default=0, help_text="Distinct figures in this group.")
    open_figures = models.PositiveIntegerField(
        default=0, help_text='Of them, those whose high bound is open ("at least").'
    )

    class Meta:
        indexes = [
            models.Index(fields=["basis", "dimension", "measure"], name="rollup_basis_dimension"),
            models.Index(fields=["company", "basis"], name="rollup_company_basis"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["basis", "measure", "company", "dimension", "year_mode", "key", "vendors"],
                name="rollup_one_row_per_group",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dimension} {self.key} of company {self.company_id} ({self.basis}, {self.measure})"


class OverallRollup(models.Model):
    """
    The rollups of every company summed: one row per group of `CompanyRollup` (the total, a
    year, a scope, category, workload or vendor bucket, on one basis and measure) across all
    companies, so the totals of the whole data set (the dashboard, the unfiltered stats) read
    a few rows instead of one per company. Figure counts add across companies, since each
    figure belongs to one company.

    `capex.services.rollups` keeps it in step in the same transaction as the company rows: a
    refresh of some companies adds the difference between their new rows and their old ones;
    the full rebuild sums the company rows afresh. A group no figure is left in is deleted.
    """

    basis = models.CharField(max_length=20, choices=FxBasis.choices)
    measure = models.CharField(max_length=20, choices=Measure.choices)
    dimension = models.CharField(max_length=12, choices=CompanyRollup.Dimension.choices)
    year_mode = models.CharField(max_length=12, blank=True)
    key = models.CharField(max_length=20, blank=True)
    vendors = models.CharField(max_length=500, blank=True)
    low_mills = models.BigIntegerField(null=True, blank=True)
    high_mills = models.BigIntegerField(null=True, blank=True)
    point_mills = models.BigIntegerField(null=True, blank=True)
    figures = models.PositiveIntegerField(default=0)
    open_figures = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["basis", "dimension", "measure", "year_mode", "key", "vendors"],
                name="overall_rollup_one_row_per_group",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dimension} {self.key} of every company ({self.basis}, {self.measure})"
