"""Sources in the admin: URL normalisation, protection while cited, search, history."""

import pytest
from django.urls import reverse

from capex.tests.factories import CitationFactory
from capex.tests.fixtures.personas import make_user
from sources.models import Source
from sources.tests.factories import PublisherFactory, SourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(client):
    client.force_login(make_user("Admin", "ada"))
    return client


def test_editor_adds_a_source_and_its_url_is_normalised(client):
    editor = make_user("Editor", "edith")
    client.force_login(editor)
    publisher = PublisherFactory(name="Financial Times")

    response = client.post(
        reverse("admin:sources_source_add"),
        {
            "title": "TikTok owner ByteDance plans to spend $12bn on AI chips in 2025",
            "url": "https://www.FT.com/content/abc/?utm_source=newsletter",
            "publisher": str(publisher.pk),
            "published_on": "2025-01-21",
            "language": "en",
            "kind": "article",
        },
    )

    assert response.status_code == 302
    source = Source.objects.get()
    assert source.url == "https://www.ft.com/content/abc"
    assert source.history.get().history_user == editor


def test_the_same_url_twice_is_refused(admin_client_):
    SourceFactory(url="https://www.ft.com/content/abc")

    response = admin_client_.post(
        reverse("admin:sources_source_add"),
        {"title": "Again", "url": "https://www.ft.com/content/abc?utm_medium=x", "language": "en", "kind": "article"},
    )

    assert "A source with this URL already exists." in response.content.decode()
    assert Source.objects.count() == 1


def test_a_cited_source_cannot_be_deleted(admin_client_):
    citation = CitationFactory()
    source = citation.source

    page = admin_client_.get(reverse("admin:sources_source_delete", args=[source.pk])).content.decode()
    admin_client_.post(reverse("admin:sources_source_delete", args=[source.pk]), {"post": "yes"})

    assert "would require deleting the following protected related objects" in page
    assert Source.objects.filter(pk=source.pk).exists()


def test_search_finds_a_source_by_publisher(admin_client_):
    SourceFactory(title="Capex outlook", publisher=PublisherFactory(name="Reuters"))
    SourceFactory(title="Other story", publisher=PublisherFactory(name="Xinhua"))

    page = admin_client_.get(reverse("admin:sources_source_changelist"), {"q": "reuters"}).content.decode()

    assert "Capex outlook" in page
    assert "Other story" not in page


def test_citation_picker_autocompletes_sources_by_title(client):
    client.force_login(make_user("Editor", "edith"))
    SourceFactory(title="Announcing The Stargate Project")
    SourceFactory(title="The Golden Opportunity for American AI")

    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "capex", "model_name": "citation", "field_name": "source", "term": "stargate"},
    )

    assert [result["text"] for result in response.json()["results"]] == ["Announcing The Stargate Project"]
