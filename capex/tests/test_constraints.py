"""Every integrity rule of a figure holds in the database, and clean() explains it to an editor."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from capex.choices import Qualifier, WorkflowState
from capex.models import Citation, Investment
from capex.services.investments import citation_add, investment_create, investment_update
from capex.services.workflow import investment_publish, investment_submit
from capex.tests.factories import CitationFactory, InvestmentFactory
from companies.tests.factories import CompanyFactory
from sources.tests.factories import SourceFactory

pytestmark = pytest.mark.django_db


def _raises_integrity(fn):
    with pytest.raises(IntegrityError), transaction.atomic():
        fn()


def test_database_rejects_range_with_high_below_low():
    investment = InvestmentFactory(qualifier=Qualifier.RANGE, amount=Decimal(60), amount_high=Decimal(65))
    _raises_integrity(lambda: Investment.objects.filter(pk=investment.pk).update(amount_high=Decimal(59)))


def test_database_rejects_range_without_high_value():
    investment = InvestmentFactory()
    _raises_integrity(lambda: Investment.objects.filter(pk=investment.pk).update(qualifier=Qualifier.RANGE))


def test_database_rejects_high_value_on_a_non_range():
    investment = InvestmentFactory(qualifier=Qualifier.EXACT)
    _raises_integrity(lambda: Investment.objects.filter(pk=investment.pk).update(amount_high=Decimal(10**12)))


def test_database_rejects_negative_amount():
    investment = InvestmentFactory()
    _raises_integrity(lambda: Investment.objects.filter(pk=investment.pk).update(amount=Decimal(-1)))


def test_database_rejects_period_ending_before_it_starts():
    investment = InvestmentFactory()
    _raises_integrity(
        lambda: Investment.objects.filter(pk=investment.pk).update(period_end=datetime.date(2024, 12, 31))
    )


def test_database_rejects_figure_that_is_its_own_parent():
    investment = InvestmentFactory()
    _raises_integrity(lambda: Investment.objects.filter(pk=investment.pk).update(parent=investment.pk))


def test_database_rejects_figure_that_revises_itself():
    investment = InvestmentFactory()
    _raises_integrity(lambda: Investment.objects.filter(pk=investment.pk).update(supersedes=investment.pk))


def test_database_rejects_citation_without_quote():
    citation = CitationFactory()
    _raises_integrity(lambda: Citation.objects.filter(pk=citation.pk).update(quote=""))


def test_source_cannot_be_deleted_while_cited():
    from django.db.models import ProtectedError

    citation = CitationFactory()
    with pytest.raises(ProtectedError):
        citation.source.delete()


def test_create_names_the_field_when_range_lacks_high_value():
    company = CompanyFactory()
    with pytest.raises(ValidationError) as exc:
        investment_create(
            company=company,
            title="Capex",
            announced_on=datetime.date(2025, 1, 1),
            amount=Decimal(60),
            currency="USD",
            qualifier=Qualifier.RANGE,
        )
    assert "A range needs its high value." in exc.value.message_dict["amount_high"]
    assert not Investment.objects.exists()


def test_create_rejects_unknown_currency():
    with pytest.raises(ValidationError) as exc:
        investment_create(
            company=CompanyFactory(), title="Capex", announced_on=datetime.date(2025, 1, 1), amount=1, currency="XYZ"
        )
    assert "currency" in exc.value.message_dict
    assert not Investment.objects.exists()


def test_figure_cannot_be_published_without_a_citation():
    investment = InvestmentFactory()
    with pytest.raises(ValidationError) as exc:
        investment_publish(investment=investment, by=None)
    assert "without at least one citation" in " ".join(exc.value.message_dict["state"])
    investment.refresh_from_db()
    assert investment.state == WorkflowState.DRAFT


def test_figure_with_a_citation_can_be_published():
    investment = InvestmentFactory()
    citation_add(investment=investment, source=SourceFactory(), quote="plans to invest $1bn")
    investment_publish(investment=investment, by=None)
    investment.refresh_from_db()
    assert investment.state == WorkflowState.PUBLISHED
    assert investment.published_at is not None


def test_component_must_belong_to_its_parents_company_even_a_partners():
    parent = InvestmentFactory()
    partner = CompanyFactory()
    parent.partners.add(partner)
    component = InvestmentFactory.build(company=partner, parent=parent)
    with pytest.raises(ValidationError) as exc:
        component.full_clean()
    assert "parent's company" in exc.value.message_dict["company"][0]

    component.company = parent.company
    component.full_clean()


def test_components_are_one_level_deep():
    headline = InvestmentFactory()
    component = InvestmentFactory(company=headline.company, parent=headline)
    nested = InvestmentFactory.build(company=headline.company, parent=component)
    with pytest.raises(ValidationError) as exc:
        nested.full_clean()
    assert "one level deep" in exc.value.message_dict["parent"][0]


def test_revision_cycles_are_rejected():
    first = InvestmentFactory()
    second = InvestmentFactory(company=first.company, supersedes=first)
    first.supersedes = second
    with pytest.raises(ValidationError) as exc:
        first.full_clean()
    assert "cycle" in exc.value.message_dict["supersedes"][0]


def test_revision_must_belong_to_same_company():
    first = InvestmentFactory()
    other = InvestmentFactory.build(company=CompanyFactory(), supersedes=first)
    with pytest.raises(ValidationError) as exc:
        other.full_clean()
    assert "same company" in exc.value.message_dict["supersedes"][0]


def test_submit_moves_a_draft_to_review():
    investment = InvestmentFactory()
    investment_submit(investment=investment, by=None)
    investment.refresh_from_db()
    assert investment.state == WorkflowState.IN_REVIEW


def test_a_published_figure_cannot_be_changed_until_returned_to_draft():
    investment = InvestmentFactory()
    citation_add(investment=investment, source=SourceFactory(), quote="plans to invest $1bn")
    investment_publish(investment=investment, by=None)
    with pytest.raises(ValidationError) as exc:
        investment_update(investment=investment, title="Changed behind the reviewer's back")
    assert "Only a draft can be changed" in exc.value.message_dict["state"][0]
    with pytest.raises(ValidationError):
        citation_add(investment=investment, source=SourceFactory(), quote="another quote")
    investment.refresh_from_db()
    assert investment.title != "Changed behind the reviewer's back"
    assert investment.citations.count() == 1
