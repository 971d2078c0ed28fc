"""
How money reads on the pages: a figure as stated ("more than $12bn", "about RMB 40bn",
"$60–65bn") and its USD conversions ("$5.49bn", or "not converted" with the reason, never 0).

The functions are plain Python so views (the "cite this" text) and templates share them.
"""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.html import format_html

from capex.choices import FxBasis, Measure, Qualifier
from capex.selectors import Measures
from currencies.choices import RateProvider

register = template.Library()

THOUSAND = Decimal(1000)
SCALES = (
    (Decimal(10**12), "trn"),
    (Decimal(10**9), "bn"),
    (Decimal(10**6), "m"),
)
# Sources speak of renminbi as RMB; every other currency keeps its sign or ISO code.
CURRENCY_PREFIX = {"USD": "$", "EUR": "€", "GBP": "£", "CNY": "RMB "}
QUALIFIER_WORDS = {
    Qualifier.EXACT: "",
    Qualifier.APPROXIMATELY: "about",
    Qualifier.AT_LEAST: "more than",
    Qualifier.UP_TO: "up to",
    Qualifier.RANGE: "",
}
PROVIDER_LABELS = dict(RateProvider.choices)


def _scale_of(value: Decimal) -> tuple[Decimal, str]:
    for size, unit in SCALES:
        if abs(value) >= size:
            return size, unit
    return Decimal(1), ""


def _stated_number(value: Decimal) -> str:
    """As few digits as the figure was stated with: 12, 6.8, 0.125 (at most three decimals)."""
    text = f"{value.quantize(Decimal('0.001'), rounding=ROUND_HALF_UP):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return _group_thousands(text)


def _three_significant(value: Decimal) -> str:
    """Converted figures carry three significant digits: 12.3, 5.49, 80.0, 500."""
    if value == 0:
        return "0"
    magnitude = abs(value)
    places = 2 if magnitude < 10 else 1 if magnitude < 100 else 0
    text = f"{value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):f}"
    return _group_thousands(text)


def _group_thousands(text: str) -> str:
    whole, _, fraction = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    whole = whole.lstrip("-")
    grouped = f"{int(whole):,}"
    return f"{sign}{grouped}.{fraction}" if fraction else f"{sign}{grouped}"


def money_text(value: Decimal, currency: str = "USD", *, high: Decimal | None = None, stated: bool = False) -> str:
    """
    "$12bn" / "RMB 40bn" / "$60–65bn" (stated=True keeps the stated digits) or
    "$5.49bn" / "$64.0–72.0bn" (three significant digits for computed values).
    A range is written in the unit of its high end.
    """
    prefix = CURRENCY_PREFIX.get(currency, f"{currency} ")
    number = _stated_number if stated else _three_significant
    size, unit = _scale_of(high if high is not None else value)
    if high is not None and high != value:
        return f"{prefix}{number(value / size)}–{number(high / size)}{unit}"
    return f"{prefix}{number(value / size)}{unit}"


def qualified(text: str, qualifier: str) -> str:
    words = QUALIFIER_WORDS.get(qualifier, "")
    return f"{words} {text}" if words else text


def stated_amount_text(investment) -> str:
    """The figure as the source states it, in its own currency: "more than $12bn"."""
    high = investment.amount_high if investment.qualifier == Qualifier.RANGE else None
    return qualified(money_text(investment.amount, investment.currency, high=high, stated=True), investment.qualifier)


def _basis_fields(basis: str) -> dict[str, str]:
    if basis == FxBasis.LATEST:
        return {
            "low": "amount_usd_latest",
            "high": "amount_high_usd_latest",
            "rate": "fx_rate_latest",
            "date": "fx_date_latest",
            "provider": "fx_provider_latest",
            "note": "fx_note_latest",
        }
    return {
        "low": "amount_usd_at_announcement",
        "high": "amount_high_usd_at_announcement",
        "rate": "fx_rate_at_announcement",
        "date": "fx_date_at_announcement",
        "provider": "fx_provider_at_announcement",
        "note": "fx_note_at_announcement",
    }


