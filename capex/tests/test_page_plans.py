"""
Page plans (config.api.plans): the figures' list builds a URL's page query once and runs it
again. What a reader sees must not change: the same rows and links as a page built afresh,
nothing of one reader's plan for another, nothing kept past a change of the data the request
was checked against, and a refused request refused every time.
"""

import datetime
from decimal import Decimal

import pytest
from django.db.models import F, Value
from django.db.models.functions import Coalesce

from capex.aggregates import UNKNOWN_VERSION
from capex.api.views import InvestmentViewSet, _list_base
from capex.models import Investment
from capex.tests.factories import InvestmentFactory, PublishedInvestmentFactory
from capex.tests.personas import api_client, fast_passwords, throttles_reset
from companies.models import Company
from config.api.pagination import PagePlan
from config.api.plans import PLANS, CompiledRows, PlanCache

LIST = "/api/v1/investments/"


@pytest.fixture(autouse=True)
def _fresh(settings):
    throttles_reset()
    fast_passwords(settings)
    PLANS.clear()


@pytest.fixture
def builds(monkeypatch) -> list[str]:
    """The query strings of the pages whose query was built (filtered and planned), in order."""
    built = []
    original = InvestmentViewSet.filter_queryset

    def filter_queryset(self, queryset):
        built.append(self.request.META.get("QUERY_STRING", ""))
        return original(self, queryset)

    monkeypatch.setattr(InvestmentViewSet, "filter_queryset", filter_queryset)
    return built


def fresh(client, url: str, params: dict | None = None, **headers):
    """A page built now, not served from the shared answers anonymous readers get."""
    return client.get(url, params, HTTP_CACHE_CONTROL="no-cache", **headers)


@pytest.mark.django_db
def test_a_page_asked_for_again_runs_its_kept_query_and_reads_the_same(builds):
    for day in range(1, 8):
        PublishedInvestmentFactory(scope="domestic", announced_on=datetime.date(2025, 3, day))
    client = api_client("anonymous")

    first = fresh(client, LIST, {"scope": "domestic", "page_size": 3})
    again = fresh(client, LIST, {"scope": "domestic", "page_size": 3})

    assert first.status_code == again.status_code == 200
    assert builds == ["scope=domestic&page_size=3"]
    assert again.json() == first.json()
    assert [row["announced_on"] for row in again.json()["results"]] == ["2025-03-07", "2025-03-06", "2025-03-05"]
    assert len(PLANS) == 1


def walk(client, url: str, direction: str) -> tuple[list[list[int]], dict]:
    """
    The ids of each page from `url` on, following the `direction` links ("next" or "previous"),
    and the last page's body.
    """
    pages = []
    while url:
        body = fresh(client, url).json()
        pages.append([row["id"] for row in body["results"]])
        url = body[direction]
    return pages, body


@pytest.mark.django_db
@pytest.mark.parametrize("days", [8, 3], ids=["distinct dates", "shared dates"])
def test_pages_from_kept_plans_are_the_pages_built_afresh_in_both_directions(builds, days):
    """With dates shared, positions repeat and the cursor carries an offset too."""
    figures = [PublishedInvestmentFactory(announced_on=datetime.date(2025, 1, 1 + n % days)) for n in range(8)]
    client = api_client("anonymous")

    walks = []
    for _ in range(2):  # built, then every page again from its plan
        forward, last = walk(client, f"{LIST}?page_size=3", "next")
        backward, _ = walk(client, last["previous"], "previous")
        walks.append((forward, backward))
    built = len(builds)
    walk(client, f"{LIST}?page_size=3", "next")

    assert walks[0] == walks[1]
    forward, backward = walks[0]
    listed = [pk for page in forward for pk in page]
    assert sorted(listed) == sorted(figure.pk for figure in figures)
    assert len(listed) == 8
    if days == 8:  # going back over distinct positions retraces the pages exactly
        assert backward == forward[-2::-1]
    assert len(builds) == built  # the third walk was planned throughout


@pytest.mark.django_db
@pytest.mark.parametrize("ordering", ["-updated_at", "amount_usd", "-announced_on"])
def test_every_ordering_pages_through_kept_plans(builds, ordering):
    """Cursor positions are read from the rows a plan returns: timestamps, amounts and dates."""
    figures = [
        PublishedInvestmentFactory(amount=Decimal(1000 + n % 3), announced_on=datetime.date(2025, 1, 1 + n % 2))
        for n in range(5)
    ]
    client = api_client("anonymous")

    walks = [walk(client, f"{LIST}?page_size=2&ordering={ordering}", "next")[0] for _ in range(2)]

    assert walks[0] == walks[1]
    listed = [pk for page in walks[0] for pk in page]
    assert sorted(listed) == sorted(figure.pk for figure in figures)
    assert len(builds) == 3  # the three pages of the first walk


