"""
The editorial workflow: draft -> in review -> published, and back to draft with a reason.

Who may do what:

* Editors (`capex.submit_investment`) send drafts for review. A person sends a draft to
  review only with a citation that quotes its source.
* Reviewers (`capex.publish_investment`) publish figures in review, and
  (`capex.return_investment`) send figures back to draft with a reason. An editor may also
  take back a figure of their own that is still in review.
* Four eyes: nobody publishes a figure in which any change since it was last published is
  their own, whatever their permissions, superusers included. A change is any edit of the
  figure's content (fields, partners, vendors), of its citations, or of its components and
  their citations, as the history records them (`investment_contributors`); for a figure never
  published, its creation counts too. Workflow transitions are not changes.
* `by=None` is a trusted system load (the sample-data command): no person is checked, and
  `investment_publish` publishes a draft that has its citations straight away.

A transition is not an edit of the figure: it leaves `updated_by` (the last person who
changed its content) as it was, so the four-eyes rule cannot be side-stepped by having
someone else submit. Every transition is written to the figure's history with who did it
and why.

Refusals raise `PermissionDenied` (who may not do this: 403 in the API) or
`ValidationError` (what is wrong with the figure, by field).
"""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from capex.choices import WorkflowState
from capex.models import Citation, Investment
from capex.services.slices import headlines_touched, slices_refresh_for
from capex.validation import investment_publish_errors

SUBMIT_PERMISSION = "capex.submit_investment"
PUBLISH_PERMISSION = "capex.publish_investment"
RETURN_PERMISSION = "capex.return_investment"
# The history's change reason holds 100 characters; "Returned to draft: " takes 19 of them.
REASON_MAX_LENGTH = 80


# What a transition or a currency job writes: not content a reviewer checks.
NOT_CONTENT = frozenset(
    {
        "state",
        "reviewed_by",
        "published_at",
        "updated_at",
        "updated_by",
        "created_at",
        "created_by",
        *(
            f"{prefix}_{basis}"
            for prefix in ("amount_usd", "amount_high_usd", "fx_rate", "fx_date", "fx_provider", "fx_note")
            for basis in ("at_announcement", "latest")
        ),
    }
)


def _content_changers(rows, before: dict[int, object]) -> set[int]:
    """
    The users behind history rows that changed content. Rows come oldest first, per figure; the
    first row of each figure is compared with its row from before the window, in `before` (or
    counts whole if the figure was created in the window).
    """
    changers: set[int] = set()
    previous_by_figure: dict[int, object] = dict(before)
    for row in rows:
        previous = previous_by_figure.get(row.id)
        if previous is None or row.history_type in ("+", "-"):
            changed = True
        else:
            changed = bool(row.diff_against(previous, excluded_fields=NOT_CONTENT).changed_fields)
        if changed and row.history_user_id is not None:
            changers.add(row.history_user_id)
        previous_by_figure[row.id] = row
    return changers


def investment_contributors(investment: Investment) -> set[int]:
    """
    Ids of the people whose changes the figure carries since it was last published: edits of its
    fields, partners and vendors, of its citations, of its components and their citations. For
    a figure never published, everything since its creation. The four-eyes rule's test.
    """
    history = Investment.history.model
    citation_history = Citation.history.model
    last_published = (
        investment.history.filter(state=WorkflowState.PUBLISHED)
        .order_by("-history_date")
        .values("history_date")
        .first()
    )
    since = {"history_date__gt": last_published["history_date"]} if last_published else {}
    component_ids = set(history.objects.filter(parent_id=investment.pk, **since).values_list("id", flat=True)) | set(
        investment.components.values_list("pk", flat=True)
    )
    rows = history.objects.filter(id__in={investment.pk, *component_ids}, **since).order_by(
        "history_date", "history_id"
    )
    before = {}
    if last_published:
        # Each figure's last row up to the publication, in two queries rather than one per figure.
        latest = (
            history.objects.filter(
                id__in={investment.pk, *component_ids}, history_date__lte=last_published["history_date"]
            )
            .values("id")
            .annotate(last=Max("history_id"))
            .values("last")
        )
        before = {row.id: row for row in history.objects.filter(history_id__in=latest)}
    contributors = _content_changers(rows, before)
    contributors |= set(
        citation_history.objects.filter(investment_id__in={investment.pk, *component_ids}, **since)
        .exclude(history_user_id=None)
        .values_list("history_user_id", flat=True)
    )
    if last_published is None:
        # Figures older than their history (loaded in bulk) still name who made them.
        contributors |= {pk for pk in (investment.created_by_id, investment.updated_by_id) if pk is not None}
    return contributors


