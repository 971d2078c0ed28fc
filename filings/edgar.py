"""
SEC EDGAR's XBRL JSON API: fetching (with an injected transport) and reading capital expenditure.

`parse_capex_facts` is pure: it takes a companyconcept or companyfacts document and returns the
rows to store. Cash-flow values in 10-Qs are year to date, so only Q1 (three months) and the full
year are filed as such; Q2 and Q3 are the difference of two year-to-date values and Q4 is the
10-K's year less the nine months. `fy`/`fp` in a fact describe the filing, not the period (the
same period comes back in later filings as a comparative), so periods are placed in fiscal years
and quarters from their dates and the company's fiscal year end.

`EdgarClient` does the HTTP: the fair-access User-Agent, a pause between requests that keeps
under the SEC's 10 a second, and retries with exponential backoff on 429 and 5xx answers. The
transport and the sleep are injected, so tests serve recorded responses without waiting.
"""

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import requests

ALLOWED_FORMS = {"10-Q", "10-K", "20-F", "6-K"}
# No company has spent a trillion in one period; a value above it is a unit or parsing error.
ABSURD_AMOUNT = Decimal("1000000000000")
# A 52/53-week fiscal year can end a few days into the next month (Apple's 2022 year ended on
# October 1st): periods are placed by their end date less this margin.
FISCAL_END_SLACK = timedelta(days=7)


class EdgarError(Exception):
    """Anything that stops one company's import; the message is what the run log and admin show."""


class EdgarNotFound(EdgarError):
    pass


@dataclass(frozen=True)
class Fact:
    start: date
    end: date
    value: Decimal
    accession: str
    form: str
    filed: date

    @property
    def quarters(self) -> int:
        """How many quarters the period spans (1 for three months, 4 for a year)."""
        return round(((self.end - self.start).days + 1) / 91.3)


@dataclass(frozen=True)
class ReportedRow:
    fiscal_year: int
    fiscal_quarter: int | None
    period_start: date
    period_end: date
    amount: Decimal
    currency: str
    concept: str
    form: str
    accession_number: str
    filed_on: date
    derived: bool


def fiscal_position(end: date, fiscal_year_end_month: int) -> tuple[int, int]:
    """The fiscal year and quarter (1-4) a period ending on `end` closes, for a fiscal year ending in that month."""
    anchor = end - FISCAL_END_SLACK
    year = anchor.year if anchor.month <= fiscal_year_end_month else anchor.year + 1
    first_month = fiscal_year_end_month % 12 + 1
    months_in = (anchor.month - first_month) % 12
    return year, months_in // 3 + 1


def concept_units(document: Any, concept: str) -> tuple[str, list[dict]]:
    """The currency and fact list of `concept` in a companyconcept or companyfacts document."""
    if not isinstance(document, dict):
        raise EdgarError("The response is not a JSON object.")
    if "facts" in document:
        node = (document.get("facts") or {}).get("us-gaap", {}).get(concept)
    elif document.get("tag") == concept:
        node = document
    else:
        node = None
    if not isinstance(node, dict) or not isinstance(node.get("units"), dict) or not node["units"]:
        name = document.get("entityName") or f"CIK {document.get('cik', '?')}"
        raise EdgarError(f"{name} files no us-gaap:{concept}; choose the company's capex concept in the admin.")
    units = node["units"]
    currency = "USD" if "USD" in units else next(iter(units))
    if len(currency) != 3 or not isinstance(units[currency], list):
        raise EdgarError(f"us-gaap:{concept} is filed in {currency!r}, not a currency.")
    return currency, units[currency]


def read_fact(raw: Any, concept: str) -> Fact | None:
    """One fact, checked; None for forms and shapes that do not carry a period's cash flow."""
    if not isinstance(raw, dict) or raw.get("form") not in ALLOWED_FORMS or "start" not in raw:
        return None
    try:
        fact = Fact(
            start=date.fromisoformat(raw["start"]),
            end=date.fromisoformat(raw["end"]),
            value=Decimal(str(raw["val"])),
            accession=str(raw["accn"]),
            form=raw["form"],
            filed=date.fromisoformat(raw["filed"]),
        )
    except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
        raise EdgarError(f"A us-gaap:{concept} fact is malformed ({exc!r}): {raw!r}") from None
    if not fact.value.is_finite() or fact.value < 0:
        raise EdgarError(
            f"us-gaap:{concept} has a negative value {raw['val']} for {fact.start}..{fact.end} ({fact.accession})."
        )
    if fact.value >= ABSURD_AMOUNT:
        raise EdgarError(
            f"us-gaap:{concept} has an absurd value {raw['val']} for {fact.start}..{fact.end} ({fact.accession})."
        )
    return fact


