"""
With Redis down the cache fails open: pages and the API keep answering, throttles let requests
through, and saving a figure completes. The cache points at a port where nothing listens.
"""

import os
import uuid

import pytest
from django.core.cache import caches

from capex.models import Investment
from capex.tests.personas import api_client, fast_passwords, sample_figures_with_rates

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


def test_throttle_counts_fail_open_when_redis_is_down(redis_down):
    assert caches["default"].count("throttle", 60) is None


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis: set REDIS_URL to run this (CI does)")
def test_a_throttle_counter_counts_atomically_and_lives_one_period(settings):
    settings.CACHES = {"default": {"BACKEND": "config.cache.FailOpenRedisCache", "LOCATION": os.environ["REDIS_URL"]}}
    cache = caches["default"]
    key = f"test-counter-{uuid.uuid4().hex}"

    counts = [cache.count(key, 60) for _ in range(3)]

    client = cache._cache.get_client(write=True)
    assert counts == [1, 2, 3]
    assert 0 < client.ttl(cache.make_key(key)) <= 60
    client.delete(cache.make_key(key))


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis: set REDIS_URL to run this (CI does)")
def test_a_throttle_counter_keeps_the_end_of_its_period_and_survives_redis_forgetting_its_script(settings):
    settings.CACHES = {"default": {"BACKEND": "config.cache.FailOpenRedisCache", "LOCATION": os.environ["REDIS_URL"]}}
    cache = caches["default"]
    key = f"test-counter-{uuid.uuid4().hex}"
    client = cache._cache.get_client(write=True)

    assert cache.count(key, 60) == 1
    client.expire(cache.make_key(key), 5)  # the period is nearly over
    assert cache.count(key, 60) == 2
    ttl_after_second_count = client.ttl(cache.make_key(key))
    client.script_flush()  # as after a restart of Redis
    assert cache.count(key, 60) == 3

    assert 0 < ttl_after_second_count <= 5
    client.delete(cache.make_key(key))


def test_a_count_with_reads_fails_open_when_redis_is_down(redis_down):
    assert caches["default"].count_and_get_many("throttle", 60, ["answer"]) == (None, {})


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis: set REDIS_URL to run this (CI does)")
def test_a_count_with_reads_counts_and_returns_what_is_kept(settings):
    settings.CACHES = {"default": {"BACKEND": "config.cache.FailOpenRedisCache", "LOCATION": os.environ["REDIS_URL"]}}
    cache = caches["default"]
    counter, kept, missing = (f"test-{name}-{uuid.uuid4().hex}" for name in ("counter", "kept", "missing"))
    cache.set(kept, (b"body", '"etag"'), 60)
    client = cache._cache.get_client(write=True)

    first = cache.count_and_get_many(counter, 60, [kept, missing])
    client.script_flush()  # as after a restart of Redis
    second = cache.count_and_get_many(counter, 60, [missing, kept])

    assert first == (1, {kept: (b"body", '"etag"')})
    assert second == (2, {kept: (b"body", '"etag"')})
    assert 0 < client.ttl(cache.make_key(counter)) <= 60
    client.delete(cache.make_key(counter), cache.make_key(kept))
