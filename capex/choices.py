"""
The vocabulary of an announced investment. Every dimension that a breakdown uses has an
explicit UNSPECIFIED value, so a partial breakdown never looks complete.
"""

from django.db import models


class Qualifier(models.TextChoices):
    EXACT = "exact", "Exactly"
    APPROXIMATELY = "approximately", "About"
    AT_LEAST = "at_least", "At least"
    UP_TO = "up_to", "Up to"
    RANGE = "range", "Range"


class Scope(models.TextChoices):
    """Where the money is spent, relative to the company's home country."""

    UNSPECIFIED = "unspecified", "Unspecified"
    DOMESTIC = "domestic", "Domestic"
    OVERSEAS = "overseas", "Overseas"
    GLOBAL = "global", "Global"


class Category(models.TextChoices):
    UNSPECIFIED = "unspecified", "Unspecified"
    CHIPS = "chips", "Chips and accelerators"
    DATA_CENTRES = "data_centres", "Data centres"
    COMPUTE_RENTAL = "compute_rental", "Compute rental"
    ENERGY = "energy", "Energy"
    RESEARCH_MODELS = "research_models", "R&D and models"
    GENERAL = "general", "General AI infrastructure"


class Workload(models.TextChoices):
    UNSPECIFIED = "unspecified", "Unspecified"
    TRAINING = "training", "Training"
    INFERENCE = "inference", "Inference"
    MIXED = "mixed", "Training and inference"


class Evidence(models.TextChoices):
    OFFICIAL = "official", "Official statement or filing"
    MEDIA_REPORT = "media_report", "Reported by media"
    ESTIMATE = "estimate", "Estimate or derived"
    RUMOUR = "rumour", "Rumour"


class Measure(models.TextChoices):
    """
    What a figure measures. Totals never add two measures together: a company's capital
    expenditure guidance is not AI spending, a national programme is not one company's plan.
    """

    AI_INVESTMENT = "ai_investment", "AI investment"
    TOTAL_CAPEX = "total_capex", "Total capital expenditure"
    PROGRAMME = "programme", "Programme (multi-party or national)"
    EQUITY_COMMITMENT = "equity_commitment", "Equity or financing commitment"
    OTHER = "other", "Other (purchase or compute contracts)"


class Status(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class WorkflowState(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"


class FxBasis(models.TextChoices):
    """Which USD conversion a total uses."""

    ANNOUNCEMENT = "announcement", "Rate on the announcement date"
    LATEST = "latest", "Latest rate"