def parse_capex_facts(document: Any, *, concept: str, fiscal_year_end_month: int) -> list[ReportedRow]:
    """
    Every filed single-quarter and full-year value (each filing's, restatements included) and
    the quarters derived from the latest filed year-to-date values.
    """
    currency, raw_facts = concept_units(document, concept)
    facts = [fact for raw in raw_facts if (fact := read_fact(raw, concept)) is not None]
    rows: dict[tuple, ReportedRow] = {}

    def add(fact: Fact, start: date, amount: Decimal, quarter: int | None, year: int, derived: bool) -> None:
        row = ReportedRow(
            fiscal_year=year,
            fiscal_quarter=quarter,
            period_start=start,
            period_end=fact.end,
            amount=amount,
            currency=currency,
            concept=concept,
            form=fact.form,
            accession_number=fact.accession,
            filed_on=fact.filed,
            derived=derived,
        )
        rows[(row.period_start, row.period_end, row.accession_number)] = row

    # The latest filed value of each period, and each fiscal year's year-to-date values by quarter.
    latest: dict[tuple[date, date], Fact] = {}
    for fact in facts:
        key = (fact.start, fact.end)
        if key not in latest or (fact.filed, fact.accession) > (latest[key].filed, latest[key].accession):
            latest[key] = fact
    year_to_date: dict[int, dict[int, Fact]] = {}
    for fact in latest.values():
        year, quarter = fiscal_position(fact.end, fiscal_year_end_month)
        if fact.quarters == quarter:  # starts with the fiscal year
            year_to_date.setdefault(year, {})[quarter] = fact

    for fact in facts:
        year, quarter = fiscal_position(fact.end, fiscal_year_end_month)
        if fact.quarters == 1:
            add(fact, fact.start, fact.value, quarter, year, derived=False)
        elif fact.quarters == 4 and quarter == 4:
            add(fact, fact.start, fact.value, None, year, derived=False)

    filed_quarters = {(r.fiscal_year, r.fiscal_quarter) for r in rows.values() if not r.derived}
    for year, by_quarter in year_to_date.items():
        for quarter in (2, 3, 4):
            if (year, quarter) in filed_quarters or quarter not in by_quarter or quarter - 1 not in by_quarter:
                continue
            to_date, before = by_quarter[quarter], by_quarter[quarter - 1]
            amount = to_date.value - before.value
            if amount < 0:
                raise EdgarError(
                    f"FY{year} Q{quarter} comes out negative ({amount}): the year-to-date values of "
                    f"{before.accession} and {to_date.accession} do not add up."
                )
            add(to_date, before.end + timedelta(days=1), amount, quarter, year, derived=True)
    return sorted(rows.values(), key=lambda r: (r.period_end, r.fiscal_quarter or 5, r.filed_on, r.accession_number))


def edgar_filing_url(cik: str | int, accession: str) -> str:
    """The filing's index page on EDGAR."""
    return f"https://www.sec.gov/Archives/edgar/data/{int(cik)}/{accession.replace('-', '')}/{accession}-index.htm"


# A transport takes (url, headers, timeout) and returns (HTTP status, body bytes, headers).
Transport = Callable[[str, dict[str, str], tuple[float, float]], tuple[int, bytes, dict[str, str]]]


def requests_transport(url: str, headers: dict[str, str], timeout: tuple[float, float]) -> tuple[int, bytes, dict]:
    response = requests.get(url, headers=headers, timeout=timeout)
    return response.status_code, response.content, dict(response.headers)


class EdgarClient:
    """GET JSON from EDGAR politely: fair-access User-Agent, paced requests, backoff on 429 and 5xx."""

    def __init__(
        self,
        *,
        transport: Transport,
        user_agent: str,
        base_url: str,
        timeout: tuple[float, float] = (5.0, 30.0),
        max_per_second: float = 8.0,
        retries: int = 4,
        backoff: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if "@" not in user_agent:
            raise EdgarError("SEC_USER_AGENT must name the organisation and a contact e-mail address.")
        self.transport = transport
        self.user_agent = user_agent
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.timeout = timeout
        self.interval = 1.0 / min(max_per_second, 10.0)
        self.retries = retries
        self.backoff = backoff
        self.sleep = sleep
        self.clock = clock
        self._last_request: float | None = None

    def concept_url(self, cik: str, concept: str) -> str:
        return f"{self.base_url}companyconcept/CIK{int(cik):010d}/us-gaap/{concept}.json"

    def _pace(self) -> None:
        if self._last_request is not None:
            wait = self.interval - (self.clock() - self._last_request)
            if wait > 0:
                self.sleep(wait)
        self._last_request = self.clock()

    def get_json(self, url: str) -> Any:
        headers = {"User-Agent": self.user_agent, "Accept": "application/json"}
        for attempt in range(self.retries + 1):
            self._pace()
            try:
                status, body, response_headers = self.transport(url, headers, self.timeout)
            except requests.RequestException as exc:
                status, body, response_headers, failure = None, b"", {}, f"{type(exc).__name__}: {exc}"
            else:
                failure = f"HTTP {status}"
            if status == 200:
                try:
                    return json.loads(body)
                except ValueError as exc:
                    raise EdgarError(f"{url} returned malformed JSON ({exc}).") from None
            if status == 404:
                raise EdgarNotFound(f"{url} returned 404: no such CIK or the company files no such concept.")
            if status is not None and status != 429 and status < 500:
                raise EdgarError(f"{url} returned HTTP {status}.")
            if attempt < self.retries:
                retry_after = (response_headers or {}).get("Retry-After", "")
                delay = float(retry_after) if retry_after.isdigit() else self.backoff * 2**attempt
                self.sleep(delay)
        raise EdgarError(f"{url} failed {self.retries + 1} times, last with {failure}; gave up.")
