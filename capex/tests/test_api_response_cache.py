"""
Anonymous readers of the same list URL share one cached answer per data version
(`InvestmentViewSet.shared_cache_key`). What it must never do: serve an answer from before a
publish or an edit, give a signed-in reader (staff see drafts) the anonymous answer, or give
anonymous readers what a signed-in reader was shown.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from capex.aggregates import version_in_shared_cache
from capex.choices import WorkflowState
from capex.models import Investment
from capex.services import investment_publish
from capex.tests.factories import CitationFactory, InvestmentFactory, PublishedInvestmentFactory
from capex.tests.personas import api_client, fast_passwords, throttles_reset

pytestmark = pytest.mark.django_db

LIST = "/api/v1/investments/"


@pytest.fixture(autouse=True)
def _api_test_settings(settings):
    throttles_reset()
    fast_passwords(settings)


def listed(client, **headers) -> tuple[dict, int]:
    """The list page and the number of queries it took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST, {"page_size": 50}, **headers)
    assert response.status_code == 200
    return response.json(), len(queries)


def titles(page: dict) -> list[str]:
    return [row["title"] for row in page["results"]]


def test_a_repeated_anonymous_list_is_served_without_reading_the_figures_again():
    PublishedInvestmentFactory(title="Cached plan")
    anonymous = api_client("anonymous")

    first, first_queries = listed(anonymous)
    again, again_queries = listed(anonymous)

    assert again == first
    assert titles(again) == ["Cached plan"]
    # No page, no citations, no vendors: with Redis nothing at all; a cache of one process also
    # checks the newest figure for the data version (capex.aggregates), one query.
    assert again_queries == (0 if version_in_shared_cache() else 1) < first_queries


def record_lookups(monkeypatch) -> list[list[str]]:
    """The keys of each lookup of the data version or a kept answer from now on (throttle counters aside)."""
    from django.core.cache import cache

    lookups = []
    inside_get_many = []
    get, get_many = cache.get, cache.get_many

    def recorded_get(key, *args, **kwargs):
        if key.startswith("capex:aggregates:") and not inside_get_many:
            lookups.append([key])
        return get(key, *args, **kwargs)

    def recorded_get_many(keys, *args, **kwargs):
        lookups.append(list(keys))
        inside_get_many.append(True)  # a cache without MGET reads each key with get()
        try:
            return get_many(keys, *args, **kwargs)
        finally:
            inside_get_many.pop()

    monkeypatch.setattr(cache, "get", recorded_get)
    monkeypatch.setattr(cache, "get_many", recorded_get_many)
    if hasattr(cache, "count_and_get_many"):  # Redis: a throttle's count and the reads in one round trip
        count_and_get_many = cache.count_and_get_many

        def recorded_count_and_get_many(counter, timeout, keys, *args, **kwargs):
            lookups.append(list(keys))
            return count_and_get_many(counter, timeout, keys, *args, **kwargs)

        monkeypatch.setattr(cache, "count_and_get_many", recorded_count_and_get_many)
    return lookups


def test_a_shared_answer_and_its_data_version_are_read_in_one_cache_lookup(monkeypatch):
    """The version and the answer kept with it come back together (one MGET with Redis), not one after the other."""
    PublishedInvestmentFactory(title="Cached plan")
    anonymous = api_client("anonymous")
    listed(anonymous)
    lookups = record_lookups(monkeypatch)

    page, _ = listed(anonymous)

    assert titles(page) == ["Cached plan"]
    assert len(lookups) == 1
    assert lookups[0][0] == "capex:aggregates:version"
    assert lookups[0][1].startswith("capex:aggregates:api-investments:")


@pytest.fixture
def three_a_minute(settings) -> None:
    """Anonymous readers may make three requests a minute."""
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "3/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}


def record_separate_counts(monkeypatch) -> list[tuple]:
    """The throttle counts made on their own from now on, not with a read."""
    from django.core.cache import cache

    separate_counts = []
    count = cache.count
    monkeypatch.setattr(cache, "count", lambda *args, **kwargs: separate_counts.append(args) or count(*args, **kwargs))
    return separate_counts


@pytest.mark.skipif(not version_in_shared_cache(), reason="needs Redis: set REDIS_URL to run this (CI does)")
def test_with_redis_the_throttle_count_travels_with_the_read_of_a_shared_answer(monkeypatch, three_a_minute):
    PublishedInvestmentFactory(title="Cached plan")
    anonymous = api_client("anonymous")
    first, _ = listed(anonymous)  # built, and counted (1 of 3)
    separate_counts = record_separate_counts(monkeypatch)
    lookups = record_lookups(monkeypatch)

    second, _ = listed(anonymous)
    third, _ = listed(anonymous)
    fourth = anonymous.get(LIST, {"page_size": 50})

    assert second == third == first
    assert len(lookups) == 3  # one round trip each, the throttled one included
    assert separate_counts == []
    assert fourth.status_code == 429
    assert "Retry-After" in fourth


