"""CompanyFilterSet on its own."""

import pytest
from django.http import QueryDict

from companies.filters import CompanyFilterSet
from companies.models import Company
from companies.tests.factories import ChipVendorFactory, CompanyFactory

pytestmark = pytest.mark.django_db


def slugs(query: str) -> set[str]:
    filterset = CompanyFilterSet(data=QueryDict(query), queryset=Company.objects.all())
    assert filterset.is_valid(), filterset.errors
    return set(filterset.qs.values_list("slug", flat=True))


def test_search_country_and_kind():
    CompanyFactory(name="ByteDance", slug="bytedance", country="CN", aliases="TikTok owner")
    ChipVendorFactory(name="Huawei", slug="huawei", country="CN")
    CompanyFactory(name="Meta", slug="meta", country="US", ticker="NASDAQ:META")

    assert slugs("q=tiktok") == {"bytedance"}
    assert slugs("q=NASDAQ:META") == {"meta"}
    assert slugs("country=CN") == {"bytedance", "huawei"}
    assert slugs("country=CN&kind=chip_vendor") == {"huawei"}
    assert slugs("country=") == {"bytedance", "huawei", "meta"}


def test_an_unknown_country_is_an_error():
    filterset = CompanyFilterSet(data=QueryDict("country=XX"), queryset=Company.objects.all())

    assert not filterset.is_valid()
    assert "country" in filterset.errors
