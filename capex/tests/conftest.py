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
