"""The editorial personas several capex test modules work with (a module may define its own)."""

import pytest

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

    They live in a transaction opened before the module's first test and rolled back after its
    last; each test runs inside it in a savepoint of its own (pytest-django's `db`), so what a
    test changes is undone for the next, as before. Only for modules where every database test
    may see the sample figures: once made, they are there for the module's other tests too.
    """
    from contextlib import ExitStack

    from django.db import transaction

    from capex.tests.personas import sample_figures_with_rates

    module_transaction = ExitStack()
    with django_db_blocker.unblock():
        module_transaction.enter_context(transaction.atomic())
        sample_figures_with_rates()
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        module_transaction.close()
