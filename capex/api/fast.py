"""
The investments list without DRF's field machinery.

A list page of 50 figures through `InvestmentSerializer` builds and deep-copies a
ConversionSerializer twice and a PeriodSerializer once per row, reverses five to ten URLs per
row and walks ~40 fields through `get_attribute`: at a million figures that Python, not
the database, was most of the request (see BENCHMARKS.md). `investment_rows` produces the
same dicts from the same prefetched instances with plain attribute reads, module-level
field instances for the formatting (so decimals, dates and datetimes are rendered exactly as
DRF renders them), and URL templates reversed once per request.
`capex/tests/test_performance_queries.py` checks that its output equals the serializer's.
"""

from django.urls import reverse
from rest_framework import serializers

from capex.api.serializers import InvestmentSerializer
from capex.models import MONEY

_MONEY = serializers.DecimalField(max_digits=MONEY["max_digits"], decimal_places=MONEY["decimal_places"])
_RATE = serializers.DecimalField(max_digits=24, decimal_places=12)
_DATE = serializers.DateField()
_DATETIME = serializers.DateTimeField()
_PK_MARK = "987654321987654321"
_SLUG_MARK = "slug-mark-0d9f8e"
_NOT_CONVERTED_YET = "Not converted yet: the conversion runs after the figure is saved."


def _opt(field, value):
    return None if value is None else field.to_representation(value)


class _Urls:
    """Absolute URLs from templates reversed once: `reverse()` per row was a tenth of a list request."""

    def __init__(self, request):
        root = request.build_absolute_uri("/")[:-1] if request is not None else ""
        self.investment_api = root + reverse("api:investment-detail", kwargs={"pk": _PK_MARK})
        self.investment_web = root + reverse("capex:investment-detail", kwargs={"pk": _PK_MARK})
        self.company_api = root + reverse("api:company-detail", kwargs={"slug": _SLUG_MARK})
        self.source_api = root + reverse("api:source-detail", kwargs={"pk": _PK_MARK})

    @staticmethod
    def fill(template: str, mark: str, value) -> str:
        return template.replace(mark, str(value))


def _company(company, urls: _Urls) -> dict:
    return {
        "slug": company.slug,
        "name": company.name,
        "api_url": urls.fill(urls.company_api, _SLUG_MARK, company.slug),
    }


def _conversion(investment, suffix: str) -> dict:
    amount = getattr(investment, f"amount_usd_{suffix}")
    note = getattr(investment, f"fx_note_{suffix}")
    return {
        "amount_usd": _opt(_MONEY, amount),
        "amount_high_usd": _opt(_MONEY, getattr(investment, f"amount_high_usd_{suffix}")),
        "rate": _opt(_RATE, getattr(investment, f"fx_rate_{suffix}")),
        "rate_date": _opt(_DATE, getattr(investment, f"fx_date_{suffix}")),
        "provider": getattr(investment, f"fx_provider_{suffix}") or None,
        "not_converted_reason": (note or _NOT_CONVERTED_YET) if amount is None else None,
    }


def _citation(citation, urls: _Urls) -> dict:
    source = citation.source
    publisher = source.publisher
    return {
        "id": citation.pk,
        "source": {
            "id": source.pk,
            "title": source.title,
            "url": source.url,
            "publisher": None if publisher is None else publisher.name,
            "published_on": _opt(_DATE, source.published_on),
            "api_url": urls.fill(urls.source_api, _PK_MARK, source.pk),
        },
        "quote": citation.quote,
        "locator": citation.locator,
    }


def _related(investment, prefetched: str, relation: str):
    """The prefetched list when the viewset loaded one (`to_attr`), else the relation itself."""
    found = getattr(investment, prefetched, None)
    return found if found is not None else getattr(investment, relation).all()


def investment_rows(investments, *, context: dict) -> list[dict]:
    """
    `InvestmentSerializer(investments, many=True).data` for instances loaded by the viewset's
    `_with_related` (company, revision, partners, vendors, components and citations prefetched).
    """
    serializer = InvestmentSerializer(context=context)
    urls = _Urls(context.get("request"))
    rows = []
    for investment in investments:
        pk = investment.pk
        rows.append(
            {
                "id": pk,
                "api_url": urls.fill(urls.investment_api, _PK_MARK, pk),
                "web_url": urls.fill(urls.investment_web, _PK_MARK, pk),
                "company": _company(investment.company, urls),
                "partners": [_company(partner, urls) for partner in _related(investment, "partner_list", "partners")],
                "title": investment.title,
                "description": investment.description,
                "announced_on": _DATE.to_representation(investment.announced_on),
                "period": {
                    "start": _opt(_DATE, investment.period_start),
                    "end": _opt(_DATE, investment.period_end),
                    "label": investment.period_label,
                },
                "amount": _MONEY.to_representation(investment.amount),
                "amount_high": _opt(_MONEY, investment.amount_high),
                "qualifier": investment.qualifier,
                "currency": investment.currency,
                "usd_at_announcement": _conversion(investment, "at_announcement"),
                "usd_latest": _conversion(investment, "latest"),
                "scope": investment.scope,
                "target_countries": serializer.get_target_countries(investment),
                "category": investment.category,
                "workload": investment.workload,
                "chip_vendors": [
                    _company(vendor, urls) for vendor in _related(investment, "vendor_list", "chip_vendors")
                ],
                "evidence": investment.evidence,
                "disputed": bool(investment.disputed),
                "dispute_note": investment.dispute_note,
                "status": investment.status,
                "state": investment.state,
                "parent": investment.parent_id,
                "components": serializer.get_components(investment),
                "supersedes": investment.supersedes_id,
                "superseded_by": serializer.get_superseded_by(investment),
                "citations": [
                    _citation(citation, urls) for citation in _related(investment, "citation_list", "citations")
                ],
                "published_at": _opt(_DATETIME, investment.published_at),
                "updated_at": _opt(_DATETIME, investment.updated_at),
            }
        )
    return rows
