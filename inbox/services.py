"""
Writes of the inbox: polling feeds, fetching items, extracting candidates, accepting and
dismissing them. A failure of one feed or item is recorded on it and never stops the others.
"""

import calendar
import datetime
from collections.abc import Iterable
from datetime import timedelta
from decimal import Decimal

import feedparser
import trafilatura
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from capex.choices import Evidence, Qualifier
from capex.extraction import KnownCompany, extract_in_context
from capex.models import Investment
from capex.services.investments import citation_add, investment_create
from companies.choices import CompanyKind
from companies.models import Company
from inbox.choices import CandidateFlag, CandidateState, FeedKind, ItemStatus, PollStatus, RunStatus
from inbox.fetching import Fetcher, decode, normalise_url, user_agent_problem
from inbox.models import Candidate, Feed, FeedItem, PollRun
from sources.choices import SourceKind
from sources.models import Source
from sources.services import source_create

# A point figure within this much of a recorded one says the same thing.
DUPLICATE_TOLERANCE = Decimal("0.05")
MAX_BACKOFF = timedelta(days=1)
HTML_TYPES = ("text/html", "application/xhtml+xml")
FEED_ACCEPT = "application/atom+xml, application/rss+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"


def _fail_feed(feed: Feed, *, now, error: str) -> None:
    feed.failures += 1
    feed.last_status = PollStatus.FAILED
    feed.last_error = error
    feed.next_poll_at = now + min(timedelta(minutes=feed.interval_minutes) * 2**feed.failures, MAX_BACKOFF)
    feed.save()


def _entry_published(entry) -> datetime.datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    return datetime.datetime.fromtimestamp(calendar.timegm(parsed), tz=datetime.UTC)


def feed_poll(*, feed: Feed, fetcher: Fetcher, now: datetime.datetime | None = None) -> list[FeedItem]:
    """
    Poll one feed with a conditional GET and store its new items (each URL once). A 304 changes
    nothing but the schedule; a failure or a body that is not a feed is recorded on the feed.
    """
    now = now or timezone.now()
    feed.last_polled_at = now
    try:
        response = fetcher.get(feed.url, etag=feed.etag, last_modified=feed.last_modified, accept=FEED_ACCEPT)
    except Exception as exc:  # network errors of any transport
        _fail_feed(feed, now=now, error=f"Request failed: {exc}")
        return []
    if response.status == 304:
        feed.failures = 0
        feed.last_status = PollStatus.NOT_MODIFIED
        feed.last_error = ""
        feed.next_poll_at = now + timedelta(minutes=feed.interval_minutes)
        feed.save()
        return []
    if response.status != 200:
        _fail_feed(feed, now=now, error=f"HTTP {response.status}")
        return []
    if response.truncated:
        _fail_feed(feed, now=now, error=f"The feed is larger than {fetcher.max_bytes} bytes.")
        return []
    parsed = feedparser.parse(response.body)
    if (parsed.get("bozo") and not parsed.entries) or not parsed.get("version"):
        reason = parsed.get("bozo_exception") or "no RSS or Atom elements"
        _fail_feed(feed, now=now, error=f"Not an RSS or Atom feed: {reason}")
        return []
    created = []
    with transaction.atomic():
        for entry in parsed.entries:
            link = entry.get("link")
            if not link:
                continue
            item, was_created = FeedItem.objects.get_or_create(
                normalised_url=normalise_url(link),
                defaults={
                    "feed": feed,
                    "url": link[:1000],
                    "title": (entry.get("title") or "")[:500],
                    "published": _entry_published(entry),
                },
            )
            if was_created:
                created.append(item)
        feed.etag = response.headers.get("etag", "")[:500]
        feed.last_modified = response.headers.get("last-modified", "")[:100]
        feed.failures = 0
        feed.last_status = PollStatus.OK
        feed.last_error = ""
        feed.next_poll_at = now + timedelta(minutes=feed.interval_minutes)
        feed.save()
    return created


def _fail_item(item: FeedItem, error: str) -> FeedItem:
    item.status = ItemStatus.FAILED
    item.error = error
    item.fetched_at = timezone.now()
    item.save()
    return item


def item_fetch(*, item: FeedItem, fetcher: Fetcher) -> FeedItem:
    """Fetch an item's page and keep its main text; anything wrong is kept on the item as its error."""
    try:
        response = fetcher.get(item.url, accept="text/html, application/xhtml+xml;q=0.9")
    except Exception as exc:
        return _fail_item(item, f"Request failed: {exc}")
    if response.status != 200:
        return _fail_item(item, f"HTTP {response.status}")
    content_type = response.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() not in HTML_TYPES:
        return _fail_item(item, f"Not an HTML page (Content-Type {content_type or 'missing'}).")
    if response.truncated:
        return _fail_item(item, f"The page is larger than {fetcher.max_bytes} bytes; open it and paste the text.")
    html, note = decode(response.body, content_type)
    text = trafilatura.extract(html, include_comments=False, include_tables=False, favor_recall=True)
    if not text:
        return _fail_item(item, "No main text found on the page.")
    item.text = text
    item.status = ItemStatus.FETCHED
    item.error = note
    item.fetched_at = timezone.now()
    item.save()
    return item


