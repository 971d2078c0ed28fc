"""
From a new press release to a published figure, in a real Chromium and over real HTTP: Meta's
newsroom feed and its Q1 2025 release are served from a local server (the recorded files, no
network); an editor registers the feed, a poll brings the release in, the editor dismisses the
figure already recorded with the keyboard and accepts the raised outlook; a reviewer publishes the
draft, which supersedes January's guidance.
"""

import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from capex.choices import Qualifier, WorkflowState
from capex.models import Investment
from capex.tests.fixtures.personas import PASSWORD, make_user
from inbox.choices import CandidateState, ItemStatus
from inbox.fetching import Fetcher
from inbox.models import Candidate, Feed, FeedItem
from inbox.services import feeds_poll_due
from inbox.tests.recorded import FIXTURES, Q1, Q2

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORDED_HOST = "https://investor.atmeta.com"
ETAG = '"newsroom-v1"'
OUTLOOK = (
    "We anticipate our full year 2025 capital expenditures, including principal payments on finance leases, "
    "will be in the range of $64-72 billion"
)


class RecordedNewsroom(BaseHTTPRequestHandler):
    """Meta's newsroom as recorded: the feed (with an ETag) and the two releases it lists, at this server's address."""

    base = ""  # set once the server has its port

    def do_GET(self):
        path = urlsplit(self.path).path
        if path == "/meta.rss":
            if self.headers.get("If-None-Match") == ETAG:
                self.send_response(304)
                self.end_headers()
                return
            feed = (FIXTURES / "meta_newsroom.rss").read_text(encoding="utf-8").replace(RECORDED_HOST, self.base)
            return self.reply(feed.encode(), "application/rss+xml; charset=utf-8", {"ETag": ETAG})
        pages = {urlsplit(Q1).path: "meta_q1_2025.html", urlsplit(Q2).path: "meta_q2_2025.html"}
        if path in pages:
            return self.reply((FIXTURES / pages[path]).read_bytes(), "text/html; charset=utf-8")
        self.send_error(404)

    def reply(self, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # the test's output is not a web log
        pass


@pytest.fixture
def newsroom_server():
    """The recorded newsroom on a free port of this machine, for the length of the test."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), RecordedNewsroom)
    RecordedNewsroom.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield RecordedNewsroom.base
    server.shutdown()
    server.server_close()
    thread.join()


def polite_fetcher() -> Fetcher:
    """The real HTTP fetcher; its clock moves five seconds a request, so the per-host pause never holds the test up."""
    ticks = iter(range(0, 100_000, 5))
    return Fetcher(clock=lambda: next(ticks), sleep=lambda seconds: None)


def log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_contain_text(username)


def test_a_new_release_becomes_a_draft_that_another_reviewer_publishes(
    browser, page, live_server, newsroom_server, meta_guidance, screenshot, settings
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    january = meta_guidance("60e9", "65e9", date(2025, 1, 29))
    make_user("Editor", "edith")
    make_user("Reviewer", "rita")
    base = live_server.url

    # Editor A registers Meta's newsroom feed.
    log_in(page, base, "edith")
    page.goto(f"{base}/admin/inbox/feed/add/")
    page.fill("#id_name", "Meta newsroom")
    page.fill("#id_url", f"{newsroom_server}/meta.rss")
    page.select_option("#id_kind", "rss")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    # Beat's poll: the feed over HTTP, then each release; a second poll is answered 304.
    run = feeds_poll_due(fetcher=polite_fetcher())
    assert (run.status, run.items_new, run.items_failed) == ("ok", 2, 0)
    feed = Feed.objects.get()
    assert feed.etag == ETAG
    feeds_poll_due(fetcher=polite_fetcher(), now=feed.next_poll_at)
    feed.refresh_from_db()
    assert feed.last_status == "not_modified"
    assert FeedItem.objects.filter(status=ItemStatus.FETCHED).count() == 2

    # The inbox lists the releases newest first; the editor opens the first-quarter one.
    page.goto(f"{base}/admin/inbox/feeditem/")
    expect(page.locator("#result_list tbody th.field-title")).to_have_text(
        ["Meta Reports Second Quarter 2025 Results", "Meta Reports First Quarter 2025 Results"]
    )
    page.click("text=Meta Reports First Quarter 2025 Results")
    expect(page.locator(".inbox-text mark").first).to_have_text(OUTLOOK)
    rows = page.locator("tr.has_original")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Revises")
    expect(rows.nth(1)).to_contain_text("Already recorded")
    screenshot("inbox-item-q1-2025")
    # The inbox's script and style are files: the strict policy blocks nothing on its pages.
    assert [error for error in page.console_errors if "Content Security Policy" in error] == []

    # Keyboard: j, j to the second candidate (the January range, already recorded), d to its reason, Enter.
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(rows.nth(1).locator("button.inbox-accept")).to_be_focused()
    page.keyboard.press("d")
    reason = rows.nth(1).locator("input.inbox-reason")
    expect(reason).to_be_focused()
    reason.press_sequentially("Already recorded: January's guidance")
    page.keyboard.press("Enter")
    expect(page.locator(".messagelist")).to_contain_text("Candidate dismissed.")
    expect(page.locator("tr.has_original").nth(1)).to_contain_text("Already recorded: January's guidance")

    # The accept button on the raised outlook makes a draft with its citation.
    page.locator("tr.has_original").nth(0).locator("button.inbox-accept").click()
    expect(page.locator(".messagelist")).to_contain_text("created with its citation")
    draft = Investment.objects.get(state=WorkflowState.DRAFT)
    assert (draft.company.slug, draft.measure, draft.qualifier) == ("meta", "total_capex", Qualifier.RANGE)
    assert (draft.period_start, draft.period_end) == (date(2025, 1, 1), date(2025, 12, 31))
    assert draft.supersedes == january
    citation = draft.citations.get()
    assert (citation.quote, citation.locator) == (OUTLOOK, "paragraph 4")
    assert citation.source.url.endswith(urlsplit(Q1).path)
    first_quarter = Candidate.objects.filter(item__title="Meta Reports First Quarter 2025 Results").order_by("id")
    assert list(first_quarter.values_list("state", flat=True)) == [
        CandidateState.ACCEPTED,
        CandidateState.DISMISSED,
    ]

    # The draft as the editor sees it, then sent for review.
    page.locator("tr.has_original").nth(0).get_by_role("link", name="Draft", exact=True).click()
    expect(page.locator("#id_period_start")).to_have_value("01/01/2025")
    expect(page.locator("#id_period_end")).to_have_value("31/12/2025")
    expect(page.locator("#id_qualifier option:checked")).to_have_text("Range")
    expect(page.locator("#id_company option:checked")).to_have_text("Meta")
    expect(page.locator("#id_citations-0-quote")).to_have_value(OUTLOOK)
    page.click("button[name=submit-for-review]")
    expect(page.locator("#workflow .state")).to_have_text("In review")
    expect(page.locator("button[name=publish]")).to_have_count(0)  # not by the editor who made it

    # Reviewer B, in a session of their own, publishes it.
    reviewer_context = browser.new_context()
    reviewer = reviewer_context.new_page()
    try:
        log_in(reviewer, base, "rita")
        reviewer.goto(f"{base}/admin/capex/investment/{draft.pk}/change/")
        reviewer.click("button[name=publish]")
        expect(reviewer.locator(".messagelist")).to_contain_text("was published")
        expect(reviewer.locator("#workflow .state")).to_have_text("Published")
    finally:
        reviewer_context.close()
    draft.refresh_from_db()
    assert draft.state == WorkflowState.PUBLISHED
    assert Investment.objects.published().current().get(company__slug="meta") == draft