def usd_amount_text(investment, basis: str = FxBasis.ANNOUNCEMENT) -> str | None:
    """The USD value on a basis with the figure's qualifier ("about $5.49bn"), or None when not converted."""
    fields = _basis_fields(basis)
    low = getattr(investment, fields["low"])
    if low is None:
        return None
    high = getattr(investment, fields["high"]) if investment.qualifier == Qualifier.RANGE else None
    return qualified(money_text(low, "USD", high=high), investment.qualifier)


def not_converted_reason(investment, basis: str = FxBasis.ANNOUNCEMENT) -> str:
    note = getattr(investment, _basis_fields(basis)["note"])
    return note or "no exchange rate has been applied yet"


@register.filter
def stated_amount(investment) -> str:
    return stated_amount_text(investment)


@register.simple_tag
def usd_amount(investment, basis: str = FxBasis.ANNOUNCEMENT) -> str:
    """A USD value for templates: the amount, or "not converted" with its reason, never 0."""
    text = usd_amount_text(investment, basis)
    if text is None:
        return format_html(
            '<span class="not-converted">not converted <span class="reason">({})</span></span>',
            not_converted_reason(investment, basis),
        )
    return text


@register.simple_tag
def conversion(investment, basis: str = FxBasis.ANNOUNCEMENT) -> dict:
    """The parts of one USD conversion, for the investment page's table."""
    fields = _basis_fields(basis)
    provider = getattr(investment, fields["provider"])
    return {
        "text": usd_amount_text(investment, basis),
        "rate": getattr(investment, fields["rate"]),
        "date": getattr(investment, fields["date"]),
        "provider": PROVIDER_LABELS.get(provider, provider),
        "note": getattr(investment, fields["note"]),
        "reason": not_converted_reason(investment, basis),
    }


@register.filter
def usd(value) -> str:
    """A computed USD value ("$12.3bn"); an em dash where there is none."""
    if value is None or value == "":
        return "—"
    return money_text(Decimal(value), "USD")


@register.filter
def usd_measures(measures: Measures | None) -> str:
    """A total: its point value, with its low–high span where a range makes them differ."""
    if measures is None:
        return "—"
    point = money_text(measures.point, "USD")
    if measures.low != measures.high:
        return f"{point} (range {money_text(measures.low, 'USD', high=measures.high)})"
    return point


@register.filter
def usd_point(measures: Measures | None) -> str:
    """A total's point value alone ("$68.0bn"); pair it with `usd_span` for its range."""
    return "—" if measures is None else money_text(measures.point, "USD")


@register.filter
def usd_span(measures: Measures | None) -> str:
    """ "range $64.0–72.0bn" where a total's low and high differ, else nothing."""
    if measures is None or measures.low == measures.high:
        return ""
    return f"range {money_text(measures.low, 'USD', high=measures.high)}"


@register.filter
def measure_label(measure: str | None) -> str:
    """ "Total capital expenditure" for "total_capex"."""
    return dict(Measure.choices).get(measure or "", "Totals")


@register.filter
def usd_total(total) -> str:
    """
    A total as a researcher should read it, from a Bucket, a Breakdown or a YearCard: "at least
    $12.3bn (1 open-ended figure)" when any of its figures says "at least", else its point value
    with its range where the low and high values differ.
    """
    if total is None:
        return "—"
    measures = getattr(total, "measures", None) or getattr(total, "total", None)
    if measures is None:
        return "—"
    open_figures = getattr(total, "open_figures", 0) or 0
    if open_figures:
        figures = "figure" if open_figures == 1 else "figures"
        return f"at least {money_text(measures.low, 'USD')} ({open_figures} open-ended {figures})"
    return usd_measures(measures)


@register.filter
def share(part, whole) -> str:
    """A part as a percentage of a whole: "45%" or "4.5%" below ten; an em dash for an empty whole."""
    if part is None or not whole:
        return "—"
    percent = Decimal(part) * 100 / Decimal(whole)
    places = Decimal("0.1") if percent < 10 else Decimal(1)
    return f"{percent.quantize(places, rounding=ROUND_HALF_UP)}%"


@register.filter
def fx_rate(rate) -> str:
    """A rate in USD per unit, to six significant digits (0.137282, 0.000690123)."""
    if rate is None:
        return "—"
    return format(Decimal(rate).normalize(), ".6g")
