"""
The inbox's browser tests run beside Playwright's event loop like capex's: the same session-wide
switch lets the test thread use the ORM (see capex/tests/browser/conftest.py for why).
"""

from capex.tests.browser.conftest import _allow_orm_beside_playwright  # noqa: F401 (a fixture, used by name)
