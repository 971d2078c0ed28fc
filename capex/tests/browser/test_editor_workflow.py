"""
The editor workflow in a real Chromium: an editor extracts the figures from the seed article,
turns one into a draft, corrects it and sends it for review; a reviewer publishes it; the
figure is then on the company's public page and in the API.
"""

import datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect

from capex.choices import Scope, WorkflowState, Workload
from capex.models import Investment
from capex.tests.fixtures.personas import PASSWORD, make_user
from companies.tests.factories import ChipVendorFactory, CompanyFactory
from sources.choices import PublisherKind
from sources.tests.factories import PublisherFactory, SourceFactory

SEED_TEXT = (Path(__file__).resolve().parent.parent / "fixtures" / "seed_bytedance.txt").read_text(encoding="utf-8")
CORRECTED_TITLE = "Overseas AI model training in 2025"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_contain_text(username)


def test_editor_extracts_corrects_and_submits_then_reviewer_publishes(browser, page, live_server, screenshot):
    make_user("Editor", "edith")
    make_user("Reviewer", "rita")
    bytedance = CompanyFactory(name="ByteDance", slug="bytedance", country="CN", aliases="TikTok owner")
    ChipVendorFactory(name="Nvidia", slug="nvidia", country="US")
    source = SourceFactory(
        title="ByteDance's $12 Billion AI Chip Investment: A Strategic Move Amid U.S. Export Controls",
        publisher=PublisherFactory(name="AInvest", kind=PublisherKind.AI_GENERATED),
        published_on=datetime.date(2025, 1, 23),
        text="",
    )
    base = live_server.url

    # The editor opens the source and pastes the article into "Extract figures".
    log_in(page, base, "edith")
    page.goto(f"{base}/admin/sources/source/{source.pk}/change/")
    page.click("text=Extract figures")
    page.fill("#id_text", SEED_TEXT)
    page.click("input[name=extract]")

    rows = page.locator("tr.candidate")
    expect(rows).to_have_count(4)
    overseas = rows.filter(has_text="about $6.8bn")
    expect(overseas).to_contain_text("Nvidia")
    expect(overseas).to_contain_text("training")
    expect(rows.filter(has_text="about RMB 40bn")).to_contain_text("Domestic")
    screenshot("extract-figures-seed")

    # One click turns the overseas figure into a draft with its citation.
    overseas.locator("button.create-draft").click()
    expect(page.locator(".messagelist")).to_contain_text("created with its citation")
    investment = Investment.objects.get()
    assert investment.citations.get().quote.startswith("Additionally, ByteDance plans to invest around $6.8 billion")

    # The editor corrects the title and saves, then sends the draft for review.
    page.fill("#id_title", CORRECTED_TITLE)
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    page.click("button[name=submit-for-review]")
    expect(page.locator(".messagelist")).to_contain_text("was sent for review")
    expect(page.locator("#workflow .state")).to_have_text("In review")
    screenshot("figure-in-review")

    # The editor cannot publish; the reviewer, in a session of their own, can.
    expect(page.locator("button[name=publish]")).to_have_count(0)
    reviewer_context = browser.new_context()
    reviewer = reviewer_context.new_page()
    try:
        log_in(reviewer, base, "rita")
        reviewer.goto(f"{base}/admin/capex/investment/{investment.pk}/change/")
        reviewer.click("button[name=publish]")
        expect(reviewer.locator(".messagelist")).to_contain_text("was published")
        expect(reviewer.locator("#workflow .state")).to_have_text("Published")
    finally:
        reviewer_context.close()

    investment.refresh_from_db()
    assert investment.state == WorkflowState.PUBLISHED
    assert (investment.title, investment.scope, investment.workload) == (
        CORRECTED_TITLE,
        Scope.OVERSEAS,
        Workload.TRAINING,
    )
    assert [vendor.slug for vendor in investment.chip_vendors.all()] == ["nvidia"]

    # The published figure is on ByteDance's public page and in the API.
    page.goto(f"{base}{bytedance.get_absolute_url()}")
    expect(page.locator("main")).to_contain_text(CORRECTED_TITLE)
    screenshot("company-page-after-publication")
    api = page.request.get(f"{base}/api/v1/investments/?company=bytedance")
    assert api.ok
    body = api.json()
    results = body["results"] if isinstance(body, dict) else body
    published = [item for item in results if item["title"] == CORRECTED_TITLE]
    assert len(published) == 1
    assert published[0]["currency"] == "USD"