def known_companies() -> list[KnownCompany]:
    """
    The companies a figure can belong to, with every name they go by and their fiscal years. Chip
    vendors are among them, as owners only when named before an amount (their own investments).
    """
    return [
        KnownCompany(
            key=company.slug,
            names=(company.name, *company.alias_list),
            fiscal_year_end_month=company.fiscal_year_end_month,
            vendor=company.kind == CompanyKind.CHIP_VENDOR,
        )
        for company in Company.objects.all()
    ]


def _ends(amount: Decimal, high: Decimal | None) -> tuple[Decimal, Decimal]:
    return amount, high if high is not None else amount


def _close(a: Decimal, b: Decimal, tolerance: Decimal) -> bool:
    return abs(a - b) <= tolerance * max(abs(a), abs(b))


def candidate_compare(candidate: Candidate) -> tuple[str, Investment | None]:
    """
    Against the current published figures of the same company and measure whose period overlaps:
    the same amount (a point within 5%, a range with the same ends) is already recorded; any
    other amount revises the latest of them. Without a company or period there is nothing to compare.
    """
    if candidate.company_id is None or candidate.period_start is None or candidate.period_end is None:
        return CandidateFlag.NEW, None
    recorded = list(
        Investment.objects.published()
        .current()
        .filter(
            company_id=candidate.company_id,
            measure=candidate.measure,
            currency=candidate.currency,
            period_start__lte=candidate.period_end,
            period_end__gte=candidate.period_start,
        )
        .order_by("-announced_on", "-id")
    )
    if not recorded:
        return CandidateFlag.NEW, None
    low, high = _ends(candidate.amount, candidate.amount_high)
    is_range = candidate.qualifier == Qualifier.RANGE
    for figure in recorded:
        figure_low, figure_high = _ends(figure.amount, figure.amount_high)
        tolerance = Decimal(0) if is_range or figure.is_range else DUPLICATE_TOLERANCE
        if _close(low, figure_low, tolerance) and _close(high, figure_high, tolerance):
            return CandidateFlag.DUPLICATE, figure
    return CandidateFlag.REVISION, recorded[0]


# What an editor may correct on a candidate before accepting it.
CORRECTABLE_FIELDS = (
    "amount",
    "amount_high",
    "currency",
    "qualifier",
    "company",
    "period_start",
    "period_end",
    "measure",
    "quote",
)


def _period_label(start: datetime.date | None, end: datetime.date | None) -> str:
    if start is None or end is None:
        return ""
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31):
        return str(start.year) if start.year == end.year else f"{start.year}-{end.year}"
    return f"{start.isoformat()} to {end.isoformat()}"


@transaction.atomic
def candidate_correct(*, candidate: Candidate, changes: dict) -> Candidate:
    """
    An editor's corrections to an open candidate. Whether it is already recorded or revises a
    figure is worked out again, since the company, period or amount may have changed.
    """
    if candidate.state != CandidateState.OPEN:
        raise ValidationError("This candidate was already accepted or dismissed.")
    unknown = set(changes) - set(CORRECTABLE_FIELDS)
    if unknown:
        raise ValidationError(f"Not correctable here: {', '.join(sorted(unknown))}.")
    for name, value in changes.items():
        setattr(candidate, name, value)
    if {"period_start", "period_end"} & set(changes):
        candidate.period_label = _period_label(candidate.period_start, candidate.period_end)
    candidate.flag, candidate.matched = candidate_compare(candidate)
    candidate.full_clean()
    candidate.save()
    return candidate


@transaction.atomic
def candidates_extract(*, item: FeedItem) -> list[Candidate]:
    """The item's figures as open candidates, each compared with what is recorded; re-running replaces open ones."""
    item.candidates.filter(state=CandidateState.OPEN).delete()
    published = item.published.date() if item.published else None
    default = item.feed.company.slug if item.feed.company_id else None
    companies = {company.slug: company for company in Company.objects.all()}
    candidates = []
    for figure in extract_in_context(
        item.text, published=published, companies=known_companies(), default_company=default
    ):
        found = figure.candidate
        candidate = Candidate(
            item=item,
            amount=found.amount,
            amount_high=found.amount_high,
            currency=found.currency,
            qualifier=found.qualifier,
            company=companies.get(figure.company) if figure.company else None,
            period_start=figure.period_start,
            period_end=figure.period_end,
            period_label=figure.period_label,
            measure=figure.measure,
            quote=figure.quote,
            locator=f"paragraph {figure.paragraph}",
        )
        candidate.flag, candidate.matched = candidate_compare(candidate)
        candidate.full_clean()
        candidate.save()
        candidates.append(candidate)
    return candidates


