"""
The Atom feeds of published figures (capex/feeds.py): valid Atom as a feed reader parses it,
newest publication first, drafts never, one company's and one chip vendor's figures, revisions
named as such, each entry with the figure, its quote and its source, and the pages that link
to them.
"""

import datetime
from decimal import Decimal

import feedparser
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from capex.choices import Qualifier
from capex.models import Investment
from capex.services.workflow import investment_publish
from capex.tests.factories import CitationFactory, InvestmentFactory
from capex.tests.fixtures.personas import make_user
from capex.tests.test_pages_fixtures import figures_by_name
from companies.models import Company

pytestmark = pytest.mark.django_db

ATOM = "application/atom+xml; charset=utf-8"


@pytest.fixture
def figures(page_figures_for_module):
    """The sample figures, published one day apart in a known order (ByteDance's headline last)."""
    figures = figures_by_name(page_figures_for_module)
    order = ["stargate", "microsoft", "alibaba", "meta_january", "meta_april", "bytedance_chips", "bytedance"]
    start = timezone.make_aware(datetime.datetime(2026, 3, 1, 9, 0))
    for day, name in enumerate(order):
        Investment.objects.filter(pk=figures[name].pk).update(published_at=start + datetime.timedelta(days=day))
    # Whatever else the sample holds (components) was published before all of these.
    Investment.objects.exclude(pk__in=[figures[name].pk for name in order]).update(
        published_at=start - datetime.timedelta(days=30)
    )
    for figure in figures.values():
        figure.refresh_from_db()
    return figures


def read_feed(client, path: str):
    response = client.get(path)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == ATOM
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def entry_for(parsed, figure: Investment):
    url = f"http://testserver{figure.get_absolute_url()}"
    matches = [entry for entry in parsed.entries if entry.link == url]
    assert len(matches) == 1, [entry.link for entry in parsed.entries]
    return matches[0]


def test_site_feed_is_atom_with_every_published_figure_newest_first(client, figures):
    parsed = read_feed(client, "/feed/")
    assert parsed.feed.title == "AI Capex Tracker: newly published figures"
    assert parsed.feed.link == "http://testserver/"
    assert len(parsed.entries) == Investment.objects.published().count() == 11
    newest = ("bytedance", "bytedance_chips", "meta_april")
    assert [entry.link for entry in parsed.entries[:3]] == [
        f"http://testserver{figures[name].get_absolute_url()}" for name in newest
    ]
    updated = [entry.updated_parsed for entry in parsed.entries]
    assert updated == sorted(updated, reverse=True)
    # The feed is as new as its newest entry.
    assert parsed.feed.updated_parsed == parsed.entries[0].updated_parsed


def test_an_entry_carries_the_figure_its_quote_and_its_source(client, figures):
    chips = figures["bytedance_chips"]
    entry = entry_for(read_feed(client, "/feed/"), chips)
    assert entry.title == "ByteDance: about RMB 40bn, AI chips bought in China in 2025"
    assert entry.updated == "2026-03-06T09:00:00+00:00"
    assert entry.published == entry.updated
    summary = entry.summary
    assert "Amount: about RMB 40bn (in CNY · Yuan Renminbi); ≈ about $5.49bn at the announcement-date rate" in summary
    assert f"Qualifier: {chips.get_qualifier_display()}" in summary
    assert "Period: 2025 (1 Jan 2025 – 31 Dec 2025)" in summary
    citation = chips.citations.select_related("source__publisher").first()
    assert f"“{citation.quote}”" in summary
    assert citation.source.publisher.name in summary
    assert f'href="{citation.source.url}"' in summary
    assert f'href="http://testserver{chips.get_absolute_url()}"' in summary
    assert "A component of" in summary


def test_entry_ids_are_stable_and_name_the_figure(client, figures):
    first = {entry.link: entry.id for entry in read_feed(client, "/feed/").entries}
    figure = figures["meta_january"]
    Investment.objects.filter(pk=figure.pk).update(title="Capital expenditures in 2025 (edited)")
    second = {entry.link: entry.id for entry in read_feed(client, "/companies/meta/feed/").entries}
    url = f"http://testserver{figure.get_absolute_url()}"
    assert first[url] == second[url] == url
    assert len(set(first.values())) == len(first)


def test_a_revision_says_so_in_its_title(client, figures):
    parsed = read_feed(client, "/feed/")
    revision = entry_for(parsed, figures["meta_april"])
    assert revision.title == (
        "Revision: Meta: $64–72bn, Capital expenditures in 2025 (revised outlook) (revises $60–65bn)"
    )
    assert "Revision</strong> of" in revision.summary
    assert "Revision" in [tag.term for tag in revision.tags]
    original = entry_for(parsed, figures["meta_january"])
    assert not original.title.startswith("Revision")


