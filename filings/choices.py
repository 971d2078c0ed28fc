from django.db import models

from companies.choices import CapexConcept

__all__ = ["CapexConcept", "EntryState", "FilingForm", "ImportStatus", "Origin"]


class FilingForm(models.TextChoices):
    FORM_10Q = "10-Q", "10-Q (quarterly report)"
    FORM_10K = "10-K", "10-K (annual report)"
    FORM_20F = "20-F", "20-F (foreign issuer's annual report)"
    FORM_6K = "6-K", "6-K (foreign issuer's current report)"


class Origin(models.TextChoices):
    EDGAR = "edgar", "SEC EDGAR XBRL"
    EDITOR = "editor", "Entered by an editor"


class EntryState(models.TextChoices):
    """Editor-entered figures are published by a second person, as figures are (four eyes)."""

    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class ImportStatus(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped (another run holds the lock)"