def feeds_make_due(*, feeds: Iterable[Feed]) -> int:
    """An editor wants these feeds now: the next poll takes them, whatever their interval or backoff."""
    return Feed.objects.filter(pk__in=[feed.pk for feed in feeds], active=True).update(next_poll_at=timezone.now())


def feeds_poll_due(*, fetcher: Fetcher | None = None, now: datetime.datetime | None = None, limit: int = 50) -> PollRun:
    """Poll the feeds that are due, fetch and read their new items; one run row says how it went."""
    fetcher = fetcher or Fetcher()
    now = now or timezone.now()
    run = PollRun.objects.create(started_at=now)
    if problem := user_agent_problem(fetcher.user_agent):
        # Not the feeds' fault: none of them is marked failed or backed off.
        run.status = RunStatus.FAILED
        run.error = problem
        run.finished_at = timezone.now()
        run.save()
        return run
    due = Feed.objects.filter(active=True).exclude(next_poll_at__gt=now).order_by("next_poll_at", "pk")[:limit]
    errors = []
    for feed in due:
        run.feeds_polled += 1
        new_items = feed_poll(feed=feed, fetcher=fetcher, now=now)
        if feed.last_status == PollStatus.FAILED:
            run.feeds_failed += 1
            errors.append(f"{feed}: {feed.last_error}")
        run.items_new += len(new_items)
        for item in new_items:
            item_fetch(item=item, fetcher=fetcher)
            if item.status == ItemStatus.FAILED:
                run.items_failed += 1
                continue
            candidates_extract(item=item)
    run.status = RunStatus.PARTIAL if run.feeds_failed or run.items_failed else RunStatus.OK
    run.error = "\n".join(errors)
    run.finished_at = timezone.now()
    run.save()
    return run


def _item_source(item: FeedItem) -> Source:
    """The item as a source (found again by URL), with its text kept for later extraction."""
    existing = Source.objects.filter(url=item.url).first()
    if existing is not None:
        return existing
    return source_create(
        title=(item.title or item.url)[:500],
        url=item.url,
        published_on=item.published.date() if item.published else None,
        kind=SourceKind.FILING if item.feed.kind == FeedKind.SEC else SourceKind.PRESS_RELEASE,
        text=item.text,
    )


@transaction.atomic
def candidate_accept(*, candidate: Candidate, by: AbstractBaseUser | None, title: str = "") -> Investment:
    """
    Turn a candidate into a draft figure with its citation (the clause as quote, the paragraph as
    locator) and, for a revision, the figure it supersedes. The draft then goes through review.
    """
    if candidate.state != CandidateState.OPEN:
        raise ValidationError("This candidate was already accepted or dismissed.")
    if candidate.company is None:
        raise ValidationError({"company": "Choose the company whose figure this is, save, then accept."})
    item = candidate.item
    announced_on = item.published.date() if item.published else timezone.localdate()
    supersedes = candidate.matched if candidate.flag == CandidateFlag.REVISION else None
    if supersedes is not None and hasattr(supersedes, "superseded_by"):
        supersedes = None  # already revised by another figure (a draft, perhaps): the editor links it
    investment = investment_create(
        company=candidate.company,
        title=title or f"{candidate.get_measure_display()} {candidate.period_label}".strip(),
        announced_on=announced_on,
        amount=candidate.amount,
        amount_high=candidate.amount_high,
        currency=candidate.currency,
        qualifier=candidate.qualifier,
        measure=candidate.measure,
        period_start=candidate.period_start,
        period_end=candidate.period_end,
        period_label=candidate.period_label,
        evidence=Evidence.OFFICIAL,
        supersedes=supersedes,
        created_by=by,
    )
    citation_add(
        investment=investment, source=_item_source(item), quote=candidate.quote, locator=candidate.locator, by=by
    )
    candidate.state = CandidateState.ACCEPTED
    candidate.investment = investment
    candidate.save(update_fields=["state", "investment"])
    item.status = ItemStatus.ACCEPTED
    item.save(update_fields=["status"])
    return investment


@transaction.atomic
def candidate_dismiss(*, candidate: Candidate, reason: str) -> Candidate:
    """Set a candidate aside; the reason is required so the next editor knows why."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"dismiss_reason": "Say why the candidate is dismissed."})
    if candidate.state != CandidateState.OPEN:
        raise ValidationError("This candidate was already accepted or dismissed.")
    candidate.state = CandidateState.DISMISSED
    candidate.dismiss_reason = reason[:300]
    candidate.save(update_fields=["state", "dismiss_reason"])
    return candidate


@transaction.atomic
def item_dismiss(*, item: FeedItem, reason: str) -> FeedItem:
    """Set a whole item aside with its open candidates."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"dismiss_reason": "Say why the item is dismissed."})
    item.candidates.filter(state=CandidateState.OPEN).update(
        state=CandidateState.DISMISSED, dismiss_reason=reason[:300]
    )
    item.status = ItemStatus.DISMISSED
    item.dismiss_reason = reason[:300]
    item.save(update_fields=["status", "dismiss_reason"])
    return item