@pytest.mark.skipif(not version_in_shared_cache(), reason="needs Redis: set REDIS_URL to run this (CI does)")
def test_with_redis_the_throttle_count_travels_with_the_version_a_fresh_answer_is_built_at(monkeypatch, three_a_minute):
    PublishedInvestmentFactory(title="Cached plan")
    anonymous = api_client("anonymous")
    separate_counts = record_separate_counts(monkeypatch)
    lookups = record_lookups(monkeypatch)

    answers = [listed(anonymous, HTTP_CACHE_CONTROL="no-cache")[0] for _ in range(3)]
    fourth = anonymous.get(LIST, {"page_size": 50}, HTTP_CACHE_CONTROL="no-cache")

    assert titles(answers[0]) == ["Cached plan"]
    assert answers[0] == answers[1] == answers[2]
    assert lookups == [["capex:aggregates:version"]] * 4  # one round trip each, the throttled one included
    assert separate_counts == []
    assert fourth.status_code == 429


def test_a_fresh_answer_reads_the_data_version_but_not_the_answer_kept_and_replaces_it(monkeypatch):
    PublishedInvestmentFactory(title="Cached plan")
    anonymous = api_client("anonymous")
    cached, _ = listed(anonymous)
    lookups = record_lookups(monkeypatch)

    fresh, _ = listed(anonymous, HTTP_CACHE_CONTROL="no-cache")
    fresh_lookups = list(lookups)
    again, again_queries = listed(anonymous)

    assert fresh == cached
    assert fresh_lookups == [["capex:aggregates:version"]]
    assert again == fresh
    assert again_queries == (0 if version_in_shared_cache() else 1)


def test_an_entry_in_an_earlier_releases_format_is_a_miss_not_an_error():
    from capex.aggregates import aggregates_version, cache_key, versioned_set

    PublishedInvestmentFactory(title="Cached plan")
    anonymous = api_client("anonymous")
    page, _ = listed(anonymous)
    key = cache_key(
        "api-investments", {"url": f"http://testserver{LIST}?page_size=50", "media_type": "application/json"}
    )
    versioned_set(key, aggregates_version(), b'{"results": []}', 60)  # a bare body, as stored before ETags were kept

    again, _ = listed(anonymous)

    assert again == page
    assert titles(again) == ["Cached plan"]


def test_cache_control_no_cache_asks_for_a_fresh_answer():
    PublishedInvestmentFactory()
    anonymous = api_client("anonymous")
    cached, _ = listed(anonymous)

    fresh, fresh_queries = listed(anonymous, HTTP_CACHE_CONTROL="no-cache")

    assert fresh == cached
    assert fresh_queries > 1


def test_a_publication_shows_in_the_next_anonymous_list():
    PublishedInvestmentFactory(title="Already public")
    anonymous = api_client("anonymous")
    assert titles(listed(anonymous)[0]) == ["Already public"]
    draft = InvestmentFactory(title="Newly published")
    CitationFactory(investment=draft)

    investment_publish(investment=draft, by=None)

    assert sorted(titles(listed(anonymous)[0])) == ["Already public", "Newly published"]


def test_an_edit_of_a_published_figure_shows_in_the_next_anonymous_list():
    figure = PublishedInvestmentFactory(title="Before the edit")
    anonymous = api_client("anonymous")
    assert titles(listed(anonymous)[0]) == ["Before the edit"]

    figure.refresh_from_db()
    figure.title = "After the edit"
    figure.save()

    assert titles(listed(anonymous)[0]) == ["After the edit"]


def test_a_renamed_company_and_a_retitled_source_show_in_the_next_anonymous_list():
    figure = PublishedInvestmentFactory(title="Campus")
    citation = CitationFactory(investment=figure)
    anonymous = api_client("anonymous")
    assert listed(anonymous)[0]["results"][0]["company"]["name"] == figure.company.name

    figure.company.name = "Renamed Holdings"
    figure.company.save()
    citation.source.title = "Corrected headline"
    citation.source.save()

    row = listed(anonymous)[0]["results"][0]
    assert row["company"]["name"] == "Renamed Holdings"
    assert {c["id"]: c["source"]["title"] for c in row["citations"]}[citation.pk] == "Corrected headline"


def test_staff_and_anonymous_readers_never_get_each_others_answer():
    headline = PublishedInvestmentFactory(title="Headline")
    draft_component = InvestmentFactory(company=headline.company, parent=headline, amount=1)
    assert draft_component.state == WorkflowState.DRAFT
    anonymous, viewer = api_client("anonymous"), api_client("viewer")

    assert listed(anonymous)[0]["results"][0]["components"] == []
    # Staff see the draft component, though the anonymous answer for this URL is cached.
    assert listed(viewer)[0]["results"][0]["components"] == [draft_component.pk]
    assert listed(viewer)[0]["results"][0]["components"] == [draft_component.pk]
    # And what staff were shown never reaches anonymous readers.
    assert listed(anonymous)[0]["results"][0]["components"] == []
    assert Investment.objects.get(pk=draft_component.pk).state == WorkflowState.DRAFT


def test_an_answer_for_one_host_is_not_served_to_another():
    figure = PublishedInvestmentFactory()
    anonymous = api_client("anonymous")

    here = anonymous.get(LIST, HTTP_HOST="localhost").json()
    there = anonymous.get(LIST, HTTP_HOST="testserver").json()

    assert here["results"][0]["api_url"] == f"http://localhost{LIST}{figure.pk}/"
    assert there["results"][0]["api_url"] == f"http://testserver{LIST}{figure.pk}/"
