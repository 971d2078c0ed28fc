from django.db import models


class FeedKind(models.TextChoices):
    RSS = "rss", "RSS"
    ATOM = "atom", "Atom"
    SEC = "sec", "SEC EDGAR filings (Atom)"


class ItemStatus(models.TextChoices):
    NEW = "new", "New"
    FETCHED = "fetched", "Fetched"
    FAILED = "failed", "Failed"
    DISMISSED = "dismissed", "Dismissed"
    ACCEPTED = "accepted", "Accepted"


class PollStatus(models.TextChoices):
    OK = "ok", "OK"
    NOT_MODIFIED = "not_modified", "Not modified"
    FAILED = "failed", "Failed"


class CandidateFlag(models.TextChoices):
    NEW = "new", "New"
    DUPLICATE = "duplicate", "Already recorded"
    REVISION = "revision", "Revises"


class CandidateState(models.TextChoices):
    OPEN = "open", "Open"
    ACCEPTED = "accepted", "Accepted"
    DISMISSED = "dismissed", "Dismissed"


class RunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    OK = "ok", "OK"
    PARTIAL = "partial", "Some feeds failed"
    SKIPPED = "skipped", "Skipped (another run held the lock)"
    FAILED = "failed", "Failed (nothing was requested)"
