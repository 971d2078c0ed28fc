"""
Browser tests share the root conftest's Chromium (`browser`, `page`, `screenshot`).

Playwright's sync API keeps an event loop running in the test thread for as long as the
session-wide browser is open, and Django refuses ORM calls from a thread with a running loop
(SynchronousOnlyOperation). The tests and the live server's data set-up are plain synchronous
code, so the check is switched off from the first browser test to the end of the session.
"""

import os

import pytest


@pytest.fixture(scope="session", autouse=True)
def _allow_orm_beside_playwright():
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous
