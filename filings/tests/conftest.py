import json
from pathlib import Path

import pytest

from filings.edgar import EdgarClient

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def fixture_json(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


class FakeTransport:
    """Serves queued (status, body) answers and records every request; no network."""

    def __init__(self, *answers: tuple[int, bytes]) -> None:
        self.answers = list(answers)
        self.requests: list[tuple[str, dict]] = []

    def __call__(self, url, headers, timeout):
        self.requests.append((url, dict(headers)))
        status, body = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        return status, body, {}


def ok(name: str) -> tuple[int, bytes]:
    return 200, (FIXTURES / name).read_bytes()


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def make_client(sleeps):
    def build(transport) -> EdgarClient:
        return EdgarClient(
            transport=transport,
            user_agent="AI Capex Tracker test@example.com",
            base_url="https://edgar.test/api/xbrl/",
            sleep=sleeps.append,
            clock=lambda: 0.0,
        )

    return build
