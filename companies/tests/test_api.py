"""Companies in the API, addressed by slug."""

import pytest

from capex.tests.personas import api_client, fast_passwords, throttles_reset
from companies.models import Company
from companies.tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/companies/"


@pytest.fixture(autouse=True)
def _api_test_settings(settings):
    throttles_reset()
    fast_passwords(settings)


@pytest.fixture
def bytedance():
    parent = CompanyFactory(name="Holding", slug="holding", country="KY")
    return CompanyFactory(
        name="ByteDance",
        slug="bytedance",
        country="CN",
        aliases="TikTok owner\n字节跳动",
        legal_name="ByteDance Ltd.",
        parent=parent,
    )


def test_a_company_is_read_by_its_slug(bytedance):
    data = api_client("anonymous").get(f"{LIST}bytedance/").json()

    assert data["name"] == "ByteDance"
    assert data["aliases"] == ["TikTok owner", "字节跳动"]
    assert (data["country"], data["country_name"]) == ("CN", "China")
    assert data["parent"] == "holding"
    assert data["api_url"] == "http://testserver/api/v1/companies/bytedance/"
    assert data["web_url"] == "http://testserver/companies/bytedance/"


def test_the_list_filters_by_alias_country_and_kind(bytedance):
    CompanyFactory(name="Nvidia", slug="nvidia", kind="chip_vendor")
    client = api_client("anonymous")

    def slugs(**params):
        return [row["slug"] for row in client.get(LIST, params).json()["results"]]

    assert slugs(q="字节跳动") == ["bytedance"]
    assert slugs(country="CN") == ["bytedance"]
    assert slugs(kind="chip_vendor") == ["nvidia"]
    assert slugs() == ["bytedance", "holding", "nvidia"]


def test_an_unknown_slug_is_a_404():
    assert api_client("anonymous").get(f"{LIST}nobody/").status_code == 404


def test_an_editor_creates_and_changes_a_company():
    editor = api_client("editor")

    created = editor.post(
        LIST, {"name": "Moonshot AI", "slug": "moonshot", "country": "CN", "aliases": ["月之暗面"]}, format="json"
    )
    changed = editor.patch(f"{LIST}moonshot/", {"ticker": "", "kind": "ai_lab"}, format="json")

    assert created.status_code == 201, created.content
    assert created["Location"] == "http://testserver/api/v1/companies/moonshot/"
    assert changed.json()["kind"] == "ai_lab"
    assert Company.objects.get(slug="moonshot").aliases == "月之暗面"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "Dup", "slug": "bytedance", "country": "CN"}, "slug"),
        ({"name": "bytedance", "slug": "other", "country": "CN"}, "name"),
        ({"name": "X", "slug": "has space", "country": "CN"}, "slug"),
        ({"name": "X", "slug": "x", "country": "XX"}, "country"),
        ({"name": "X", "slug": "x", "country": "CN", "parent": "nobody"}, "parent"),
        ({"name": "X", "slug": "x", "country": "CN", "website": "not a url"}, "website"),
        ({"name": "X", "slug": "x", "country": "CN", "aliases": ["two\nlines"]}, "aliases"),
    ],
)
def test_a_bad_company_is_a_400_naming_the_field(bytedance, payload, field):
    response = api_client("editor").post(LIST, payload, format="json")

    assert response.status_code == 400
    assert field in response.json()


def test_a_company_cannot_be_its_own_parent(bytedance):
    response = api_client("editor").patch(f"{LIST}bytedance/", {"parent": "bytedance"}, format="json")

    assert response.status_code == 400
    assert "non_field_errors" in response.json() or "parent" in response.json()


def test_the_company_export_streams_every_row_as_csv(bytedance):
    response = api_client("anonymous").get(f"{LIST}export/", {"format": "csv"})

    text = b"".join(response.streaming_content).decode()
    assert text.splitlines()[0].startswith("slug,name,legal_name")  # the serializer's fields
    assert "TikTok owner; 字节跳动" in text
