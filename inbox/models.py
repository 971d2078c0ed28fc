"""
Watched sources and what they bring in: feeds, their items, and the figures found in each item
(candidates) waiting for an editor. An accepted candidate becomes a draft figure through capex's
services; review and publication are unchanged.
"""

from django.db import models

from capex.choices import Measure, Qualifier
from capex.models import MONEY, Investment
from companies.models import Company
from currencies.choices import CURRENCY_CHOICES
from inbox.choices import CandidateFlag, CandidateState, FeedKind, ItemStatus, PollStatus, RunStatus


class Feed(models.Model):
    """
    A newsroom, investor-relations, filings or government feed polled on its own interval with
    conditional GETs; failures back off (interval x 2^failures, at most a day) and say why.
    """

    name = models.CharField(max_length=200)
    url = models.URLField(max_length=1000, unique=True, verbose_name="URL")
    kind = models.CharField(max_length=10, choices=FeedKind.choices, default=FeedKind.RSS)
    company = models.ForeignKey(
        Company,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Whose feed this is: figures that name no company are filed under it.",
    )
    interval_minutes = models.PositiveIntegerField(default=60)
    active = models.BooleanField(default=True)
    etag = models.CharField(max_length=500, blank=True, editable=False)
    last_modified = models.CharField(max_length=100, blank=True, editable=False)
    last_polled_at = models.DateTimeField(null=True, blank=True, editable=False)
    next_poll_at = models.DateTimeField(null=True, blank=True, help_text="Empty: poll at the next run.")
    failures = models.PositiveIntegerField(default=0, editable=False, help_text="Failed polls in a row.")
    last_status = models.CharField(max_length=20, choices=PollStatus.choices, blank=True, editable=False)
    last_error = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class FeedItem(models.Model):
    """One entry of a feed, stored once by its normalised URL, with its main text once fetched."""

    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="items")
    url = models.URLField(max_length=1000, verbose_name="URL", help_text="As the feed gave it.")
    normalised_url = models.CharField(max_length=1000, unique=True, editable=False)
    title = models.CharField(max_length=500, blank=True)
    published = models.DateTimeField(null=True, blank=True)
    text = models.TextField(blank=True, help_text="The page's main text, as extracted.")
    status = models.CharField(max_length=20, choices=ItemStatus.choices, default=ItemStatus.NEW)
    error = models.TextField(blank=True)
    dismiss_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    fetched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-published", "-id"]
        indexes = [models.Index(fields=["status", "-published"], name="inbox_item_status_published")]

    def __str__(self) -> str:
        return self.title or self.url


class Candidate(models.Model):
    """
    A figure found in an item, with what the words say about it and how it compares with the
    figures already recorded: new, already recorded (`matched` is that figure) or a revision
    (`matched` is the figure it would supersede). Editors may correct any field before accepting.
    """

    item = models.ForeignKey(FeedItem, on_delete=models.CASCADE, related_name="candidates")
    amount = models.DecimalField(**MONEY)
    amount_high = models.DecimalField(**MONEY, null=True, blank=True)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    qualifier = models.CharField(max_length=20, choices=Qualifier.choices)
    company = models.ForeignKey(Company, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    period_label = models.CharField(max_length=50, blank=True)
    measure = models.CharField(max_length=20, choices=Measure.choices, default=Measure.AI_INVESTMENT)
    quote = models.TextField(help_text="The clause that carries the figure, verbatim.")
    locator = models.CharField(max_length=200, blank=True)
    flag = models.CharField(max_length=20, choices=CandidateFlag.choices, default=CandidateFlag.NEW)
    matched = models.ForeignKey(
        Investment,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The recorded figure this repeats, or the one it would supersede.",
    )
    state = models.CharField(max_length=20, choices=CandidateState.choices, default=CandidateState.OPEN)
    dismiss_reason = models.CharField(max_length=300, blank=True)
    investment = models.ForeignKey(
        Investment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    class Meta:
        ordering = ["item", "id"]

    def __str__(self) -> str:
        return f"{self.currency} {self.amount} in {self.item}"


class PollRun(models.Model):
    """One run of the polling job, so failures and quiet spells are visible, not guessed."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING)
    feeds_polled = models.PositiveIntegerField(default=0)
    feeds_failed = models.PositiveIntegerField(default=0)
    items_new = models.PositiveIntegerField(default=0)
    items_failed = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Poll {self.started_at:%Y-%m-%d %H:%M} {self.status}"
