"""The sources list and a source's page."""

import pytest
from django.urls import reverse

from capex.tests.test_pages_fixtures import figures_by_name, table_rows
from sources.models import Source

pytestmark = pytest.mark.django_db

LIST = reverse("sources:list")


@pytest.fixture
def figures(page_figures_for_module):
    return figures_by_name(page_figures_for_module)


def test_source_list_shows_each_source_with_the_figures_it_supports(client, figures):
    rows = table_rows(client.get(LIST).content.decode(), "sources-table")
    by_title = {row[1]["text"]: row for row in rows[1:]}
    seed = by_title["ByteDance's $12 Billion AI Chip Investment: A Strategic Move Amid U.S. Export Controls"]
    assert seed[2]["text"] == "AInvest AI-generated"
    assert seed[4]["text"] == "3"


def test_source_list_filters_with_the_shared_filterset(client, figures):
    html = client.get(LIST, {"publisher": "Meta", "kind": ""}).content.decode()
    titles = [row[1]["text"] for row in table_rows(html, "sources-table")[1:]]
    # Meta's own filing; Mark Zuckerberg's post is cited from Mint's report of it (publisher Mint).
    assert titles == ["Meta Reports First Quarter 2025 Results (Form 8-K, exhibit 99.1)"]


def test_source_list_rejects_an_unknown_kind(client, figures):
    response = client.get(LIST, {"kind": "tweet"})
    assert response.status_code == 400
    assert "<strong>kind</strong>" in response.content.decode()


def test_source_page_lists_the_figures_it_supports_with_quotes_and_never_its_text(client, figures):
    seed = Source.objects.get(publisher__name="AInvest")
    html = client.get(reverse("sources:detail", kwargs={"pk": seed.pk})).content.decode()
    supported = html[html.index('id="supported-figures"') :]
    assert supported.count('class="figure-item"') == 4
    assert "more than $12bn" in supported
    assert "approximately RMB 40 billion ($5.5 billion)" in supported
    assert "Component of" in supported
    # The stored full text is private: a sentence of it that no citation quotes is not on the page.
    assert seed.text
    unquoted = next(line for line in seed.text.splitlines() if len(line) > 80 and line[:60] not in html)
    assert unquoted[:60] not in html


def test_unknown_source_is_404(client, figures):
    assert client.get(reverse("sources:detail", kwargs={"pk": 999999})).status_code == 404


def test_editors_notes_are_shown_on_a_source_page_to_staff_only(client):
    from django.contrib.auth import get_user_model

    from sources.tests.factories import SourceFactory

    note = "Ask Ana before citing: the FT piece was corrected twice."
    source = SourceFactory(notes=note)
    page = source.get_absolute_url()

    assert note not in client.get(page).content.decode()
    reader = get_user_model().objects.create_user("reader", "reader@example.org", "a-long-passphrase-1")
    client.force_login(reader)
    assert note not in client.get(page).content.decode()
    staff = get_user_model().objects.create_user("editor", "editor@example.org", "a-long-passphrase-1", is_staff=True)
    client.force_login(staff)
    assert note in client.get(page).content.decode()
