"""
With Redis down the cache fails open: pages and the API keep answering, throttles let requests
through, and saving a figure completes. The cache points at a port where nothing listens.
"""

from datetime import date

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.test import TestCase

from capex.choices import WorkflowState
from capex.models import Investment
from capex.services.investments import investment_create
from capex.services.workflow import investment_publish, investment_submit
from capex.tests.factories import CitationFactory
from capex.tests.fixtures.personas import make_user
from capex.tests.personas import api_client, fast_passwords, sample_figures_with_rates
from companies.tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db

DOWN = {
    "default": {
        "BACKEND": "config.cache.FailOpenRedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


@pytest.fixture
def redis_down(settings):
    # Django's setting_changed handler drops the cache connections, so the next use reconnects here.
    settings.CACHES = DOWN


def test_the_cache_answers_misses_when_redis_is_down(redis_down):
    cache = caches["default"]
    assert cache.get("anything", "fallback") == "fallback"
    assert cache.add("lock", 1) is False
    cache.set("key", "value")
    assert cache.get_many(["a", "b"]) == {}
    with pytest.raises(ValueError):
        cache.incr("counter")


def test_pages_and_the_api_serve_with_redis_down(client, settings, redis_down):
    fast_passwords(settings)
    sample_figures_with_rates()
    for path in [
        "/",
        "/companies/",
        "/companies/bytedance/",
        "/explore/",
        "/sources/",
        "/api/v1/investments/",
        "/api/v1/stats/",
    ]:
        assert client.get(path).status_code == 200, path


def test_a_figure_is_saved_with_redis_down(settings, redis_down):
    fast_passwords(settings)
    sample_figures_with_rates()
    editor = api_client("editor")
    before = Investment.objects.count()
    source = Investment.objects.filter(citations__isnull=False).first().citations.first().source
    response = editor.post(
        "/api/v1/investments/",
        {
            "company": "bytedance",
            "title": "Saved while the cache is down",
            "announced_on": "2025-03-01",
            "amount": "1000000000",
            "currency": "USD",
            "qualifier": "approximately",
            "citations": [{"source": source.pk, "quote": "plans to invest", "locator": "p. 1"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert Investment.objects.count() == before + 1


def test_saves_and_publication_succeed_with_redis_stopped_whatever_the_cache_backend(settings):
    """Writes never depend on the cache: even Django's own Redis backend, which raises, cannot stop them."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    editor, reviewer = make_user("Editor", "edith"), make_user("Reviewer", "rita")
    with TestCase.captureOnCommitCallbacks(execute=True):
        figure = investment_create(
            company=CompanyFactory(),
            title="Saved with Redis stopped",
            announced_on=date(2025, 3, 1),
            amount=1,
            currency="USD",
            created_by=editor,
        )
        CitationFactory(investment=figure)
        investment_submit(investment=figure, by=editor)
        investment_publish(investment=figure, by=reviewer)
    figure.refresh_from_db()
    assert figure.state == WorkflowState.PUBLISHED
    assert figure.amount_usd_at_announcement == 1


@pytest.mark.skipif(not django_settings.REDIS_URL, reason="needs a Redis server: set REDIS_URL (CI does)")
def test_the_backend_and_djangos_redis_backend_read_what_the_other_wrote():
    """The project's backend keeps one client; what it stores and answers is what Django's RedisCache does."""
    from django.core.cache.backends.redis import RedisCache

    from config.cache import FailOpenRedisCache

    location = django_settings.CACHES["default"]["LOCATION"]
    ours = FailOpenRedisCache(location, {"KEY_PREFIX": "backend-parity"})
    theirs = RedisCache(location, {"KEY_PREFIX": "backend-parity"})
    ours.delete_many(["a", "b", "c", "d", "n", "z"])

    ours.set("a", {"figures": [1, 2]})
    assert theirs.get("a") == {"figures": [1, 2]}
    theirs.set("n", 5)
    assert ours.incr("n", 2) == 7 and theirs.get("n") == 7
    assert ours.add("a", "other") is False and ours.add("b", "new") is True and theirs.get("b") == "new"
    ours.set_many({"c": 1, "d": [1]}, timeout=60)
    assert theirs.get_many(["c", "d", "missing"]) == {"c": 1, "d": [1]}
    assert ours.get_many(["c", "d", "missing"]) == theirs.get_many(["c", "d", "missing"])
    assert ours.has_key("c") and ours.touch("c", None) and ours.touch("missing") is False
    ours.delete_many(["c", "d"])
    assert theirs.get("c") is None and not ours.has_key("d")
    ours.set("z", "gone", timeout=0)
    assert theirs.get("z", "absent") == "absent"
    assert ours.delete("a") is True and ours.get("a", "absent") == "absent"
    with pytest.raises(ValueError):
        ours.incr("missing")
