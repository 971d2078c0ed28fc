"""
The rules a figure must keep, in one place for the admin, the API, imports and the workflow.

Hard rules are errors and live where `full_clean()` finds them, so every writer hits them:
field choices (the currency is an ISO 4217 code), the database constraints (low <= high,
only a range has a high value, the period ends after it starts, a citation has a quote)
and `Investment.clean()` (a range needs its high value, a component belongs to the parent's
company or one of its partners, components are one level deep so parents cannot form a
cycle, revisions do not form a cycle, nothing is published without a citation).

This module adds what `clean()` cannot say on its own:

* `investment_publish_errors()`: what stops a figure from going to review or being
  published (a citation with a quote), checked by the workflow services.
* `investment_warnings()`: things an editor should look at that are not wrong in
  themselves, such as components adding up to more than an exact parent.
"""

from decimal import Decimal

from django.db.models import Sum

from capex.choices import Qualifier, Status
from capex.models import Investment

# Worded like Investment.clean()'s own rule, under the same key, so the message reads the same
# whether the workflow or the model catches it.
NEEDS_CITATION = "A figure cannot be published without at least one citation; add a citation with the supporting quote."


def investment_publish_errors(investment: Investment) -> dict[str, list[str]]:
    """Errors that keep a figure from review and publication, by field ("state"), empty when there are none."""
    if investment.pk is None:
        return {"state": [NEEDS_CITATION]}
    quotes = list(investment.citations.values_list("quote", flat=True))
    if not any(quote.strip() for quote in quotes):
        return {"state": [NEEDS_CITATION]}
    return {}


def investment_warnings(investment: Investment) -> list[str]:
    """
    Warnings for an editor: not errors, since a source may well state numbers that do not
    add up, but worth a second look before review. Looks at the figure's own components
    and, for a component, at its parent's.
    """
    warnings: list[str] = []
    if investment.pk is None:
        return warnings
    exact_parent = investment if investment.parent_id is None else investment.parent
    message = _components_exceed_exact_parent(exact_parent)
    if message:
        warnings.append(message)
    return warnings


def _components_exceed_exact_parent(parent: Investment) -> str | None:
    if parent.qualifier != Qualifier.EXACT:
        return None
    components = parent.components.exclude(status=Status.CANCELLED)
    currencies = set(components.values_list("currency", flat=True))
    if not currencies:
        return None
    if currencies == {parent.currency}:
        total = components.aggregate(total=Sum("amount"))["total"] or Decimal(0)
        if total > parent.amount:
            return (
                f"The components of “{parent.title}” add up to {parent.currency} {total:,.0f}, more than its exact "
                f"{parent.currency} {parent.amount:,.0f}. Check the amounts, or make the figure “at least”."
            )
        return None
    # Mixed currencies: compare in USD at the announcement-date rates, where all are converted.
    usd = list(components.values_list("amount_usd_at_announcement", flat=True))
    if parent.amount_usd_at_announcement is None or any(value is None for value in usd):
        return None
    total_usd = sum(usd, Decimal(0))
    if total_usd > parent.amount_usd_at_announcement:
        return (
            f"The components of “{parent.title}” add up to about USD {total_usd:,.0f} at announcement-date rates, "
            f"more than its exact USD {parent.amount_usd_at_announcement:,.0f}. Check the amounts, or make the "
            "figure “at least”."
        )
    return None
