"""Publishers and sources in the API. A source's text is private and never returned."""

import pytest

from capex.tests.personas import api_client, fast_passwords, throttles_reset
from sources.models import Source
from sources.tests.factories import PublisherFactory, SourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _api_test_settings(settings):
    throttles_reset()
    fast_passwords(settings)


@pytest.fixture
def ft():
    return PublisherFactory(name="Financial Times", domain="ft.com")


def test_a_source_is_read_with_its_publisher_and_never_its_text(ft):
    source = SourceFactory(publisher=ft, title="ByteDance plans to spend $12bn", text="The private full text.")

    data = api_client("anonymous").get(f"/api/v1/sources/{source.pk}/").json()

    assert data["title"] == "ByteDance plans to spend $12bn"
    assert data["publisher"]["name"] == "Financial Times"
    assert "text" not in data
    assert "private full text" not in str(data)
    assert data["web_url"] == f"http://testserver/sources/{source.pk}/"


def test_sources_filter_by_publisher_kind_and_date(ft):
    wanted = SourceFactory(publisher=ft, published_on="2025-01-21")
    SourceFactory(published_on="2024-01-01")

    rows = (
        api_client("anonymous")
        .get("/api/v1/sources/", {"publisher": "Financial Times", "published_from": "2025-01-01"})
        .json()["results"]
    )

    assert [row["id"] for row in rows] == [wanted.pk]


def test_an_editor_creates_a_source_whose_url_is_normalised_and_stored_once(ft):
    editor = api_client("editor")
    payload = {"title": "Announcing", "url": "HTTPS://Example.com/post/?utm_source=x", "publisher": ft.pk}

    created = editor.post("/api/v1/sources/", {**payload, "text": "Full text"}, format="json")
    again = editor.post("/api/v1/sources/", payload, format="json")

    assert created.status_code == 201, created.content
    assert "text" not in created.json()
    assert Source.objects.get(pk=created.json()["id"]).text == "Full text"
    assert again.status_code == 400
    assert "A source with this URL already exists." in str(again.json())


def test_an_editor_changes_a_source():
    source = SourceFactory()

    response = api_client("editor").patch(f"/api/v1/sources/{source.pk}/", {"paywalled": True}, format="json")

    assert response.status_code == 200
    assert response.json()["paywalled"] is True


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "T", "publisher": 99999999999999999999999}, "publisher"),
        ({"title": "T", "publisher": "ft"}, "publisher"),
        ({"title": "T", "url": "javascript:alert(1)"}, "url"),
        ({"title": "T", "published_on": "2025-02-30"}, "published_on"),
        ({"title": "T", "language": "not a language"}, "language"),
    ],
)
def test_a_bad_source_is_a_400_naming_the_field(payload, field):
    response = api_client("editor").post("/api/v1/sources/", payload, format="json")

    assert response.status_code == 400
    assert field in response.json()


def test_an_editor_creates_a_publisher_and_a_duplicate_is_refused(ft):
    editor = api_client("editor")

    created = editor.post("/api/v1/publishers/", {"name": "Reuters", "kind": "newswire"}, format="json")
    duplicate = editor.post("/api/v1/publishers/", {"name": "Financial Times"}, format="json")

    assert created.status_code == 201
    assert created.json()["kind"] == "newswire"
    assert duplicate.status_code == 400
    assert "name" in duplicate.json()


# --- editors' notes are for staff -------------------------------------------------------------

NOTE = "Ask Ana before citing: the FT piece was corrected twice."


@pytest.mark.parametrize("persona", ["anonymous", "signed_in_not_staff"])
def test_editors_notes_are_not_shown_to_readers_in_the_api(persona):
    from django.contrib.auth import get_user_model
    from knox.models import AuthToken
    from rest_framework.test import APIClient

    source = SourceFactory(notes=NOTE)
    client = APIClient()
    if persona == "signed_in_not_staff":
        user = get_user_model().objects.create_user("tool", "tool@example.org", "a-long-passphrase-1")
        client.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=user)[1]}")
    detail = client.get(f"/api/v1/sources/{source.pk}/")
    listing = client.get("/api/v1/sources/")
    page_csv = client.get("/api/v1/sources/?format=csv")
    export = client.get("/api/v1/sources/export/?format=csv")
    assert "notes" not in detail.json()
    assert all("notes" not in row for row in listing.json()["results"])
    for response in (detail, listing, page_csv):
        assert NOTE not in response.content.decode()
    assert NOTE not in b"".join(export.streaming_content).decode()
    assert "notes" not in page_csv.content.decode().splitlines()[0].split(",")


def test_staff_read_the_editors_notes_in_the_api():
    source = SourceFactory(notes=NOTE)
    client = api_client("viewer")
    assert client.get(f"/api/v1/sources/{source.pk}/").json()["notes"] == NOTE
    assert NOTE in b"".join(client.get("/api/v1/sources/export/?format=csv").streaming_content).decode()
