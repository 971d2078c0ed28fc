"""The columns of figures in CSV pages, CSV exports and JSON Lines exports."""

from collections import defaultdict

from django.urls import reverse

from capex.models import Citation, Investment
from config.api.export import Column, ExportSpec

CONVERSION_FIELDS = ("amount_usd", "amount_high_usd", "fx_rate", "fx_date", "fx_provider", "fx_note")


def _countries(row: dict, extras: dict) -> list[str]:
    value = row["target_countries"]
    if isinstance(value, str):
        return [code for code in value.split(",") if code]
    return [getattr(country, "code", str(country)) for country in value or []]


def _many(key: str):
    return lambda row, extras: extras[key].get(row["id"], [])


def _one(key: str):
    return lambda row, extras: extras[key].get(row["id"])


def _enrich(batch: list[dict], request) -> dict:
    """The many-valued columns of a batch of figures: a fixed number of queries per batch."""
    ids = [row["id"] for row in batch]
    user = getattr(request, "user", None)
    visible = Investment.objects.visible_to(user) if user is not None else Investment.objects.published()
    extras: dict[str, dict] = {
        key: defaultdict(list)
        for key in (
            "chip_vendors",
            "partners",
            "components",
            "citation_sources",
            "citation_urls",
            "citation_publishers",
            "citation_quotes",
        )
    }
    for investment_id, slug in (
        Investment.chip_vendors.through.objects.filter(investment_id__in=ids)
        .order_by("company__name")
        .values_list("investment_id", "company__slug")
    ):
        extras["chip_vendors"][investment_id].append(slug)
    for investment_id, slug in (
        Investment.partners.through.objects.filter(investment_id__in=ids)
        .order_by("company__name")
        .values_list("investment_id", "company__slug")
    ):
        extras["partners"][investment_id].append(slug)
    for parent_id, pk in visible.filter(parent_id__in=ids).order_by("id").values_list("parent_id", "id"):
        extras["components"][parent_id].append(pk)
    extras["superseded_by"] = dict(visible.filter(supersedes_id__in=ids).values_list("supersedes_id", "id"))
    for investment_id, title, url, publisher, quote in (
        Citation.objects.filter(investment_id__in=ids)
        .order_by("id")
        .values_list("investment_id", "source__title", "source__url", "source__publisher__name", "quote")
    ):
        extras["citation_sources"][investment_id].append(title)
        extras["citation_urls"][investment_id].append(url)
        extras["citation_publishers"][investment_id].append(publisher or "")
        extras["citation_quotes"][investment_id].append(quote)
    extras["links"] = {
        pk: (
            _absolute(request, reverse("api:investment-detail", kwargs={"pk": pk})),
            _absolute(request, reverse("capex:investment-detail", kwargs={"pk": pk})),
        )
        for pk in ids
    }
    return extras


def _absolute(request, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


def _conversion_columns(suffix: str) -> list[Column]:
    names = {
        "amount_usd": f"usd_{suffix}",
        "amount_high_usd": f"usd_high_{suffix}",
        "fx_rate": f"fx_rate_{suffix}",
        "fx_date": f"fx_date_{suffix}",
        "fx_provider": f"fx_provider_{suffix}",
        "fx_note": f"not_converted_reason_{suffix}",
    }
    return [Column(names[field], source=f"{field}_{suffix}") for field in CONVERSION_FIELDS]


INVESTMENT_EXPORT = ExportSpec(
    columns=(
        Column("id"),
        Column("company", source="company__slug"),
        Column("company_name", source="company__name"),
        Column("partners", get=_many("partners")),
        Column("title"),
        Column("announced_on"),
        Column("period_label"),
        Column("period_start"),
        Column("period_end"),
        Column("amount"),
        Column("amount_high"),
        Column("qualifier"),
        Column("currency"),
        *_conversion_columns("at_announcement"),
        *_conversion_columns("latest"),
        Column("scope"),
        Column("target_countries", get=_countries),
        Column("category"),
        Column("workload"),
        Column("chip_vendors", get=_many("chip_vendors")),
        Column("evidence"),
        Column("disputed"),
        Column("dispute_note"),
        Column("status"),
        Column("state"),
        Column("parent", source="parent_id"),
        Column("components", get=_many("components")),
        Column("supersedes", source="supersedes_id"),
        Column("superseded_by", get=_one("superseded_by")),
        Column("citation_sources", get=_many("citation_sources")),
        Column("citation_publishers", get=_many("citation_publishers")),
        Column("citation_urls", get=_many("citation_urls")),
        Column("citation_quotes", get=_many("citation_quotes")),
        Column("api_url", get=lambda row, extras: extras["links"][row["id"]][0]),
        Column("web_url", get=lambda row, extras: extras["links"][row["id"]][1]),
    ),
    values=(
        "id",
        "company__slug",
        "company__name",
        "title",
        "announced_on",
        "period_label",
        "period_start",
        "period_end",
        "amount",
        "amount_high",
        "qualifier",
        "currency",
        *(f"{field}_at_announcement" for field in CONVERSION_FIELDS),
        *(f"{field}_latest" for field in CONVERSION_FIELDS),
        "scope",
        "target_countries",
        "category",
        "workload",
        "evidence",
        "disputed",
        "dispute_note",
        "status",
        "state",
        "parent_id",
        "supersedes_id",
    ),
    enrich=_enrich,
)
