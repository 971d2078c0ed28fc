"""
The editors' inbox in the admin, on items polled from the recorded feed and pages: the list newest
first with its feed and company filters, an item with its quotes marked, correcting a candidate,
accepting it into a draft, dismissing it with a reason, and who may do which.
"""

import html
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from capex.choices import Qualifier, WorkflowState
from capex.models import Investment
from capex.tests.fixtures.personas import make_user
from companies.models import Company
from inbox.choices import CandidateFlag, CandidateState, ItemStatus
from inbox.fetching import normalise_url
from inbox.models import Candidate, Feed, FeedItem
from inbox.services import candidates_extract, feeds_poll_due
from inbox.tests.recorded import Q1, Q2, fetcher, site

NOW = datetime(2025, 8, 1, 12, tzinfo=UTC)
CHANGELIST = "/admin/inbox/feeditem/"
# Alphabet's fourth-quarter 2024 release, as the sample data quotes it.
ALPHABET_TEXT = "Sundar Pichai said: we expect to invest approximately $75 billion in capital expenditures in 2025."


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def inbox(newsroom, meta_guidance):
    """
    Meta's January guidance recorded, then a poll of Meta's newsroom (its Q1 and Q2 releases), and
    an item of Alphabet's feed; one more item whose feed gave no date.
    """
    january = meta_guidance("60e9", "65e9", date(2025, 1, 29))
    http, _ = fetcher(site())
    feeds_poll_due(fetcher=http, now=NOW)
    alphabet = Company.objects.create(name="Alphabet", slug="alphabet", country="US", aliases="Google")
    feed = Feed.objects.create(name="Alphabet IR", url="https://abc.example/feed.rss", company=alphabet)
    url = "https://abc.example/2024-q4"
    google = FeedItem.objects.create(
        feed=feed,
        url=url,
        normalised_url=normalise_url(url),
        title="Alphabet Announces Fourth Quarter and Fiscal Year 2024 Results",
        published=datetime(2025, 2, 4, 21, 1, tzinfo=UTC),
        text=ALPHABET_TEXT,
        status=ItemStatus.FETCHED,
    )
    candidates_extract(item=google)
    undated_url = "https://abc.example/undated"
    FeedItem.objects.create(feed=feed, url=undated_url, normalised_url=normalise_url(undated_url), title="Undated")
    return {
        "january": january,
        "q1": FeedItem.objects.get(url=Q1),
        "q2": FeedItem.objects.get(url=Q2 + "?utm_source=rss"),
        "google": google,
        "alphabet": alphabet,
        "alphabet_feed": feed,
    }


@pytest.fixture
def editor(db, client):
    user = make_user("Editor", "edith")
    client.force_login(user)
    return user


def titles(response) -> list[str]:
    """The item titles of a changelist page, in the order shown."""
    body = response.content.decode()
    return [html.unescape(title) for title in re.findall(r'<th class="field-title"><a href="[^"]*">([^<]*)</a>', body)]


def filter_link(response, name: str) -> str:
    """The address of the sidebar filter choice called `name`, as the editor would click it."""
    match = re.search(rf'<a href="(\?[^"]*)"[^>]*>{re.escape(name)}</a>', response.content.decode())
    assert match, f"no filter choice {name!r}"
    return CHANGELIST + html.unescape(match.group(1))


