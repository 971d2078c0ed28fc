from django.db import models

from currencies.choices import CURRENCY_CHOICES, RateProvider, RefreshStatus


class ExchangeRate(models.Model):
    """
    One published rate: 1 unit of `base` buys `rate` units of `currency` on `date`.

    Only pairs a provider publishes are stored (EUR->CNY from the ECB, USD->SAR for a peg);
    cross and inverse rates are computed at conversion time from two rows of the same
    provider and date, so nothing derived can drift out of date.
    """

    provider = models.CharField(max_length=20, choices=RateProvider.choices)
    base = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    date = models.DateField()
    rate = models.DecimalField(max_digits=24, decimal_places=10)
    fetched_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "currency"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "base", "currency", "date"],
                name="exchange_rate_one_per_provider_pair_date",
                violation_error_message="This provider already has a rate for this pair on this date.",
            ),
            models.CheckConstraint(
                condition=models.Q(rate__gt=0),
                name="exchange_rate_positive",
                violation_error_message="A rate must be greater than zero.",
            ),
            models.CheckConstraint(
                condition=~models.Q(base=models.F("currency")),
                name="exchange_rate_distinct_currencies",
                violation_error_message="Base and currency must differ.",
            ),
        ]
        indexes = [
            models.Index(fields=["currency", "date"], name="exchange_rate_currency_date"),
            # "Rates as of" on every page reads the newest date of each feed provider.
            models.Index(fields=["provider", "-date"], name="exchange_rate_provider_date"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.base}->{self.currency} {self.rate} ({self.get_provider_display()})"


class RateRefresh(models.Model):
    """
    One refresh run of one provider, so staleness and failures are visible, not guessed.

    A run that wrote rows stays "pending" (conversions_updated_at empty) until a recompute of the
    conversions that saw those rows commits; the next refresh re-triggers the recompute until then,
    so a worker killed in the middle of a recompute cannot leave figures on old rates for good.
    """

    provider = models.CharField(max_length=20, choices=RateProvider.choices)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=RefreshStatus.choices, default=RefreshStatus.RUNNING)
    rows_written = models.PositiveIntegerField(default=0)
    newest_rate_date = models.DateField(null=True, blank=True)
    error = models.TextField(blank=True)
    conversions_updated_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the stored USD conversions were recomputed with the rates this run wrote.",
    )

    class Meta:
        ordering = ["-started_at"]
        get_latest_by = "started_at"
        verbose_name_plural = "rate refreshes"

    def __str__(self) -> str:
        return f"{self.get_provider_display()} {self.started_at:%Y-%m-%d %H:%M} {self.status}"