def test_drafts_never_appear_even_for_staff(client, figures):
    draft = InvestmentFactory(company=figures["bytedance"].company, title="A draft nobody may read yet")
    CitationFactory(investment=draft)
    client.force_login(make_user("Admin"))
    published = Investment.objects.published()
    for path, expected in (
        ("/feed/", published.count()),
        ("/companies/bytedance/feed/", published.filter(company__slug="bytedance").count()),
    ):
        titles = [entry.title for entry in read_feed(client, path).entries]
        assert len(titles) == expected
        assert not any("A draft nobody may read yet" in title for title in titles)


def test_company_feed_holds_the_company_and_its_joint_announcements(client, figures):
    meta = read_feed(client, "/companies/meta/feed/")
    assert meta.feed.title == "AI Capex Tracker: Meta's published figures"
    assert meta.feed.link == "http://testserver/companies/meta/"
    assert [entry.link for entry in meta.entries] == [
        f"http://testserver{figures[name].get_absolute_url()}" for name in ("meta_april", "meta_january")
    ]
    # Oracle announced Stargate with OpenAI, SoftBank and MGX.
    oracle = read_feed(client, "/companies/oracle/feed/")
    assert [entry.link for entry in oracle.entries] == [f"http://testserver{figures['stargate'].get_absolute_url()}"]


def test_vendor_feed_holds_the_figures_that_buy_from_it(client, figures):
    parsed = read_feed(client, "/companies/nvidia/buyers/feed/")
    assert parsed.feed.title == "AI Capex Tracker: figures buying from Nvidia"
    named = set(Investment.objects.published().filter(chip_vendors__slug="nvidia").values_list("pk", flat=True))
    assert {figures["bytedance_chips"].pk, figures["bytedance_overseas"].pk} <= named
    assert sorted(entry.link for entry in parsed.entries) == sorted(
        f"http://testserver/investments/{pk}/" for pk in named
    )
    assert all(entry.title.startswith("ByteDance: ") for entry in parsed.entries)


def test_unknown_company_or_vendor_is_404(client, figures):
    assert client.get("/companies/no-such-company/feed/").status_code == 404
    assert client.get("/companies/no-such-company/buyers/feed/").status_code == 404
    # Meta buys chips; nobody buys from it.
    assert client.get("/companies/meta/buyers/feed/").status_code == 404


def test_a_publish_reaches_the_cached_feed_at_once(client, figures):
    read_feed(client, "/companies/alibaba/feed/")
    assert read_feed(client, "/companies/alibaba/feed/").entries[0].link.endswith(figures["alibaba"].get_absolute_url())
    figure = InvestmentFactory(
        company=Company.objects.get(slug="alibaba"),
        title="Cloud and AI infrastructure, raised",
        amount=Decimal("480000000000"),
        currency="CNY",
        qualifier=Qualifier.AT_LEAST,
    )
    CitationFactory(investment=figure)
    investment_publish(investment=figure, by=None)
    entries = read_feed(client, "/companies/alibaba/feed/").entries
    assert entries[0].title == "Alibaba: more than RMB 480bn, Cloud and AI infrastructure, raised"


def test_pages_link_their_feeds_in_the_head_and_in_the_page(client, figures):
    home = client.get("/").content.decode()
    assert '<link rel="alternate" type="application/atom+xml"' in home
    assert 'href="/feed/"' in home.split("</head>")[0]
    assert 'id="feed-link" href="/feed/"' in home

    company = client.get("/companies/bytedance/").content.decode()
    head = company.split("</head>")[0]
    assert 'type="application/atom+xml" title="ByteDance: published figures" href="/companies/bytedance/feed/"' in head
    assert "/buyers/feed/" not in head
    assert 'id="company-feed-link" href="/companies/bytedance/feed/"' in company

    vendor = client.get("/companies/nvidia/").content.decode()
    head = vendor.split("</head>")[0]
    assert 'title="Figures buying from Nvidia" href="/companies/nvidia/buyers/feed/"' in head
    assert 'id="vendor-feed-link" href="/companies/nvidia/buyers/feed/"' in vendor


def test_a_feed_reads_in_the_same_number_of_queries_however_many_entries(client, figures):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/feed/", headers={"cache-control": "no-cache"})
        assert response.status_code == 200
        return len(captured)

    before = queries()
    company = Company.objects.get(slug="meta")
    for number in range(5):
        figure = InvestmentFactory(company=company, title=f"Another figure {number}")
        CitationFactory(investment=figure)
        investment_publish(investment=figure, by=None)
    assert len(read_feed(client, "/feed/").entries) == 16
    assert queries() == before
