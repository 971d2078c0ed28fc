"""Browser tests of the filings pages share the capex browser tests' set-up (ORM calls beside Playwright)."""

from capex.tests.browser.conftest import _allow_orm_beside_playwright  # noqa: F401
