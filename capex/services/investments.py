"""Creating and changing figures and their citations."""

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from capex.choices import WorkflowState
from capex.conversions import investment_convert
from capex.models import Citation, Investment
from capex.services.batching import batch_open
from companies.models import Company
from sources.models import Source

# A change to any of these invalidates the stored USD conversions.
CONVERSION_INPUTS = frozenset({"amount", "amount_high", "currency", "announced_on"})
NOT_A_DRAFT = "Only a draft can be changed; a reviewer returns the figure to draft first."


def _require_draft(investment: Investment) -> None:
    """Figures in review or published are what a reviewer saw: they change only as drafts."""
    if investment.state != WorkflowState.DRAFT:
        raise ValidationError({"state": NOT_A_DRAFT})


def _record_author(instance, user: AbstractBaseUser | None) -> None:
    """
    Who made the change, for the history (which the four-eyes rule reads), inside a request or
    not. Without a user the history keeps what the request says (django-simple-history's middleware).
    """
    if user is not None:
        instance._history_user = user


def _convert_on_commit(investment_id: int) -> None:
    if (batch := batch_open()) is not None:  # the batch converts its figures together
        batch.conversions.add(investment_id)
        return
    transaction.on_commit(lambda: investment_convert(investment_id=investment_id))


@transaction.atomic
def investment_create(
    *,
    company: Company,
    title: str,
    announced_on,
    amount,
    currency: str,
    partners: Iterable[Company] = (),
    chip_vendors: Iterable[Company] = (),
    created_by: AbstractBaseUser | None = None,
    **fields: Any,
) -> Investment:
    """
    Create a figure as a draft. Validation runs before anything is written, so a figure
    that breaks a rule leaves no row behind; its USD conversions are filled on commit.
    """
    investment = Investment(
        company=company,
        title=title,
        announced_on=announced_on,
        amount=amount,
        currency=currency,
        created_by=created_by,
        updated_by=created_by,
        **fields,
    )
    _record_author(investment, created_by)
    investment.full_clean()
    investment.save()
    investment.partners.set(partners)
    investment.chip_vendors.set(chip_vendors)
    _convert_on_commit(investment.pk)
    return investment


@transaction.atomic
def investment_update(
    *,
    investment: Investment,
    updated_by: AbstractBaseUser | None = None,
    partners: Iterable[Company] | None = None,
    chip_vendors: Iterable[Company] | None = None,
    **changes: Any,
) -> Investment:
    """Change fields of a draft figure; the conversions are refreshed when an input to them changed."""
    _require_draft(investment)
    moved = "company" in changes and changes["company"] != investment.company
    for name, value in changes.items():
        setattr(investment, name, value)
    investment.updated_by = updated_by
    _record_author(investment, updated_by)
    investment.full_clean()
    investment.save()
    if partners is not None:
        investment.partners.set(partners)
    if chip_vendors is not None:
        investment.chip_vendors.set(chip_vendors)
    if moved:
        _move_components(investment, by=updated_by)
    if CONVERSION_INPUTS & changes.keys():
        _convert_on_commit(investment.pk)
    return investment


def _move_components(headline: Investment, *, by: AbstractBaseUser | None) -> None:
    """Components belong to their parent's company: a headline that moves takes them along."""
    for component in headline.components.select_for_update().order_by("pk"):
        component.company = headline.company
        _record_author(component, by)
        component.save(update_fields=["company", "updated_at"])


@transaction.atomic
def citation_add(
    *,
    investment: Investment,
    source: Source,
    quote: str,
    locator: str = "",
    note: str = "",
    by: AbstractBaseUser | None = None,
) -> Citation:
    """Attach the exact supporting words of a source to a draft figure; `by` is recorded in its history."""
    _require_draft(investment)
    citation = Citation(
        investment=investment, source=source, quote=quote.strip(), locator=locator.strip(), note=note.strip()
    )
    _record_author(citation, by)
    citation.full_clean()
    citation.save()
    return citation
