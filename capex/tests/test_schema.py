"""
The OpenAPI schema of the API, and Schemathesis run over all of it with every check.
"""

from base64 import b64encode
from decimal import Decimal

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from capex.choices import Qualifier, Scope
from capex.conversions import conversions_recompute
from capex.tests.factories import InvestmentFactory, PublishedInvestmentFactory
from capex.tests.fixtures.module_data import module_transaction
from capex.tests.personas import bundled_rates, throttles_reset
from companies.tests.factories import ChipVendorFactory, CompanyFactory
from config.wsgi import application
from currencies.choices import RateProvider
from currencies.services import rates_store
from sources.tests.factories import PublisherFactory, SourceFactory


def _cursor(position: str) -> str:
    return b64encode(position.encode()).decode()


ISSUED_CURSORS = {_cursor("o=1"), _cursor("o=2&r=1"), _cursor("r=1")}

# Filters that name records (a company slug, a publisher) answer 400 for a name that does not
# exist, and a cursor is an opaque token the API issues. No schema can list what exists, so
# schema-valid requests draw these from the names the sample data holds and from cursors valid
# for any list (offsets and direction); negative cases are generated as usual.
KNOWN_VALUES = {
    "cursor": ISSUED_CURSORS,
    "company": {"bytedance", "meta"},
    "vendor": {"nvidia", "huawei", "cambricon"},
    "publisher": {"Financial Times"},
}
# The writes are sent without credentials, so every one is answered 401 or 403 before its body
# is read: the coverage phase's thousands of body variants (37% of all requests) would test that
# refusal alone. Writes keep the examples and fuzzing phases, which check the refusal against the
# schema; how the API validates a body is tested by the API and bad-input tests with credentials.
WRITES = ["POST", "PUT", "PATCH", "DELETE"]
SCHEMATHESIS_CONFIG = schemathesis.Config.from_dict(
    {
        "dictionaries": {name: {"values": sorted(values)} for name, values in KNOWN_VALUES.items()},
        "parameters": {f"query.{name}": {"dictionary": name} for name in KNOWN_VALUES},
        "operations": [{"include-method": WRITES, "phases": {"coverage": {"enabled": False}}}],
    }
)
schema = schemathesis.openapi.from_wsgi("/api/schema/", application, config=SCHEMATHESIS_CONFIG)


@schema.hook
def filter_case(context, case):
    """
    Schema-valid cases that name records keep to the known values (the coverage phase draws its
    own boundary values, such as "0"); unknown names and malformed cursors, answered 400, are
    covered by the filter and pagination tests.
    """
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return True
    query = case.query or {}
    for name, known in KNOWN_VALUES.items():
        value = query.get(name)
        values = value if isinstance(value, list) else [value]
        if any(item not in known for item in values if item not in (None, "")):
            return False
    return True


@pytest.fixture(scope="module")
def api_data(django_db_setup, django_db_blocker):
    """
    A small data set of every shape the API shows (a headline with components in two
    currencies, chip vendors, citations, a revision, a draft) converted to USD, made once for
    the module's 34 operations. Factories, not the full sample data, keep it short.
    """
    with module_transaction(django_db_blocker):
        with django_db_blocker.unblock():
            api_data_make()
        yield


def api_data_make() -> None:
    rates_store(provider=RateProvider.ECB_BUNDLED, rows=bundled_rates())
    vendors = [ChipVendorFactory(name=name, slug=name.lower()) for name in ("Nvidia", "Huawei", "Cambricon")]
    publisher = PublisherFactory(name="Financial Times")
    source = SourceFactory(publisher=publisher)
    headline = PublishedInvestmentFactory(
        company=CompanyFactory(name="ByteDance", slug="bytedance", country="CN"),
        amount=Decimal("12e9"),
        qualifier=Qualifier.AT_LEAST,
        citation__source=source,
    )
    chips = PublishedInvestmentFactory(
        company=headline.company, parent=headline, amount=Decimal("40e9"), currency="CNY", scope=Scope.DOMESTIC
    )
    chips.chip_vendors.set(vendors)
    PublishedInvestmentFactory(company=headline.company, parent=headline, amount=Decimal("6.8e9"), scope=Scope.OVERSEAS)
    meta = CompanyFactory(name="Meta", slug="meta")
    earlier = PublishedInvestmentFactory(
        company=meta, qualifier=Qualifier.RANGE, amount=Decimal("60e9"), amount_high=Decimal("65e9")
    )
    PublishedInvestmentFactory(
        company=meta, supersedes=earlier, qualifier=Qualifier.RANGE, amount=Decimal("64e9"), amount_high=Decimal("72e9")
    )
    InvestmentFactory(company=meta, title="A draft nobody outside staff sees")
    conversions_recompute()


@pytest.fixture
def sample_api(api_data, db, settings):
    """
    The module's data and no throttling: Schemathesis sends many requests. Schemathesis calls
    the WSGI application itself, not Django's test client: Django is kept from closing the
    test's database connection after each request, as the test client does.
    """
    rates = dict.fromkeys(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"])
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    throttles_reset()
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@hypothesis_settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_answers_as_its_schema_says(case, sample_api):
    case.call_and_validate()


# --- The schema and its documentation pages ----------------------------------------------


@pytest.fixture
def openapi(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def _undescribed_properties(name: str, schema: dict, trail: str = "") -> list[str]:
    missing = []
    for prop, sub in schema.get("properties", {}).items():
        if not sub.get("description") and "$ref" not in sub:
            missing.append(f"{name}.{trail}{prop}")
        missing += _undescribed_properties(name, sub, f"{trail}{prop}.")
    if isinstance(schema.get("items"), dict):
        missing += _undescribed_properties(name, schema["items"], f"{trail}[].")
    return missing


def test_the_schema_is_openapi_3_and_valid(openapi):
    from drf_spectacular.validation import validate_schema

    assert openapi["openapi"].startswith("3.")
    validate_schema(openapi)
    assert {"/api/v1/investments/", "/api/v1/stats/", "/api/v1/exchange-rates/", "/api/v1/rate-refreshes/"} <= set(
        openapi["paths"]
    )


def test_every_operation_parameter_and_field_is_described(openapi):
    undescribed = [
        f"{method.upper()} {path} {parameter['name']}"
        for path, operations in openapi["paths"].items()
        for method, operation in operations.items()
        for parameter in operation.get("parameters", [])
        if not parameter.get("description")
    ]
    undescribed += [
        f"{method.upper()} {path}"
        for path, operations in openapi["paths"].items()
        for method, operation in operations.items()
        if not (operation.get("description") or operation.get("summary"))
    ]
    for name, component in openapi["components"]["schemas"].items():
        undescribed += _undescribed_properties(name, component)

    assert undescribed == []


def test_errors_are_documented_for_every_operation(openapi):
    for operations in openapi["paths"].values():
        for operation in operations.values():
            assert {"400", "401", "403", "404", "429"} <= set(operation["responses"])


@pytest.mark.parametrize("url", ["/api/docs/", "/api/docs/redoc/"])
def test_the_documentation_pages_load_their_scripts_from_this_site(db, client, url):
    response = client.get(url)

    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in page
    assert "cdn." not in page
    assert "https://" not in page.split("<body")[0]
