"""The editorial personas several capex test modules work with (a module may define its own)."""

import pytest

from capex.tests.fixtures.module_data import module_transaction
from capex.tests.fixtures.personas import make_user


@pytest.fixture
def editor():
    return make_user("Editor", "edith")


@pytest.fixture
def second_editor():
    return make_user("Editor", "eric")


@pytest.fixture
def reviewer():
    return make_user("Reviewer", "rita")


@pytest.fixture
def second_reviewer():
    return make_user("Reviewer", "ravi")


@pytest.fixture
def viewer():
    return make_user("Viewer", "vera")


@pytest.fixture(scope="module")
def sample_figures_for_module(django_db_setup, django_db_blocker):
    """
    The sample figures at bundled ECB rates (personas.sample_figures_with_rates), made once for a
    whole test module instead of once per test: making them is the longest set-up in the suite.
    """
    from capex.tests.personas import sample_figures_with_rates

    with module_transaction(django_db_blocker):
        with django_db_blocker.unblock():
            sample_figures_with_rates()
        yield


@pytest.fixture(scope="module")
def page_figures_for_module(django_db_setup, django_db_blocker) -> dict[str, int]:
    """
    The page tests' sample figures (test_pages_fixtures.sample_figures_load), made once for a
    module; returns their ids by short name, for each test to read its own copies.
    """
    from capex.tests.test_pages_fixtures import sample_figures_load

    with module_transaction(django_db_blocker):
        with django_db_blocker.unblock():
            ids = {name: figure.pk for name, figure in sample_figures_load().items()}
        yield ids
