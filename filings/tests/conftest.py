import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
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


# The recorded responses, by company, as the companyconcept API serves them.
RECORDED = {
    "1652044": ("PaymentsToAcquirePropertyPlantAndEquipment", "googl-companyconcept-capex.json"),
    "789019": ("PaymentsToAcquirePropertyPlantAndEquipment", "msft-companyconcept-capex.json"),
    "1018724": ("PaymentsToAcquireProductiveAssets", "amzn-companyconcept-capex.json"),
    "1326801": ("PaymentsToAcquirePropertyPlantAndEquipment", "meta-companyconcept-capex.json"),
}


class SecServer:
    """
    The recorded responses on 127.0.0.1 at a free port, at the paths of SEC's companyconcept API
    (`/api/xbrl/companyconcept/CIK##########/us-gaap/TAG.json`); anything else is a 404. Records
    each request's path and User-Agent. No network.
    """

    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []
        self.files = {
            f"/api/xbrl/companyconcept/CIK{int(cik):010d}/us-gaap/{concept}.json": (FIXTURES / name).read_bytes()
            for cik, (concept, name) in RECORDED.items()
        }
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append((self.path, self.headers.get("User-Agent", "")))
                body = server.files.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body if body is not None else b'{"message": "Not found"}')

            def log_message(self, format: str, *args: object) -> None:
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/api/xbrl/"


@pytest.fixture
def sec_server():
    server = SecServer()
    server.thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


def recorded_companies():
    """The four companies whose responses are recorded, each with its CIK, capex concept and fiscal year."""
    from companies.tests.factories import CompanyFactory

    return [
        CompanyFactory(name="Alphabet", slug="alphabet", cik="1652044"),
        CompanyFactory(name="Microsoft", slug="microsoft", cik="789019", fiscal_year_end_month=6),
        CompanyFactory(name="Amazon", slug="amazon", cik="1018724", capex_concept="PaymentsToAcquireProductiveAssets"),
        CompanyFactory(name="Meta", slug="meta", cik="1326801"),
    ]
