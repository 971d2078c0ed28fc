from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from companies.choices import CapexConcept, CompanyKind
from config.validators import no_bidi_controls


class CompanyQuerySet(models.QuerySet):
    def search(self, text: str) -> "CompanyQuerySet":
        """Match the name, legal name, ticker or any alias ("TikTok owner", "字节跳动")."""
        text = text.strip()
        if not text:
            return self
        return self.filter(
            models.Q(name__icontains=text)
            | models.Q(legal_name__icontains=text)
            | models.Q(aliases__icontains=text)
            | models.Q(ticker__iexact=text)
        )

    def chip_vendors(self) -> "CompanyQuerySet":
        return self.filter(kind=CompanyKind.CHIP_VENDOR)


class Company(models.Model):
    """
    Anyone that announces, co-announces or sells into AI infrastructure spending.

    Chip vendors are companies too: an investment names the vendors it buys from, and a
    vendor's page shows who buys from it. Aliases exist for search only ("TikTok owner").
    """

    name = models.CharField(max_length=200, validators=[no_bidi_controls], help_text="The common name, e.g. ByteDance.")
    # A SlugField's own validator already takes only ASCII letters, digits, hyphens and underscores.
    slug = models.SlugField(max_length=200, unique=True, help_text="Used in URLs and the API.")
    legal_name = models.CharField(max_length=300, blank=True, validators=[no_bidi_controls])
    aliases = models.TextField(
        blank=True,
        validators=[no_bidi_controls],
        help_text='Other names people search for, one per line ("TikTok owner", "字节跳动").',
    )
    country = CountryField(help_text="Headquarters country (ISO 3166-1 alpha-2).")
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subsidiaries",
        help_text="The company that owns this one, if it is tracked here.",
    )
    kind = models.CharField(max_length=20, choices=CompanyKind.choices, default=CompanyKind.PLATFORM)
    ticker = models.CharField(max_length=30, blank=True, help_text="Exchange ticker, e.g. NASDAQ:MSFT.")
    website = models.URLField(blank=True)
    description = models.TextField(blank=True)
    # Reported spending (filings): where EDGAR files this company's figures and how to read them.
    cik = models.CharField(
        max_length=10,
        blank=True,
        validators=[RegexValidator(r"^[0-9]{1,10}$", "A CIK is up to ten digits.")],
        help_text="SEC Central Index Key, e.g. 789019 for Microsoft; empty when it does not file with the SEC.",
    )
    capex_concept = models.CharField(
        max_length=120,
        choices=CapexConcept.choices,
        default=CapexConcept.PPE,
        help_text="The us-gaap concept its cash-flow statement files capital expenditure under.",
    )
    fiscal_year_end_month = models.PositiveSmallIntegerField(
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text="Month its fiscal year ends (Microsoft 6, Oracle 5, Nvidia 1).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = CompanyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "companies"
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="company_name_unique_ci",
                violation_error_message="A company with this name already exists.",
            ),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("pk")),
                name="company_not_own_parent",
                violation_error_message="A company cannot be its own parent.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("companies:detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        # The unique index is on LOWER(name), which Django cannot tie to the field; say it here by name.
        if self.name and Company.objects.filter(name__iexact=self.name.strip()).exclude(pk=self.pk).exists():
            raise ValidationError({"name": "A company with this name already exists."})

    @property
    def alias_list(self) -> list[str]:
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]