def investment_is_own(investment: Investment, user: AbstractBaseUser) -> bool:
    """Whether any change the figure carries since it was last published is the user's: the four-eyes test."""
    return user.pk is not None and user.pk in investment_contributors(investment)


def investment_can_publish(investment: Investment, user: AbstractBaseUser) -> bool:
    """For showing or hiding the publish button; the service itself decides."""
    return (
        investment.state == WorkflowState.IN_REVIEW
        and user.has_perm(PUBLISH_PERMISSION)
        and not investment_is_own(investment, user)
    )


def investment_can_return(investment: Investment, user: AbstractBaseUser) -> bool:
    if investment.state == WorkflowState.DRAFT:
        return False
    if user.has_perm(RETURN_PERMISSION):
        return True
    return (
        investment.state == WorkflowState.IN_REVIEW
        and user.has_perm(SUBMIT_PERMISSION)
        and investment_is_own(investment, user)
    )


@transaction.atomic
def investment_submit(*, investment: Investment, by: AbstractBaseUser | None) -> Investment:
    """Send a draft for review; a person sends it only once it has a citation with its quote."""
    if by is not None and not by.has_perm(SUBMIT_PERMISSION):
        raise PermissionDenied("You do not have permission to send figures for review.")
    if investment.state != WorkflowState.DRAFT:
        raise ValidationError({"state": "Only a draft can be sent for review."})
    # A person sends only what a reviewer could publish; a system load may stage drafts whose
    # citations follow (publication checks them again in any case).
    errors = investment_publish_errors(investment) if by is not None else {}
    if errors:
        raise ValidationError(errors)
    investment.state = WorkflowState.IN_REVIEW
    investment.full_clean()
    _save_transition(investment, by=by, reason="Sent for review", fields=["state"])
    return investment


@transaction.atomic
def investment_publish(*, investment: Investment, by: AbstractBaseUser | None) -> Investment:
    """
    Publish a figure. A reviewer publishes what is in review and was created and last
    changed by someone else; `by=None` (a trusted system load) publishes a draft directly.
    """
    if by is not None:
        if not by.has_perm(PUBLISH_PERMISSION):
            raise PermissionDenied("You do not have permission to publish figures.")
        if investment_is_own(investment, by):
            raise PermissionDenied(
                "This figure carries changes of yours since it was last published, so another reviewer must "
                "publish it (four eyes)."
            )
    if investment.state == WorkflowState.PUBLISHED:
        raise ValidationError({"state": "This figure is already published."})
    if by is not None and investment.state != WorkflowState.IN_REVIEW:
        raise ValidationError({"state": "Only a figure in review can be published; send the draft for review first."})
    errors = investment_publish_errors(investment)
    if errors:
        raise ValidationError(errors)
    investment.state = WorkflowState.PUBLISHED
    investment.reviewed_by = by
    investment.published_at = timezone.now()
    investment.full_clean()
    _save_transition(investment, by=by, reason="Published", fields=["state", "reviewed_by", "published_at"])
    slices_refresh_for(headline_ids=headlines_touched([investment]))
    return investment


@transaction.atomic
def investment_return_to_draft(*, investment: Investment, by: AbstractBaseUser | None, reason: str) -> Investment:
    """
    Take a figure back to draft so it can be changed; the reason is required and kept in its
    history. A published figure leaves the public pages and totals until it is published again.
    """
    reason = (reason or "").strip()
    if by is not None and not investment_can_return(investment, by):
        if investment.state == WorkflowState.DRAFT:
            raise ValidationError({"state": "This figure is already a draft."})
        raise PermissionDenied("You do not have permission to return this figure to draft.")
    if not reason:
        raise ValidationError({"reason": "Say why the figure goes back to draft."})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {"reason": f"Keep the reason to {REASON_MAX_LENGTH} characters; it is kept in the figure's history."}
        )
    if investment.state == WorkflowState.DRAFT:
        raise ValidationError({"state": "This figure is already a draft."})
    investment.state = WorkflowState.DRAFT
    investment.reviewed_by = None
    investment.published_at = None
    _save_transition(
        investment, by=by, reason=f"Returned to draft: {reason}", fields=["state", "reviewed_by", "published_at"]
    )
    slices_refresh_for(headline_ids=headlines_touched([investment]))
    return investment


def _save_transition(investment: Investment, *, by: AbstractBaseUser | None, reason: str, fields: list[str]) -> None:
    # Read by django-simple-history: who made this history row and why.
    investment._history_user = by
    investment._change_reason = reason
    investment.save(update_fields=[*fields, "updated_at"])
