"""
API clients for the five personas of the permission tests: anonymous, viewer, editor,
reviewer and admin. People come from the editorial groups (capex/tests/fixtures/personas.py);
each signed-in client carries a real API token, so authentication runs as in production.

Also the sample figures with real ECB rates loaded and their USD conversions computed, for
tests that assert totals in US dollars.
"""

import functools
from datetime import date

from django.core.cache import cache
from knox.models import AuthToken
from rest_framework.test import APIClient

from capex.conversions import conversions_recompute
from capex.sample_data import sample_data_load
from capex.tests.fixtures.personas import make_user
from currencies.choices import RateProvider
from currencies.parsers import RateRow
from currencies.providers import get_provider
from currencies.services import rates_store
from sources.models import Source

PERSONAS = ("anonymous", "viewer", "editor", "reviewer", "admin")
SIGNED_IN = PERSONAS[1:]

# The bundled ECB history around the sample figures' announcement dates, and a little after.
RATES_FROM = date(2024, 12, 1)
RATES_TO = date(2025, 6, 30)


def api_client(persona: str) -> APIClient:
    """A client for the persona; signed-in ones send `Authorization: Token ...`."""
    client = APIClient()
    client.user = None
    if persona == "anonymous":
        return client
    user = make_user(persona.capitalize())
    _, token = AuthToken.objects.create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    client.user = user
    return client


def throttles_reset() -> None:
    """Throttle counters live in the cache; each test starts with a clean slate."""
    cache.clear()


def fast_passwords(settings) -> None:
    """Personas are made in most API tests; a deliberately slow password hash would dominate them."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@functools.cache
def bundled_rates() -> tuple[RateRow, ...]:
    """The bundled ECB rates of USD and CNY around the sample dates, read from the file once per run."""
    rows = get_provider(RateProvider.ECB_BUNDLED).fetch(RATES_FROM, RATES_TO)
    return tuple(row for row in rows if row.currency in {"USD", "CNY"})


def sample_figures_with_rates() -> None:
    """The sample data, converted to USD at the bundled ECB rates of its dates."""
    sample_data_load()
    rates_store(provider=RateProvider.ECB_BUNDLED, rows=bundled_rates())
    conversions_recompute()


def new_figure(**overrides) -> dict:
    """A valid figure to POST to the investments API, citing the sample seed article."""
    source = Source.objects.get(title__startswith="ByteDance's $12 Billion")
    payload = {
        "company": "bytedance",
        "title": "Data centre in Malaysia",
        "announced_on": "2025-03-01",
        "amount": "2100000000",
        "currency": "USD",
        "qualifier": "approximately",
        "scope": "overseas",
        "target_countries": ["MY"],
        "category": "data_centres",
        "chip_vendors": ["nvidia"],
        "citations": [{"source": source.pk, "quote": "ByteDance plans to invest", "locator": "paragraph 4"}],
    }
    payload.update(overrides)
    return payload