@pytest.mark.django_db
def test_a_plan_is_the_readers_own(builds):
    draft = InvestmentFactory(state="draft", title="Unpublished draft")
    published = PublishedInvestmentFactory()
    staff, anonymous = api_client("editor"), api_client("anonymous")

    staff_sees = [row["id"] for row in fresh(staff, LIST, {"state": "draft"}).json()["results"]]
    anonymous_sees = fresh(anonymous, LIST, {"state": "draft"})
    staff_again = [row["id"] for row in fresh(staff, LIST, {"state": "draft"}).json()["results"]]

    assert staff_sees == staff_again == [draft.pk]
    assert draft.pk not in [row["id"] for row in anonymous_sees.json().get("results", [])]
    assert published.pk not in staff_sees
    assert builds == ["state=draft", "state=draft"]  # once per reader; staff's second page from its plan


@pytest.mark.django_db
def test_a_plan_is_not_kept_past_a_change_to_what_it_was_checked_against(builds):
    company = PublishedInvestmentFactory(company__slug="gone-soon").company
    client = api_client("anonymous")
    assert fresh(client, LIST, {"company": "gone-soon"}).status_code == 200

    Investment.objects.filter(company=company).delete()
    Company.objects.filter(pk=company.pk).delete()
    refused = fresh(client, LIST, {"company": "gone-soon"})

    assert refused.status_code == 400
    assert list(refused.json()) == ["company"]
    assert builds == ["company=gone-soon", "company=gone-soon"]


@pytest.mark.django_db
def test_a_new_figure_is_listed_on_the_next_page_asked_for(builds):
    PublishedInvestmentFactory(scope="domestic", announced_on=datetime.date(2025, 1, 1))
    client = api_client("anonymous")
    assert len(fresh(client, LIST, {"scope": "domestic"}).json()["results"]) == 1

    newer = PublishedInvestmentFactory(scope="domestic", announced_on=datetime.date(2025, 2, 1))
    rows = fresh(client, LIST, {"scope": "domestic"}).json()["results"]

    assert rows[0]["id"] == newer.pk
    assert len(rows) == 2


@pytest.mark.django_db
def test_a_refused_request_keeps_no_plan_and_is_refused_again(builds):
    client = api_client("anonymous")

    for _ in range(2):
        response = fresh(client, LIST, {"scope": "nowhere"})
        assert response.status_code == 400
        assert list(response.json()) == ["scope"]
    for _ in range(2):
        response = fresh(client, LIST, {"cursor": "!!!"})
        assert response.status_code == 400
        assert list(response.json()) == ["cursor"]

    assert len(PLANS) == 0
    assert builds == ["scope=nowhere", "scope=nowhere", "cursor=%21%21%21", "cursor=%21%21%21"]


@pytest.mark.django_db
def test_no_plan_is_kept_while_the_cache_is_down(builds, monkeypatch):
    PublishedInvestmentFactory()
    client = api_client("anonymous")
    # What the version reads as while the cache is down, wherever it is read.
    for reader in ("capex.api.views.aggregates_version", "capex.aggregates.aggregates_version"):
        monkeypatch.setattr(reader, lambda *args: UNKNOWN_VERSION)

    for _ in range(2):
        assert len(fresh(client, LIST).json()["results"]) == 1

    assert len(PLANS) == 0
    assert builds == ["", ""]


@pytest.mark.django_db
def test_a_csv_page_is_built_every_time(builds):
    PublishedInvestmentFactory()
    client = api_client("anonymous")

    for _ in range(2):
        response = fresh(client, LIST, {"format": "csv"})
        assert response.status_code == 200
        assert response.content.decode().count("\n") == 2  # the header and the figure

    assert builds == ["format=csv", "format=csv"]


@pytest.mark.django_db
def test_compiled_rows_read_as_the_queryset_reads():
    PublishedInvestmentFactory(amount=Decimal("12.50"), announced_on=datetime.date(2025, 4, 5))
    PublishedInvestmentFactory(amount=Decimal("7.00"), amount_high=Decimal("9.25"), qualifier="range")
    queryset = _list_base(False, rows=True).all().order_by("-amount_usd", "id")
    annotated = (
        Investment.objects.annotate(low=Coalesce(F("amount_high"), Value(Decimal(0))))
        .values("id", "low", "announced_on", "updated_at")
        .order_by("id")
    )

    for each in (queryset, queryset[:1], queryset.filter(scope="nowhere"), annotated):
        assert CompiledRows(each)() == list(each)
    assert CompiledRows(queryset.none())() == []


def test_compiled_rows_take_only_plain_rows():
    with pytest.raises(TypeError):
        CompiledRows(Investment.objects.all())


def test_the_plan_cache_lets_the_least_recently_used_plan_go():
    cache = PlanCache(size=2)
    queryset = Investment.objects.none().values("id")
    rows = CompiledRows(queryset)
    plans = {key: PagePlan(page_size, ("-id",), None, queryset) for page_size, key in enumerate("abc", start=1)}
    for key in ("a", "b"):
        cache.put(key, plans[key], rows)
    cache.get("a")
    cache.put("c", plans["c"], rows)

    assert cache.get("b") is None
    assert cache.get("a") == (PagePlan(1, ("-id",), None, None), rows)  # kept without its queryset
    assert cache.get("c") == (PagePlan(3, ("-id",), None, None), rows)
    assert len(cache) == 2
