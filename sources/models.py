from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from config.validators import EARLIEST_DATE, LATEST_DATE, no_bidi_controls, validate_date_in_range
from sources.choices import PublisherKind, Reliability, SourceKind
from sources.urls_normalize import normalize_url


class Publisher(models.Model):
    """Who publishes sources; its kind and default reliability colour every figure it backs."""

    name = models.CharField(max_length=200, unique=True, validators=[no_bidi_controls])
    domain = models.CharField(max_length=200, blank=True, help_text="e.g. ft.com")
    kind = models.CharField(max_length=20, choices=PublisherKind.choices, default=PublisherKind.NEWS_OUTLET)
    default_reliability = models.CharField(max_length=10, choices=Reliability.choices, default=Reliability.MEDIUM)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SourceQuerySet(models.QuerySet):
    def search(self, text: str) -> "SourceQuerySet":
        text = text.strip()
        if not text:
            return self
        return self.filter(
            models.Q(title__icontains=text) | models.Q(url__icontains=text) | models.Q(publisher__name__icontains=text)
        )


class Source(models.Model):
    """
    One article, filing, press release, earnings call or post that a figure comes from.

    The URL is normalised so one document is stored once; it may be empty where the exact
    address is not known (a figure is then cited by title, publisher and date). The text is
    private: it feeds figure extraction and is never shown on public pages or in the API.
    A source cannot be deleted while a citation points at it (PROTECT on Citation.source).
    """

    url = models.URLField(max_length=1000, blank=True, verbose_name="URL")
    title = models.CharField(max_length=500, validators=[no_bidi_controls])
    publisher = models.ForeignKey(Publisher, on_delete=models.PROTECT, related_name="sources", null=True, blank=True)
    authors = models.CharField(max_length=500, blank=True, help_text="Comma-separated.")
    published_on = models.DateField(null=True, blank=True, validators=[validate_date_in_range])
    accessed_on = models.DateField(null=True, blank=True, validators=[validate_date_in_range])
    language = models.CharField(max_length=10, default="en", help_text="BCP 47 code, e.g. en, zh.")
    kind = models.CharField(max_length=20, choices=SourceKind.choices, default=SourceKind.ARTICLE)
    paywalled = models.BooleanField(default=False)
    archived_url = models.URLField(max_length=1000, blank=True, verbose_name="archived URL")
    notes = models.TextField(blank=True)
    text = models.TextField(blank=True, help_text="Full text, kept private; used for figure extraction.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["text"])
    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["-published_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(published_on__isnull=True) | models.Q(published_on__range=(EARLIEST_DATE, LATEST_DATE))
                )
                & (models.Q(accessed_on__isnull=True) | models.Q(accessed_on__range=(EARLIEST_DATE, LATEST_DATE))),
                name="source_dates_in_range",
                violation_error_message="Dates lie between 1990-01-01 and 2100-12-31.",
            ),
            models.UniqueConstraint(
                fields=["url"],
                condition=~models.Q(url=""),
                name="source_url_unique_when_present",
                violation_error_message="A source with this URL already exists.",
                # "unique" lets Django report the error on the url field rather than the form.
                violation_error_code="unique",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("sources:detail", kwargs={"pk": self.pk})

    def clean(self) -> None:
        self.url = normalize_url(self.url)
        self.archived_url = self.archived_url.strip()
