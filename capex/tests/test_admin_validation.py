"""The shared rules (capex.validation) that the admin, the API, imports and the workflow all apply."""

from decimal import Decimal

import pytest

from capex.choices import Qualifier, Status
from capex.tests.factories import CitationFactory, InvestmentFactory
from capex.validation import investment_publish_errors, investment_warnings
from companies.tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db

BN = Decimal(10) ** 9


@pytest.fixture
def bytedance():
    return CompanyFactory(name="ByteDance", slug="bytedance", country="CN")


def test_components_over_an_exact_parent_warn_on_the_parent_and_on_each_component(bytedance):
    parent = InvestmentFactory(company=bytedance, title="AI plan 2025", amount=10 * BN, qualifier=Qualifier.EXACT)
    first = InvestmentFactory(company=bytedance, parent=parent, amount=6 * BN)
    InvestmentFactory(company=bytedance, parent=parent, amount=5 * BN)

    expected = (
        "The components of “AI plan 2025” add up to USD 11,000,000,000, more than its exact USD 10,000,000,000. "
        "Check the amounts, or make the figure “at least”."
    )
    assert investment_warnings(parent) == [expected]
    assert investment_warnings(first) == [expected]


def test_components_over_an_at_least_parent_are_not_a_warning(bytedance):
    # ByteDance: "more than $12bn"; its components may well add up to more.
    parent = InvestmentFactory(company=bytedance, amount=12 * BN, qualifier=Qualifier.AT_LEAST)
    InvestmentFactory(company=bytedance, parent=parent, amount=13 * BN)

    assert investment_warnings(parent) == []


def test_components_within_an_exact_parent_are_fine(bytedance):
    parent = InvestmentFactory(company=bytedance, amount=10 * BN, qualifier=Qualifier.EXACT)
    InvestmentFactory(company=bytedance, parent=parent, amount=6 * BN)
    InvestmentFactory(company=bytedance, parent=parent, amount=4 * BN)

    assert investment_warnings(parent) == []


def test_a_cancelled_component_does_not_count(bytedance):
    parent = InvestmentFactory(company=bytedance, amount=10 * BN, qualifier=Qualifier.EXACT)
    InvestmentFactory(company=bytedance, parent=parent, amount=6 * BN)
    InvestmentFactory(company=bytedance, parent=parent, amount=6 * BN, status=Status.CANCELLED)

    assert investment_warnings(parent) == []


def test_components_in_other_currencies_compare_in_usd_at_announcement(bytedance):
    parent = InvestmentFactory(
        company=bytedance,
        title="AI plan",
        amount=12 * BN,
        qualifier=Qualifier.EXACT,
        amount_usd_at_announcement=12 * BN,
    )
    InvestmentFactory(
        company=bytedance,
        parent=parent,
        amount=40 * BN,
        currency="CNY",
        amount_usd_at_announcement=Decimal("5.5") * BN,
    )
    InvestmentFactory(company=bytedance, parent=parent, amount=7 * BN, amount_usd_at_announcement=7 * BN)

    [warning] = investment_warnings(parent)
    assert "about USD 12,500,000,000 at announcement-date rates, more than its exact USD 12,000,000,000" in warning


def test_components_not_yet_converted_are_not_compared(bytedance):
    parent = InvestmentFactory(
        company=bytedance, amount=1 * BN, qualifier=Qualifier.EXACT, amount_usd_at_announcement=BN
    )
    InvestmentFactory(company=bytedance, parent=parent, amount=400 * BN, currency="CNY")

    assert investment_warnings(parent) == []


def test_publish_needs_a_citation_with_a_quote():
    uncited = InvestmentFactory()
    cited = InvestmentFactory()
    CitationFactory(investment=cited, quote="ByteDance plans to spend more than $12bn.")

    assert investment_publish_errors(uncited) == {
        "state": [
            "A figure cannot be published without at least one citation; add a citation with the supporting quote."
        ]
    }
    assert investment_publish_errors(cited) == {}
