"""
Anonymous readers of the same URL share one cached answer per data version (config.cache),
and revalidate it by its ETag. What it must never do: serve an answer from before a
publish or an edit, give a signed-in reader (staff see drafts) the anonymous answer, or give
anonymous readers what a signed-in reader was shown.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from capex.choices import WorkflowState
from capex.models import Investment
from capex.services.workflow import investment_publish
from capex.tests.factories import CitationFactory, InvestmentFactory, PublishedInvestmentFactory
from capex.tests.personas import api_client, fast_passwords, throttles_reset
from config.cache import data_version_bump

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
    assert again_queries == 0 < first_queries


@pytest.mark.parametrize("url", [LIST, "/api/v1/stats/", "/", "/explore/"])
def test_a_reader_revalidates_with_the_etag_and_gets_a_304_until_the_data_version_moves(client, url):
    figure = PublishedInvestmentFactory(title="First plan")
    first = client.get(url)
    etag = first["ETag"]
    assert first.status_code == 200
    assert "no-cache" in first["Cache-Control"] and "public" in first["Cache-Control"]

    with CaptureQueriesContext(connection) as queries:
        again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again["ETag"] == etag
    assert len(queries) == 0

    data_version_bump()  # what a publish, an edit or a rate refresh does
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert figure.title in changed.content.decode() or url == "/api/v1/stats/"


def test_the_basis_and_the_order_of_parameters_make_the_key():
    PublishedInvestmentFactory()
    anonymous = api_client("anonymous")
    etag = anonymous.get("/api/v1/stats/", {"group_by": "scope", "basis": "latest"})["ETag"]
    assert anonymous.get("/api/v1/stats/?basis=latest&group_by=scope")["ETag"] == etag
    assert anonymous.get("/api/v1/stats/?basis=announcement&group_by=scope")["ETag"] != etag


def test_signed_in_readers_get_private_answers():
    PublishedInvestmentFactory()
    response = api_client("editor").get(LIST)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]


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


# --- One reader builds a missing answer, the others wait for it --------------------------------


def a_reader(rf, **headers):
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/a-page/", **headers)
    request.user = AnonymousUser()
    return request


def building_reader():
    """Another reader who found the page missing and is building it: it holds the build lock."""
    from django.core.cache import cache

    from config.cache import answer_kept

    builder = answer_kept(view="test:/a-page/", query=[], basis="")
    assert builder.value is None and cache.add(builder.lock, 1, 60)
    return builder


def finished(builder, value=None) -> None:
    """The other reader's build ends: its answer kept (if it had one) and its lock released."""
    from django.core.cache import cache

    if value is not None:
        cache.set(builder.slot, (builder.version, value), 60)
    cache.delete(builder.lock)


def naps_that(monkeypatch, on_second_nap) -> list[float]:
    """The waiting reader's naps, counted; the other reader finishes during the second."""
    naps = []

    def nap(seconds):
        naps.append(seconds)
        if len(naps) == 2:
            on_second_nap()

    monkeypatch.setattr("config.cache.sleep", nap)
    return naps


def test_a_reader_of_an_answer_being_built_waits_for_it_instead_of_building_it_again(rf, monkeypatch):
    from config.cache import cached_page

    builder = building_reader()
    naps = naps_that(monkeypatch, lambda: finished(builder, ("text/plain", b"built once")))

    response = cached_page(a_reader(rf), "test", lambda: pytest.fail("the answer was built a second time"))

    assert response.content == b"built once" and len(naps) == 2


def test_when_the_build_ends_without_an_answer_the_waiting_reader_builds_it_at_once(rf, monkeypatch):
    from django.http import HttpResponse

    from config.cache import cached_page

    builder = building_reader()
    naps = naps_that(monkeypatch, lambda: finished(builder))

    response = cached_page(a_reader(rf), "test", lambda: HttpResponse(b"built by the reader who waited"))

    assert response.content == b"built by the reader who waited"
    assert len(naps) == 2  # it stopped waiting as soon as the lock was gone
    # And kept it, for the next reader.
    again = cached_page(a_reader(rf), "test", lambda: pytest.fail("built again"))
    assert again.content == b"built by the reader who waited"


def test_a_reader_who_asks_for_a_fresh_answer_builds_it_whoever_else_is_building(rf, monkeypatch):
    from django.http import HttpResponse

    from config.cache import cached_page

    building_reader()
    naps = naps_that(monkeypatch, lambda: pytest.fail("a fresh answer waited"))

    response = cached_page(a_reader(rf, HTTP_CACHE_CONTROL="no-cache"), "test", lambda: HttpResponse(b"fresh"))

    assert response.content == b"fresh" and naps == []


def test_a_reader_who_revalidates_a_missing_answer_leaves_no_one_waiting(rf, monkeypatch):
    """A 304 builds nothing, so it must not hold the build lock the next reader would wait on."""
    from django.http import HttpResponse

    from config.cache import answer_kept, cached_page

    etag = answer_kept(view="test:/a-page/", query=[], basis="").etag
    assert cached_page(a_reader(rf, HTTP_IF_NONE_MATCH=etag), "test", HttpResponse).status_code == 304
    naps = naps_that(monkeypatch, lambda: pytest.fail("waited for a build nobody makes"))

    response = cached_page(a_reader(rf), "test", lambda: HttpResponse(b"built"))

    assert response.content == b"built" and naps == []
