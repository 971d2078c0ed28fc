"""
Components that add up to more than an "up to" headline (an editor warning): the figure still
stores its slices and totals it at what it states, never with a low value above its high one.
"""

import datetime
from decimal import Decimal

import pytest

from capex.choices import FxBasis, Qualifier
from capex.models import FigureSlice
from capex.selectors import slice_set
from capex.services.workflow import investment_publish
from capex.tests.factories import CitationFactory, InvestmentFactory
from companies.tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db
M = Decimal(10**6)


def figure(company, amount: Decimal, **fields):
    investment = InvestmentFactory(
        company=company,
        amount=amount,
        announced_on=datetime.date(2025, 3, 1),
        amount_usd_at_announcement=amount,
        amount_usd_latest=amount,
        **fields,
    )
    CitationFactory(investment=investment)
    return investment


def test_components_past_an_up_to_headline_total_what_it_states():
    company = CompanyFactory(slug="grid-builder")
    headline = figure(company, 191 * M, qualifier=Qualifier.UP_TO)
    for amount in (Decimal("76.4"), Decimal("51.57"), Decimal("66.85")):  # $194.82m in all
        figure(company, amount * M, parent=headline, qualifier=Qualifier.APPROXIMATELY)
    for investment in [*headline.components.all(), headline]:
        investment_publish(investment=investment, by=None)

    stored = FigureSlice.objects.filter(figure=headline, basis=FxBasis.ANNOUNCEMENT)
    assert stored.count() == 3
    assert all(piece.low_mills <= piece.high_mills for piece in stored)
    total, figures = slice_set().filter(company__slug="grid-builder").totals
    assert figures == 1
    assert total.high == 191 * M
    assert total.point == 191 * M
    # "Up to": its components grow the low value, but never past the most the figure can be.
    assert total.low == 191 * M
