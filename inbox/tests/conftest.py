"""Fixtures of the inbox's tests: Meta, its newsroom feed, its recorded 2025 capex guidance."""

from datetime import date
from decimal import Decimal

import pytest

from capex.tests.factories import PublishedInvestmentFactory
from companies.models import Company
from inbox.models import Feed
from inbox.tests.recorded import NEWSROOM

# Tests run with DEBUG off, where the User-Agent must name a real contact; this is the tests' own.
TEST_USER_AGENT = "ai-capex-tracker inbox tests (+http://127.0.0.1/contact)"


@pytest.fixture(autouse=True)
def _inbox_user_agent(settings):
    settings.INBOX_USER_AGENT = TEST_USER_AGENT


@pytest.fixture
def meta(db):
    return Company.objects.create(name="Meta", slug="meta", country="US", aliases="Facebook")


@pytest.fixture
def newsroom(meta):
    return Feed.objects.create(name="Meta IR", url=NEWSROOM, company=meta)


@pytest.fixture
def meta_guidance(meta):
    """
    Meta's published 2025 capital-expenditure guidance as recorded before an item arrives:
    `meta_guidance("60e9", "65e9", date(2025, 1, 29))`, the range and the day it was announced.
    """

    def record(low: str, high: str, announced_on: date):
        return PublishedInvestmentFactory(
            company=meta,
            amount=Decimal(low),
            amount_high=Decimal(high),
            qualifier="range",
            measure="total_capex",
            period_start=date(2025, 1, 1),
            period_end=date(2025, 12, 31),
            announced_on=announced_on,
        )

    return record
