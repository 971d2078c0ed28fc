import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from currencies.choices import RateProvider
from currencies.models import ExchangeRate

pytestmark = pytest.mark.django_db


def _rate(**overrides):
    fields = {
        "provider": RateProvider.ECB,
        "base": "EUR",
        "currency": "USD",
        "date": datetime.date(2025, 1, 21),
        "rate": Decimal("1.0395"),
    }
    fields.update(overrides)
    return ExchangeRate.objects.create(**fields)


def test_one_rate_per_provider_pair_and_date():
    _rate()
    with pytest.raises(IntegrityError), transaction.atomic():
        _rate(rate=Decimal("1.05"))
    assert ExchangeRate.objects.get().rate == Decimal("1.0395")


def test_another_provider_may_publish_the_same_pair_on_the_same_date():
    _rate()
    _rate(provider=RateProvider.ECB_BUNDLED)
    assert ExchangeRate.objects.count() == 2


def test_rate_must_be_positive():
    with pytest.raises(IntegrityError), transaction.atomic():
        _rate(rate=Decimal(0))


def test_rate_pair_must_be_two_currencies():
    with pytest.raises(IntegrityError), transaction.atomic():
        _rate(currency="EUR")
