"""Companies in the admin: search by alias, the picker figures use, history, rights by group."""

import pytest
from django.urls import reverse

from capex.tests.fixtures.personas import make_user
from companies.models import Company
from companies.tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:companies_company_changelist")


@pytest.fixture
def editor_client(client):
    client.force_login(make_user("Editor", "edith"))
    return client


def test_search_finds_a_company_by_alias_or_ticker(editor_client):
    CompanyFactory(name="ByteDance", slug="bytedance", aliases="TikTok owner\n字节跳动")
    CompanyFactory(name="Microsoft", slug="microsoft", ticker="NASDAQ:MSFT")

    by_alias = editor_client.get(CHANGELIST, {"q": "字节跳动"}).content.decode()
    by_ticker = editor_client.get(CHANGELIST, {"q": "MSFT"}).content.decode()

    assert "ByteDance" in by_alias and "Microsoft" not in by_alias
    assert "Microsoft" in by_ticker and "ByteDance" not in by_ticker


def test_company_picker_autocompletes_by_alias(editor_client):
    CompanyFactory(name="ByteDance", slug="bytedance", aliases="TikTok owner")
    CompanyFactory(name="Alibaba", slug="alibaba")

    response = editor_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "capex", "model_name": "investment", "field_name": "company", "term": "tiktok"},
    )

    assert [result["text"] for result in response.json()["results"]] == ["ByteDance"]


def test_editor_adds_a_company_and_the_history_names_them(client):
    editor = make_user("Editor", "edith")
    client.force_login(editor)

    response = client.post(
        reverse("admin:companies_company_add"),
        {"name": "Cambricon", "slug": "cambricon", "country": "CN", "kind": "chip_vendor", "aliases": "寒武纪"},
    )

    assert response.status_code == 302
    company = Company.objects.get(slug="cambricon")
    assert company.history.get().history_user == editor


def test_a_duplicate_company_name_is_refused_with_a_clear_message(editor_client):
    CompanyFactory(name="Nvidia", slug="nvidia")

    response = editor_client.post(
        reverse("admin:companies_company_add"),
        {"name": "NVIDIA", "slug": "nvidia-2", "country": "US", "kind": "chip_vendor"},
    )

    assert "A company with this name already exists." in response.content.decode()
    assert Company.objects.count() == 1


def test_a_viewer_cannot_change_a_company(client):
    client.force_login(make_user("Viewer", "vera"))
    company = CompanyFactory(name="Meta", slug="meta")

    response = client.post(
        reverse("admin:companies_company_change", args=[company.pk]),
        {"name": "Renamed", "slug": "meta", "country": "US", "kind": "platform"},
    )

    assert response.status_code == 403
    company.refresh_from_db()
    assert company.name == "Meta"