class FormFields(HTMLParser):
    """The values a browser would submit from one form: inputs, checked boxes, selected options, text areas."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside, self.values = form_id, False, {}
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or (not attrs.get("name") and tag != "option"):
            return
        if tag == "input" and attrs.get("type") not in ("submit", "button", "checkbox", "radio", "file"):
            self.values[attrs["name"]] = attrs.get("value", "")
        elif tag == "input" and attrs.get("type") in ("checkbox", "radio") and "checked" in attrs:
            self.values[attrs["name"]] = attrs.get("value", "on")
        elif tag == "select":
            self.select = attrs["name"]
            self.values.setdefault(self.select, "")
        elif tag == "option" and self.select and "selected" in attrs:
            self.values[self.select] = attrs.get("value", "")
        elif tag == "textarea":
            self.textarea = attrs["name"]
            self.values[self.textarea] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.values[self.textarea] += data.removeprefix("\n") if not self.values[self.textarea] else data


def form_values(response, form_id: str = "feeditem_form") -> dict[str, str]:
    parser = FormFields(form_id)
    parser.feed(response.content.decode())
    return parser.values


def change_url(item) -> str:
    return reverse("admin:inbox_feeditem_change", args=[item.pk])


def accept_url(candidate) -> str:
    return reverse("admin:inbox_candidate_accept", args=[candidate.pk])


def dismiss_url(candidate) -> str:
    return reverse("admin:inbox_candidate_dismiss", args=[candidate.pk])


# --- The list -----------------------------------------------------------------------------------


def test_items_are_listed_newest_first_with_undated_ones_last(client, editor, inbox):
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert titles(response) == [
        "Meta Reports Second Quarter 2025 Results",
        "Meta Reports First Quarter 2025 Results",
        "Alphabet Announces Fourth Quarter and Fiscal Year 2024 Results",
        "Undated",
    ]


def test_the_list_counts_open_candidates_in_a_fixed_number_of_queries(
    client, editor, inbox, django_assert_max_num_queries
):
    more = [
        FeedItem(
            feed=inbox["alphabet_feed"],
            url=f"https://abc.example/{number}",
            normalised_url=f"https://abc.example/{number}",
            title=f"Item {number}",
        )
        for number in range(20)
    ]
    FeedItem.objects.bulk_create(more)
    with django_assert_max_num_queries(14):
        response = client.get(CHANGELIST)
    body = response.content.decode()
    assert re.search(r'<td class="field-open_candidates">2</td>', body)  # each Meta release
    assert len(titles(response)) == 24


def test_the_list_filters_by_feed(client, editor, inbox):
    response = client.get(filter_link(client.get(CHANGELIST), "Alphabet IR"))
    assert titles(response) == ["Alphabet Announces Fourth Quarter and Fiscal Year 2024 Results", "Undated"]


def test_the_list_filters_by_the_candidates_company_each_item_once(client, editor, inbox):
    listing = client.get(CHANGELIST)
    # Each Meta release holds two Meta candidates; the item is listed once.
    assert titles(client.get(filter_link(listing, "Meta"))) == [
        "Meta Reports Second Quarter 2025 Results",
        "Meta Reports First Quarter 2025 Results",
    ]
    assert titles(client.get(filter_link(listing, "Alphabet"))) == [
        "Alphabet Announces Fourth Quarter and Fiscal Year 2024 Results"
    ]


# --- An item ------------------------------------------------------------------------------------


def test_an_item_shows_its_text_with_each_quote_marked_and_its_flags(client, editor, inbox):
    response = client.get(change_url(inbox["q1"]))
    body = response.content.decode()
    assert response.status_code == 200
    marked = [html.unescape(text) for text in re.findall(r"<mark>(.*?)</mark>", body, re.S)]
    assert marked == [
        "We anticipate our full year 2025 capital expenditures, including principal payments on finance leases, "
        "will be in the range of $64-72 billion",
        "increased from our prior outlook of $60-65 billion.",
    ]
    january = reverse("admin:capex_investment_change", args=[inbox["january"].pk])
    assert body.count(f'href="{january}"') == 2  # "Revises" and "Already recorded" both link to it
    assert "Revises" in body and "Already recorded" in body
    assert body.count('class="inbox-accept"') == 2


def test_the_text_is_escaped_and_a_quote_is_marked_across_its_line_breaks(client, editor, inbox):
    item = inbox["google"]
    item.text = (
        "<script>alert(1)</script> Sundar Pichai said: we expect to invest approximately\n"
        "$75 billion in capital expenditures in 2025."
    )
    item.save()
    body = client.get(change_url(item)).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    (marked,) = re.findall(r"<mark>(.*?)</mark>", body, re.S)
    assert html.unescape(marked) == (
        "Sundar Pichai said: we expect to invest approximately\n$75 billion in capital expenditures in 2025."
    )


def test_an_editor_corrects_a_candidate_then_accepts_it_into_a_draft(client, editor, inbox):
    item = inbox["google"]
    candidate = item.candidates.get()
    values = form_values(client.get(change_url(item)))
    prefix = row_prefix(values, candidate)
    values[f"{prefix}-qualifier"] = Qualifier.EXACT
    values[f"{prefix}-amount"] = "75000000000"
    values["_continue"] = "Save and continue editing"
    response = client.post(change_url(item), values)
    assert response.status_code == 302, response.content.decode()[:3000]
    candidate.refresh_from_db()
    assert candidate.qualifier == Qualifier.EXACT

    response = client.post(accept_url(candidate), follow=True)
    assert "created with its citation" in response.content.decode()
    draft = Investment.objects.get(company=inbox["alphabet"])
    assert (draft.state, draft.qualifier, draft.amount, draft.measure) == (
        WorkflowState.DRAFT,
        Qualifier.EXACT,
        Decimal("75e9"),
        "total_capex",
    )
    assert (draft.period_start, draft.period_end) == (date(2025, 1, 1), date(2025, 12, 31))
    candidate.refresh_from_db()
    assert (candidate.state, candidate.investment) == (CandidateState.ACCEPTED, draft)


def row_prefix(values: dict[str, str], candidate) -> str:
    return next(name.removesuffix("-id") for name, value in values.items() if value == str(candidate.pk))


def test_accept_takes_the_corrections_made_in_the_row_without_saving_first(client, editor, inbox):
    candidate = inbox["google"].candidates.get()
    values = form_values(client.get(change_url(inbox["google"])))
    prefix = row_prefix(values, candidate)
    values[f"{prefix}-amount"] = "80000000000"
    values[f"{prefix}-qualifier"] = Qualifier.AT_LEAST
    response = client.post(accept_url(candidate), values, follow=True)
    assert "created with its citation" in response.content.decode()
    draft = Investment.objects.get(company=inbox["alphabet"])
    assert (draft.amount, draft.qualifier) == (Decimal("80e9"), Qualifier.AT_LEAST)


def test_an_invalid_correction_is_named_and_nothing_is_accepted(client, editor, inbox):
    candidate = inbox["google"].candidates.get()
    values = form_values(client.get(change_url(inbox["google"])))
    values[f"{row_prefix(values, candidate)}-amount"] = "lots"
    response = client.post(accept_url(candidate), values, follow=True)
    assert "Amount: Enter a number." in response.content.decode()
    assert not Investment.objects.filter(company=inbox["alphabet"]).exists()
    candidate.refresh_from_db()
    assert (candidate.state, candidate.amount) == (CandidateState.OPEN, Decimal("75e9"))


def test_a_saved_correction_works_the_flag_out_again(client, editor, inbox):
    duplicate = inbox["q1"].candidates.get(flag=CandidateFlag.DUPLICATE)
    values = form_values(client.get(change_url(inbox["q1"])))
    values[f"{row_prefix(values, duplicate)}-amount_high"] = "66000000000"
    values["_continue"] = "Save and continue editing"
    assert client.post(change_url(inbox["q1"]), values).status_code == 302
    duplicate.refresh_from_db()
    assert (duplicate.amount_high, duplicate.flag, duplicate.matched) == (
        Decimal("66e9"),
        CandidateFlag.REVISION,
        inbox["january"],
    )
    assert "Revises" in client.get(change_url(inbox["q1"])).content.decode()


def test_accepting_a_revision_makes_a_draft_with_citation_quote_locator_and_supersedes(client, editor, inbox):
    revision = inbox["q1"].candidates.get(flag=CandidateFlag.REVISION)
    response = client.post(accept_url(revision))
    assert response.status_code == 302
    assert response["Location"] == change_url(inbox["q1"])
    draft = Investment.objects.get(supersedes=inbox["january"])
    assert draft.state == WorkflowState.DRAFT
    assert (draft.company.slug, draft.amount, draft.amount_high, draft.qualifier) == (
        "meta",
        Decimal("64e9"),
        Decimal("72e9"),
        Qualifier.RANGE,
    )
    assert draft.created_by == editor
    citation = draft.citations.get()
    assert citation.quote == revision.quote
    assert citation.locator == "paragraph 4"  # of the text shown: headline, dateline, quote, outlook
    assert citation.source.url == Q1
    assert citation.source.title == "Meta Reports First Quarter 2025 Results"
    page = client.get(change_url(inbox["q1"])).content.decode()
    assert reverse("admin:capex_investment_change", args=[draft.pk]) in page
    assert page.count('class="inbox-accept"') == 1  # the duplicate is still open


def test_dismissing_needs_a_reason_and_says_so(client, editor, inbox):
    duplicate = inbox["q1"].candidates.get(flag=CandidateFlag.DUPLICATE)
    response = client.post(dismiss_url(duplicate), {f"reason-{duplicate.pk}": "  "}, follow=True)
    assert "Say why the candidate is dismissed." in response.content.decode()
    duplicate.refresh_from_db()
    assert duplicate.state == CandidateState.OPEN

    response = client.post(
        dismiss_url(duplicate), {f"reason-{duplicate.pk}": "Already recorded in January"}, follow=True
    )
    assert "Candidate dismissed." in response.content.decode()
    duplicate.refresh_from_db()
    assert (duplicate.state, duplicate.dismiss_reason) == (CandidateState.DISMISSED, "Already recorded in January")
    assert "Already recorded in January" in client.get(change_url(inbox["q1"])).content.decode()


def test_a_decided_candidate_cannot_be_decided_again(client, editor, inbox):
    revision = inbox["q1"].candidates.get(flag=CandidateFlag.REVISION)
    client.post(accept_url(revision))
    response = client.post(accept_url(revision), follow=True)
    assert "already accepted or dismissed" in response.content.decode()
    assert Investment.objects.filter(supersedes=inbox["january"]).count() == 1


def test_a_candidate_without_a_company_cannot_be_accepted(client, editor, inbox):
    candidate = inbox["google"].candidates.get()
    Candidate.objects.filter(pk=candidate.pk).update(company=None)
    response = client.post(accept_url(candidate), follow=True)
    assert "Choose the company whose figure this is" in response.content.decode()
    assert not Investment.objects.filter(company=inbox["alphabet"]).exists()


# --- Who may -------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login(client, inbox):
    candidate = inbox["google"].candidates.get()
    for response in (client.get(CHANGELIST), client.post(accept_url(candidate))):
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
    assert not Investment.objects.filter(company=inbox["alphabet"]).exists()


def test_a_viewer_sees_the_inbox_but_cannot_decide(client, inbox):
    client.force_login(make_user("Viewer", "vera"))
    page = client.get(change_url(inbox["q1"]))
    assert page.status_code == 200
    assert 'class="inbox-accept"' not in page.content.decode()
    revision = inbox["q1"].candidates.get(flag=CandidateFlag.REVISION)
    assert client.post(accept_url(revision)).status_code == 403
    assert client.post(dismiss_url(revision), {f"reason-{revision.pk}": "no"}).status_code == 403
    revision.refresh_from_db()
    assert revision.state == CandidateState.OPEN


def test_staff_outside_the_editorial_groups_see_no_inbox(client, inbox):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_user("stan", "stan@example.org", "x", is_staff=True))
    assert client.get(CHANGELIST).status_code == 403
    revision = inbox["q1"].candidates.get(flag=CandidateFlag.REVISION)
    assert client.post(accept_url(revision)).status_code == 403


def test_deciding_is_a_post(client, editor, inbox):
    revision = inbox["q1"].candidates.get(flag=CandidateFlag.REVISION)
    assert client.get(accept_url(revision)).status_code == 405
    assert not Investment.objects.filter(supersedes=inbox["january"]).exists()


def test_reviewers_decide_too(client, inbox):
    client.force_login(make_user("Reviewer", "rita"))
    revision = inbox["q2"].candidates.first()
    assert client.post(accept_url(revision)).status_code == 302
    assert Investment.objects.filter(supersedes=inbox["january"], state=WorkflowState.DRAFT).count() == 1


# --- Feeds ---------------------------------------------------------------------------------------


def test_poll_now_makes_the_feeds_due_and_queues_a_poll(client, editor, newsroom, django_capture_on_commit_callbacks):
    Feed.objects.filter(pk=newsroom.pk).update(next_poll_at=NOW.replace(year=2099))
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(
            "/admin/inbox/feed/", {"action": "poll_now", "_selected_action": [newsroom.pk]}, follow=True
        )
    assert "1 active feed(s) are being polled" in response.content.decode()
    newsroom.refresh_from_db()
    assert newsroom.next_poll_at <= timezone.now()
    assert len(queued) == 1  # the poll task, sent once the transaction commits


def test_a_viewer_cannot_poll_feeds(client, newsroom):
    client.force_login(make_user("Viewer", "vera"))
    page = client.get("/admin/inbox/feed/").content.decode()
    assert "poll_now" not in page
