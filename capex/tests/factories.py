import datetime
from decimal import Decimal

import factory

from capex.choices import Qualifier, WorkflowState
from capex.models import Citation, Investment
from companies.tests.factories import CompanyFactory
from sources.tests.factories import SourceFactory


class InvestmentFactory(factory.django.DjangoModelFactory):
    """A draft figure in USD. Use PublishedInvestmentFactory for one with a citation, published."""

    class Meta:
        model = Investment

    company = factory.SubFactory(CompanyFactory)
    title = factory.Sequence(lambda n: f"AI infrastructure plan {n}")
    announced_on = datetime.date(2025, 1, 21)
    amount = Decimal("1000000000")
    currency = "USD"
    qualifier = Qualifier.APPROXIMATELY
    period_label = "2025"
    period_start = datetime.date(2025, 1, 1)
    period_end = datetime.date(2025, 12, 31)


class CitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Citation

    investment = factory.SubFactory(InvestmentFactory)
    source = factory.SubFactory(SourceFactory)
    quote = factory.Sequence(lambda n: f"The company plans to spend the money (quote {n}).")
    locator = factory.Sequence(lambda n: f"paragraph {n}")


class PublishedInvestmentFactory(InvestmentFactory):
    """Published with one citation, as the workflow would leave it."""

    class Meta:
        skip_postgeneration_save = True

    citation = factory.RelatedFactory(CitationFactory, factory_related_name="investment")

    @factory.post_generation
    def publish(obj, create, extracted, **kwargs):
        if create:
            Investment.objects.filter(pk=obj.pk).update(state=WorkflowState.PUBLISHED)
            obj.state = WorkflowState.PUBLISHED
