"""The inbox end to end on recorded feeds and pages: polling, fetching, candidates, flags, accepting."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from capex.choices import WorkflowState
from capex.services.workflow import investment_publish, investment_submit
from capex.tests.fixtures.personas import make_user
from capex.tests.test_security import production_env, settings_in
from inbox.choices import CandidateFlag, ItemStatus, PollStatus, RunStatus
from inbox.fetching import Fetcher, Response, normalise_url
from inbox.models import Feed, FeedItem
from inbox.services import candidate_accept, candidates_extract, feed_poll, feeds_poll_due, item_fetch
from inbox.tests.recorded import FIXTURES, HTML, NEWSROOM, Q1, Q2, fetcher, recorded, site

NOW = datetime(2025, 8, 1, 12, tzinfo=UTC)


def test_poll_stores_each_item_once_and_sends_conditional_headers_next_time(newsroom):
    http, transport = fetcher(site())
    assert len(feed_poll(feed=newsroom, fetcher=http, now=NOW)) == 2
    assert feed_poll(feed=newsroom, fetcher=http, now=NOW) == []
    assert FeedItem.objects.count() == 2
    headers = transport.requests[-1][1]
    assert headers["If-None-Match"] == '"v1"'
    assert headers["If-Modified-Since"] == "Wed, 30 Jul 2025 20:05:00 GMT"
    assert "ai-capex-tracker" in headers["User-Agent"]


def test_not_modified_changes_nothing(newsroom):
    http, _ = fetcher({NEWSROOM: Response(304, b"")})
    assert feed_poll(feed=newsroom, fetcher=http, now=NOW) == []
    newsroom.refresh_from_db()
    assert newsroom.last_status == PollStatus.NOT_MODIFIED
    assert FeedItem.objects.count() == 0


def test_a_feed_that_is_not_xml_fails_alone(newsroom):
    broken = Feed.objects.create(name="Broken", url="https://broken.example/feed")
    http, _ = fetcher({**site(), "https://broken.example/feed": Response(200, b"<html><body>Sorry</body></html>")})
    run = feeds_poll_due(fetcher=http, now=NOW)
    broken.refresh_from_db()
    assert broken.last_status == PollStatus.FAILED
    assert "Not an RSS or Atom feed" in broken.last_error
    assert broken.failures == 1 and broken.next_poll_at > NOW
    assert run.feeds_failed == 1 and run.items_new == 2
    assert FeedItem.objects.filter(status=ItemStatus.FETCHED).count() == 2


def test_sec_edgar_atom_entry_becomes_an_item(meta):
    feed = Feed.objects.create(name="Meta filings", url="https://sec.example/meta.atom", kind="sec", company=meta)
    http, _ = fetcher({feed.url: recorded("meta_edgar.atom")})
    (item,) = feed_poll(feed=feed, fetcher=http, now=NOW)
    assert item.title == "8-K  - Current report"
    assert item.url.endswith("0001326801-25-000050-index.htm")
    assert item.published == datetime(2025, 4, 30, 20, 5, tzinfo=UTC)


def test_per_host_rate_limit_waits_a_second_between_requests():
    waits = []
    http = Fetcher(transport=lambda url, headers, limit: Response(200, b""), clock=lambda: 100.0, sleep=waits.append)
    http.get("https://a.example/1")
    http.get("https://a.example/2")
    http.get("https://b.example/1")
    assert waits == [1.0]


@pytest.mark.parametrize(
    ("response", "error"),
    [
        (Response(200, b"%PDF-1.7", {"content-type": "application/pdf"}), "Not an HTML page"),
        (Response(500, b"", HTML), "HTTP 500"),
        (Response(200, b"<p>" + b"x" * (10 * 1024 * 1024) + b"</p>", HTML), "larger than"),
    ],
)
def test_a_bad_page_is_kept_with_its_error(newsroom, response, error):
    item = FeedItem.objects.create(feed=newsroom, url=Q1, normalised_url=normalise_url(Q1))
    http, _ = fetcher({Q1: response})
    item_fetch(item=item, fetcher=http)
    item.refresh_from_db()
    assert item.status == ItemStatus.FAILED
    assert error in item.error


def test_text_in_an_unexpected_encoding_is_read_with_a_note(newsroom):
    body = (FIXTURES / "meta_q1_2025.html").read_bytes().replace(b"Nasdaq", b"Nasdaq\xff")
    item = FeedItem.objects.create(feed=newsroom, url=Q1, normalised_url=normalise_url(Q1))
    http, _ = fetcher({Q1: Response(200, body, HTML)})
    item_fetch(item=item, fetcher=http)
    assert item.status == ItemStatus.FETCHED
    assert "not valid utf-8" in item.error
    assert "$64-72 billion" in item.text


def _fetched(newsroom, url, fixture, published):
    item = FeedItem.objects.create(feed=newsroom, url=url, normalised_url=normalise_url(url), published=published)
    http, _ = fetcher({url: recorded(fixture, HTML)})
    return item_fetch(item=item, fetcher=http)


def test_q1_release_gives_meta_capex_guidance_with_flags(newsroom, meta, meta_guidance):
    recorded_figure = meta_guidance("60e9", "65e9", date(2025, 1, 29))
    item = _fetched(newsroom, Q1, "meta_q1_2025.html", datetime(2025, 4, 30, 20, 5, tzinfo=UTC))
    guidance, prior = candidates_extract(item=item)
    assert (guidance.company, guidance.measure, guidance.qualifier) == (meta, "total_capex", "range")
    assert (guidance.amount, guidance.amount_high) == (Decimal("64e9"), Decimal("72e9"))
    assert (guidance.period_start, guidance.period_end) == (date(2025, 1, 1), date(2025, 12, 31))
    assert guidance.quote.endswith("will be in the range of $64-72 billion")
    assert (guidance.flag, guidance.matched) == (CandidateFlag.REVISION, recorded_figure)
    assert (prior.flag, prior.matched) == (CandidateFlag.DUPLICATE, recorded_figure)


def test_accepted_candidate_is_a_draft_another_reviewer_publishes(newsroom, meta_guidance, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    earlier = meta_guidance("60e9", "65e9", date(2025, 1, 29))
    item = _fetched(newsroom, Q1, "meta_q1_2025.html", datetime(2025, 4, 30, 20, 5, tzinfo=UTC))
    guidance = candidates_extract(item=item)[0]
    editor, reviewer = make_user("Editor"), make_user("Reviewer")
    draft = candidate_accept(candidate=guidance, by=editor, title="2025 capital expenditures outlook raised")
    assert draft.state == WorkflowState.DRAFT
    assert draft.supersedes == earlier
    citation = draft.citations.get()
    assert citation.quote == guidance.quote
    assert citation.locator == guidance.locator
    assert citation.locator.startswith("paragraph ")
    assert citation.source.url == Q1
    investment_submit(investment=draft, by=editor)
    investment_publish(investment=draft, by=reviewer)
    draft.refresh_from_db()
    assert draft.state == WorkflowState.PUBLISHED


def test_q2_release_revises_the_q1_guidance(newsroom, meta_guidance):
    q1 = meta_guidance("64e9", "72e9", date(2025, 4, 30))
    item = _fetched(newsroom, Q2, "meta_q2_2025.html", datetime(2025, 7, 30, 20, 5, tzinfo=UTC))
    candidates = candidates_extract(item=item)
    narrowed = candidates[0]
    assert (narrowed.amount, narrowed.amount_high) == (Decimal("66e9"), Decimal("72e9"))
    assert (narrowed.flag, narrowed.matched) == (CandidateFlag.REVISION, q1)
    assert candidates[1].flag == CandidateFlag.DUPLICATE  # "its prior outlook of $64 billion to $72 billion"


# --- The User-Agent: required in production ----------------------------------------------------


def test_a_production_start_has_no_user_agent_until_one_is_set():
    assert settings_in(production_env(), "INBOX_USER_AGENT") == {"INBOX_USER_AGENT": ""}
    ours = "ai-capex-tracker inbox (research@capex-tracker.test)"
    assert settings_in(production_env(INBOX_USER_AGENT=ours), "INBOX_USER_AGENT") == {"INBOX_USER_AGENT": ours}


@pytest.mark.parametrize(
    ("user_agent", "error"),
    [
        ("", "INBOX_USER_AGENT is not set"),
        ("ai-capex-tracker inbox", "names no contact"),
        ("ai-capex-tracker inbox, local copy (+https://example.org/contact)", "names an example contact"),
    ],
)
def test_without_a_real_contact_a_poll_requests_nothing_and_says_why(newsroom, settings, user_agent, error):
    settings.INBOX_USER_AGENT = user_agent
    http, transport = fetcher(site())
    run = feeds_poll_due(fetcher=http, now=NOW)
    assert run.status == RunStatus.FAILED
    assert error in run.error
    assert transport.requests == []
    newsroom.refresh_from_db()
    assert (newsroom.failures, newsroom.last_status) == (0, "")  # not the feed's fault: no backoff


def test_the_local_default_user_agent_polls_with_debug_on(newsroom, settings):
    """`make run` (DEBUG on) polls with the local default's example contact."""
    settings.DEBUG = True
    settings.INBOX_USER_AGENT = "ai-capex-tracker inbox, local copy (+https://example.org/contact)"
    http, transport = fetcher(site())
    run = feeds_poll_due(fetcher=http, now=NOW)
    assert (run.status, run.items_new) == (RunStatus.OK, 2)
    assert transport.requests[0][1]["User-Agent"] == settings.INBOX_USER_AGENT
