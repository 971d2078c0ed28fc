"""
The admin's HTML has nothing inline that the site's Content-Security-Policy blocks (no style
attribute, no <style>, no inline script, no on...= handler), page by page; the browser test
(browser/test_admin_browser.py) shows the same in Chromium. An import's preview marks what a
row changes with plain <ins>/<del>, its text escaped.
"""

from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from capex.tests.factories import PublishedInvestmentFactory
from capex.tests.fixtures.personas import make_user
from sources.tests.factories import PublisherFactory

pytestmark = pytest.mark.django_db


class InlineCode(HTMLParser):
    """What in a page the policy blocks: style attributes and elements, inline scripts, handlers."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "style" in attributes:
            self.found.append(f'<{tag} style="{attributes["style"]}">')
        self.found += [f'<{tag} {name}="{value}">' for name, value in attrs if name.startswith("on")]
        if tag == "style":
            self.found.append("<style>")
        # A JSON data block is not run, and the policy does not apply to it.
        if tag == "script" and "src" not in attributes and attributes.get("type") != "application/json":
            self.found.append("<script> without src")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


@pytest.fixture
def figure():
    """A published figure, with its citation of a source."""
    return PublishedInvestmentFactory(title="AI infrastructure in 2025")


@pytest.fixture
def admin_client(client):
    client.force_login(make_user("Admin", "ada"))
    return client


def test_admin_pages_have_nothing_inline_that_the_policy_blocks(admin_client, figure):
    citation = figure.citations.get()
    pages = {
        "figure list": reverse("admin:capex_investment_changelist"),
        "published figure": reverse("admin:capex_investment_change", args=[figure.pk]),
        "new figure": reverse("admin:capex_investment_add"),
        "return to draft": reverse("admin:capex_investment_return", args=[figure.pk]),
        "figure history": reverse("admin:capex_investment_history", args=[figure.pk]),
        "extract figures": reverse("admin:capex_investment_extract", args=[citation.source_id]),
        "figure export": reverse("admin:capex_investment_export"),
        "figure import": reverse("admin:capex_investment_import"),
        "source export": reverse("admin:sources_source_export"),
        "company export": reverse("admin:companies_company_export"),
        "citation history": reverse("admin:capex_citation_history", args=[citation.pk]),
    }
    found = {}
    for name, url in pages.items():
        response = admin_client.get(url)
        assert response.status_code == 200, name
        found[name] = inline_code(response.content.decode())

    assert found == {name: [] for name in pages}


def test_the_export_forms_select_all_is_bound_by_the_admins_static_script(admin_client, figure):
    html = admin_client.get(reverse("admin:capex_investment_export")).content.decode()

    assert '<input type="checkbox" class="select-toggle" name="select-all-toggle" id="select-all-toggle-0"' in html
    assert '<label for="select-all-toggle-0">Select all</label>' in html
    assert "/static/admin_site/export_fields.js" in html


def test_a_figures_state_in_the_list_is_coloured_by_class(admin_client, figure):
    html = admin_client.get(reverse("admin:capex_investment_changelist")).content.decode()

    assert '<span class="workflow-state workflow-state-published">Published</span>' in html
    assert "/static/admin_site/admin.css" in html


def test_an_import_preview_marks_a_new_row_with_plain_ins_and_escapes_its_text(admin_client, figure):
    publisher = PublisherFactory(name="Reuters")
    csv = (
        "url,title,publisher,published_on,language,kind\n"
        f'https://www.example.org/report,"Capex <b>up</b>\nagain",{publisher.name},2025-05-01,en,article\n'
    )
    upload = SimpleUploadedFile("sources.csv", csv.encode(), content_type="text/csv")

    preview = admin_client.post(reverse("admin:sources_source_import"), {"format": "0", "import_file": upload})

    html = preview.content.decode()
    assert preview.status_code == 200
    assert "<ins>https://www.example.org/report</ins>" in html
    assert "<ins>Capex &lt;b&gt;up&lt;/b&gt;&para;<br>again</ins>" in html
    assert inline_code(html) == []
