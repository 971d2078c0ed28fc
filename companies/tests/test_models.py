import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from companies.models import Company
from companies.tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db


def test_company_names_are_unique_whatever_the_case():
    CompanyFactory(name="ByteDance", slug="bytedance")
    with pytest.raises(IntegrityError), transaction.atomic():
        Company.objects.create(name="bytedance", slug="bytedance-2", country="CN")


def test_company_cannot_be_its_own_parent():
    company = CompanyFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Company.objects.filter(pk=company.pk).update(parent=company.pk)


def test_search_finds_a_company_by_alias():
    CompanyFactory(name="ByteDance", slug="bytedance", aliases="TikTok owner\n字节跳动")
    CompanyFactory(name="Meta", slug="meta")
    assert [c.name for c in Company.objects.search("字节跳动")] == ["ByteDance"]
    assert [c.name for c in Company.objects.search("tiktok")] == ["ByteDance"]


def test_country_must_be_iso_code():
    company = CompanyFactory.build(country="XX")
    with pytest.raises(ValidationError) as exc:
        company.full_clean()
    assert "country" in exc.value.message_dict


def test_duplicate_name_is_reported_on_the_name_field():
    CompanyFactory(name="ByteDance", slug="bytedance")
    with pytest.raises(ValidationError) as exc:
        CompanyFactory.build(name="BYTEDANCE", slug="bytedance-2").full_clean()
    assert exc.value.message_dict["name"] == ["A company with this name already exists."]
