"""
The editorial workflow: draft -> in review -> published, and back to draft with a reason.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from capex.choices import WorkflowState
from capex.models import Investment


@transaction.atomic
def investment_submit(*, investment: Investment, by: AbstractBaseUser | None) -> Investment:
    """Send a draft for review."""
    if investment.state != WorkflowState.DRAFT:
        raise ValidationError({"state": "Only a draft can be sent for review."})
    investment.state = WorkflowState.IN_REVIEW
    investment.updated_by = by
    investment.full_clean()
    investment.save(update_fields=["state", "updated_by", "updated_at"])
    return investment


@transaction.atomic
def investment_publish(*, investment: Investment, by: AbstractBaseUser | None) -> Investment:
    """
    Publish a figure. `by=None` is a trusted system load (the sample data command), which
    publishes straight from draft; a person publishes only what is in review.
    """
    if investment.state == WorkflowState.PUBLISHED:
        raise ValidationError({"state": "This figure is already published."})
    if by is not None and investment.state != WorkflowState.IN_REVIEW:
        raise ValidationError({"state": "Only a figure in review can be published."})
    investment.state = WorkflowState.PUBLISHED
    investment.reviewed_by = by
    investment.published_at = timezone.now()
    investment.full_clean()
    investment.save(update_fields=["state", "reviewed_by", "published_at", "updated_at"])
    return investment


@transaction.atomic
def investment_return_to_draft(*, investment: Investment, by: AbstractBaseUser | None, reason: str) -> Investment:
    """Take a figure back to draft; the reason is required and kept in its history."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the figure goes back to draft."})
    if investment.state == WorkflowState.DRAFT:
        raise ValidationError({"state": "This figure is already a draft."})
    investment.state = WorkflowState.DRAFT
    investment.updated_by = by
    investment.published_at = None
    investment._change_reason = reason
    investment.save(update_fields=["state", "updated_by", "published_at", "updated_at"])
    return investment
