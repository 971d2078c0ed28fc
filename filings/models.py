from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from companies.models import Company
from currencies.choices import CURRENCY_CHOICES
from filings.choices import CapexConcept, EntryState, FilingForm, ImportStatus, Origin

MONEY = {"max_digits": 20, "decimal_places": 2}


class ReportedCapexQuerySet(models.QuerySet):
    def published(self) -> "ReportedCapexQuerySet":
        return self.filter(state=EntryState.PUBLISHED)

    def quarters(self) -> "ReportedCapexQuerySet":
        return self.filter(fiscal_quarter__isnull=False)

    def current(self) -> "ReportedCapexQuerySet":
        """
        The latest filed value of each period. Restatements and repeats in later filings are kept
        as rows of their own; the one filed last is the one a reader sees.
        """
        later = ReportedCapex.objects.filter(
            company=models.OuterRef("company"),
            period_start=models.OuterRef("period_start"),
            period_end=models.OuterRef("period_end"),
            state=EntryState.PUBLISHED,
        ).filter(
            models.Q(filed_on__gt=models.OuterRef("filed_on"))
            | models.Q(filed_on=models.OuterRef("filed_on"), pk__gt=models.OuterRef("pk"))
        )
        return self.published().filter(~models.Exists(later))


class ReportedCapex(models.Model):
    """
    Capital expenditure a company reported for one fiscal period, as filed (or derived from what
    was filed). Guidance says what a company means to spend; this says what it spent, so the two
    can be set side by side. 10-Q cash-flow values are year to date, so single quarters after the
    first are derived by differencing and marked `derived`.
    """

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="reported_capex")
    fiscal_year = models.PositiveSmallIntegerField(
        help_text="The company's fiscal year (Microsoft's 2025 ends June 2025)."
    )
    fiscal_quarter = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="1-4; empty for the full fiscal year."
    )
    period_start = models.DateField()
    period_end = models.DateField()
    amount = models.DecimalField(**MONEY, help_text="In the currency's units (not millions).")
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="USD")
    concept = models.CharField(
        max_length=120, default=CapexConcept.PPE, help_text="The XBRL concept the value is filed under."
    )
    form = models.CharField(max_length=10, choices=FilingForm.choices, blank=True)
    accession_number = models.CharField(
        max_length=25, blank=True, help_text="EDGAR accession, e.g. 0001652044-25-000014."
    )
    filed_on = models.DateField()
    edgar_url = models.URLField(max_length=300, blank=True)
    derived = models.BooleanField(default=False, help_text="Computed from year-to-date values, not filed as such.")
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.EDGAR)
    # Editor-entered figures (companies that do not file XBRL with the SEC) cite their source.
    source = models.ForeignKey(
        "sources.Source", null=True, blank=True, on_delete=models.PROTECT, related_name="reported_capex"
    )
    quote = models.TextField(blank=True, help_text="The words in the source that state the figure.")
    state = models.CharField(max_length=10, choices=EntryState.choices, default=EntryState.PUBLISHED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The last person who changed an editor-entered figure: they may not publish it either.
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReportedCapexQuerySet.as_manager()

    class Meta:
        ordering = ["company", "-period_end", "fiscal_quarter", "-filed_on"]
        verbose_name = "reported capex"
        verbose_name_plural = "reported capex"
        permissions = [("publish_reportedcapex", "Can publish reported capex that another person entered")]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "concept", "period_start", "period_end", "accession_number"],
                name="reported_capex_one_per_filing_period",
                violation_error_message="This filing's value for this period and concept is already stored.",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0),
                name="reported_capex_amount_not_negative",
                violation_error_message="Capital expenditure cannot be negative.",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="reported_capex_period_ordered",
                violation_error_message="The period must end on or after its start.",
            ),
            models.CheckConstraint(
                condition=models.Q(fiscal_quarter__isnull=True)
                | models.Q(fiscal_quarter__gte=1, fiscal_quarter__lte=4),
                name="reported_capex_quarter_1_to_4",
                violation_error_message="The fiscal quarter is 1 to 4, or empty for the full year.",
            ),
            models.CheckConstraint(
                condition=models.Q(reviewed_by__isnull=True)
                | models.Q(created_by__isnull=True)
                | ~models.Q(reviewed_by=models.F("created_by")),
                name="reported_capex_four_eyes",
                violation_error_message="The reviewer must not be the editor who entered the figure.",
            ),
        ]
        indexes = [models.Index(fields=["company", "fiscal_year"], name="reported_capex_company_year")]

    def __str__(self) -> str:
        period = f"Q{self.fiscal_quarter}" if self.fiscal_quarter else "FY"
        return f"{self.company} FY{self.fiscal_year} {period}: {self.amount} {self.currency}"

    @property
    def period_label(self) -> str:
        return f"FY{self.fiscal_year} Q{self.fiscal_quarter}" if self.fiscal_quarter else f"FY{self.fiscal_year}"

    def clean(self) -> None:
        if self.origin == Origin.EDITOR and (self.source_id is None or not self.quote.strip()):
            raise ValidationError("A figure entered by an editor needs its source and the quote that states it.")
        if self.reviewed_by_id and self.reviewed_by_id == self.created_by_id:
            raise ValidationError({"reviewed_by": "The reviewer must not be the editor who entered the figure."})


class ImportRun(models.Model):
    """One import of one company's reported figures from EDGAR, so failures are visible, not guessed."""

    company = models.ForeignKey(Company, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default=ImportStatus.RUNNING)
    rows_written = models.PositiveIntegerField(default=0)
    url = models.URLField(max_length=300, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        get_latest_by = "started_at"

    def __str__(self) -> str:
        return f"{self.company or 'all companies'} {self.started_at:%Y-%m-%d %H:%M} {self.status}"
