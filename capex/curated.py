"""
The curated dataset: reviewable YAML files under capex/data/ (one per company or programme, the
format in capex/data/README.md), read and checked here and loaded through the services.

Reading (`dataset_read`) checks the whole dataset before anything is written: unknown keys, values
outside their choices, amounts that are not numbers, references to companies or figures that do not
exist, and revisions that are not later than what they revise. Every problem is reported with its
file and figure key, together, so one run shows everything to fix.

Loading (`dataset_load`) is idempotent: companies are found by slug, publishers by name, sources
by normalised URL (or title and publisher where the URL is unknown), figures by their dataset key.
A figure whose data is unchanged is left alone; one that changed is returned to draft, updated and
published again (a trusted system load: `by=None` in the workflow), so its history says so.

Exporting (`dataset_export`) writes figures back in the same format, so an editor's later changes
in the admin can be reviewed as a diff of the files.
"""

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError

from capex.choices import Category, Evidence, Measure, Qualifier, Scope, Status, WorkflowState, Workload
from capex.models import Citation, Investment, VendorShare
from capex.services.investments import citation_add, investment_create, investment_update
from capex.services.loading import writes_batched
from capex.services.workflow import investment_publish, investment_return_to_draft
from companies.choices import CompanyKind
from companies.models import Company
from companies.services import company_create, company_update
from currencies.choices import CURRENCY_CODES
from sources.choices import PublisherKind, SourceKind
from sources.models import Publisher, Source
from sources.services import publisher_create, source_create
from sources.urls_normalize import normalize_url

DATA_DIR = Path(__file__).with_name("data")

COMPANY_KEYS = {"slug", "name", "legal_name", "aliases", "country", "kind", "ticker", "website", "description"}
REQUIRED_FIGURE_KEYS = {"key", "company", "title", "announced_on", "amount", "qualifier", "currency", "measure"}
CITATION_KEYS = {
    "url",
    "title",
    "publisher",
    "publisher_kind",
    "publisher_domain",
    "source_kind",
    "published_on",
    "language",
    "paywalled",
    "locator",
    "quote",
    "note",
}
VENDOR_KEYS = {"company", "share_percent", "share_percent_high", "share_amount", "group"}
CHOICES = {
    "qualifier": Qualifier.values,
    "measure": Measure.values,
    "scope": Scope.values,
    "category": Category.values,
    "workload": Workload.values,
    "evidence": Evidence.values,
    "status": Status.values,
}
AMOUNT = re.compile(r"^\s*(?P<number>\d+(?:\.\d+)?)\s*(?P<unit>bn|m|trn)?\s*$")
CENT = Decimal("0.01")
UNITS = {None: Decimal(1), "m": Decimal(10) ** 6, "bn": Decimal(10) ** 9, "trn": Decimal(10) ** 12}
# What a figure stores from its file; citations, vendors and links are loaded apart.
FIGURE_FIELDS = (
    "title",
    "description",
    "announced_on",
    "period_start",
    "period_end",
    "period_label",
    "amount",
    "amount_high",
    "qualifier",
    "currency",
    "measure",
    "scope",
    "target_countries",
    "category",
    "workload",
    "evidence",
    "disputed",
    "dispute_note",
    "status",
    "last_checked_on",
)
# Everything a figure of a file may say: its stored fields and its links, vendors and citations.
FIGURE_KEYS = {
    *FIGURE_FIELDS,
    "key",
    "company",
    "partners",
    "vendors",
    "vendor_share_quote",
    "parent",
    "supersedes",
    "citations",
}


class DatasetError(Exception):
    """The dataset does not hold together; `problems` lists each one with its file and figure."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class Figure:
    """One figure of the dataset as read and checked, with the file it comes from."""

    file: str
    key: str
    company: str
    fields: dict[str, Any]
    partners: list[str]
    vendors: list[dict[str, Any]]
    vendor_share_quote: str
    parent: str
    supersedes: str
    citations: list[dict[str, Any]]

    def where(self) -> str:
        return f"{self.file}: {self.key}"


@dataclass
class Dataset:
    companies: dict[str, dict[str, Any]] = field(default_factory=dict)
    figures: dict[str, Figure] = field(default_factory=dict)


def parse_amount(value: Any) -> Decimal:
    """ "60bn" -> 60e9, "950m" -> 950e6, 1200 -> 1200; anything else is a ValueError naming the value."""
    if isinstance(value, bool):
        raise ValueError(f"not an amount: {value!r}")
    if isinstance(value, int | float):
        return Decimal(str(value))
    match = AMOUNT.match(str(value))
    if not match:
        raise ValueError(f"not an amount: {value!r} (write 60bn, 950m or a plain number)")
    amount = Decimal(match["number"]) * UNITS[match["unit"]]
    if amount != amount.quantize(CENT):
        raise ValueError(f"{value!r} has fractions of a cent")
    return amount.quantize(CENT)


def _date(value: Any, what: str) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{what} is not a date (YYYY-MM-DD): {value!r}") from None


def _files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.yaml"))


def dataset_read(directory: Path = DATA_DIR, *, stored_companies: bool = True) -> Dataset:
    """
    Read and check every file; raises DatasetError listing every problem found. Figures may name
    companies already in the database unless `stored_companies` is off (the files alone).
    """
    dataset = Dataset()
    problems: list[str] = []
    raw_figures: list[tuple[str, dict]] = []
    for path in _files(directory):
        try:
            content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as error:
            problems.append(f"{path.name}: not valid YAML: {error}")
            continue
        if not isinstance(content, dict) or not set(content) <= {"companies", "figures"}:
            problems.append(f"{path.name}: a file holds `companies:` and `figures:` lists only")
            continue
        for company in content.get("companies") or []:
            slug = company.get("slug", "?") if isinstance(company, dict) else "?"
            if not isinstance(company, dict) or not {"slug", "name", "country"} <= set(company):
                problems.append(f"{path.name}: company {slug}: needs slug, name and country")
                continue
            unknown = set(company) - COMPANY_KEYS
            if unknown:
                problems.append(f"{path.name}: company {slug}: unknown keys {sorted(unknown)}")
            if company.get("kind", CompanyKind.PLATFORM) not in CompanyKind.values:
                problems.append(f"{path.name}: company {slug}: kind {company.get('kind')!r} is not one of the kinds")
            if slug in dataset.companies:
                problems.append(f"{path.name}: company {slug} is defined twice")
            dataset.companies[slug] = company
        for figure in content.get("figures") or []:
            raw_figures.append((path.name, figure))

    for file, raw in raw_figures:
        try:
            figure = _figure(file, raw)
        except ValueError as error:
            problems.append(f"{file}: {raw.get('key', '?') if isinstance(raw, dict) else '?'}: {error}")
            continue
        if figure.key in dataset.figures:
            problems.append(f"{figure.where()}: the key is used twice")
        dataset.figures[figure.key] = figure

    stored = set(Company.objects.values_list("slug", flat=True)) if stored_companies else set()
    problems.extend(_cross_checks(dataset, stored))
    if problems:
        raise DatasetError(problems)
    return dataset


def _figure(file: str, raw: Any) -> Figure:
    if not isinstance(raw, dict):
        raise ValueError("a figure is a mapping of keys")
    unknown = set(raw) - FIGURE_KEYS
    if unknown:
        raise ValueError(f"unknown keys {sorted(unknown)}")
    missing = REQUIRED_FIGURE_KEYS - {key for key, value in raw.items() if value not in (None, "")}
    if missing:
        raise ValueError(f"missing {sorted(missing)}")
    for name, allowed in CHOICES.items():
        if name in raw and raw[name] not in allowed:
            raise ValueError(f"{name} {raw[name]!r} is not one of {allowed}")
    if raw["currency"] not in CURRENCY_CODES:
        raise ValueError(f"currency {raw['currency']!r} is not an ISO 4217 currency")
    fields: dict[str, Any] = {name: raw[name] for name in FIGURE_FIELDS if raw.get(name) not in (None, "")}
    fields["amount"] = parse_amount(raw["amount"])
    if raw.get("amount_high") not in (None, ""):
        fields["amount_high"] = parse_amount(raw["amount_high"])
    for name in ("announced_on", "period_start", "period_end", "last_checked_on"):
        if name in fields:
            fields[name] = _date(fields[name], name)
    fields["target_countries"] = list(raw.get("target_countries") or [])
    fields["disputed"] = bool(raw.get("disputed", False))
    # What a file leaves out is the model's default, so a figure reads the same however it is written.
    for name in ("scope", "category", "workload", "evidence", "status", "description", "dispute_note", "period_label"):
        fields.setdefault(name, Investment._meta.get_field(name).get_default())
    citations = raw.get("citations") or []
    if not citations:
        raise ValueError("a figure needs at least one citation")
    for citation in citations:
        if not isinstance(citation, dict):
            raise ValueError("a citation is a mapping of keys")
        unknown = set(citation) - CITATION_KEYS
        if unknown:
            raise ValueError(f"unknown citation keys {sorted(unknown)}")
        if not str(citation.get("quote") or "").strip():
            raise ValueError("every citation needs its verbatim quote")
        if citation.get("publisher_kind", PublisherKind.NEWS_OUTLET) not in PublisherKind.values:
            raise ValueError(f"publisher_kind {citation.get('publisher_kind')!r} is not one of the kinds")
        if citation.get("source_kind", SourceKind.ARTICLE) not in SourceKind.values:
            raise ValueError(f"source_kind {citation.get('source_kind')!r} is not one of the kinds")
        citation["published_on"] = _date(citation.get("published_on"), "published_on")
    vendors = []
    for vendor in raw.get("vendors") or []:
        if not isinstance(vendor, dict) or "company" not in vendor:
            raise ValueError("a vendor names its company")
        unknown = set(vendor) - VENDOR_KEYS
        if unknown:
            raise ValueError(f"unknown vendor keys {sorted(unknown)}")
        share = dict(vendor)
        for name in ("share_percent", "share_percent_high"):
            if share.get(name) not in (None, ""):
                share[name] = Decimal(str(share[name]))
        if share.get("share_amount") not in (None, ""):
            share["share_amount"] = parse_amount(share["share_amount"])
        vendors.append(share)
    return Figure(
        file=file,
        key=str(raw["key"]),
        company=str(raw["company"]),
        fields=fields,
        partners=list(raw.get("partners") or []),
        vendors=vendors,
        vendor_share_quote=str(raw.get("vendor_share_quote") or ""),
        parent=str(raw.get("parent") or ""),
        supersedes=str(raw.get("supersedes") or ""),
        citations=citations,
    )


def _cross_checks(dataset: Dataset, stored_companies: set[str]) -> Iterable[str]:
    """References and orders the files cannot check one by one."""
    known = set(dataset.companies) | stored_companies
    revised: dict[str, str] = {}
    for figure in dataset.figures.values():
        for slug in [figure.company, *figure.partners, *(vendor["company"] for vendor in figure.vendors)]:
            if slug not in known:
                yield f"{figure.where()}: no company {slug!r} in the dataset"
        if figure.parent:
            parent = dataset.figures.get(figure.parent)
            if parent is None:
                yield f"{figure.where()}: parent {figure.parent!r} is not a figure of the dataset"
            elif parent.company != figure.company:
                yield f"{figure.where()}: a component belongs to its parent's company ({parent.company})"
            elif parent.parent:
                yield f"{figure.where()}: components are one level deep"
        if figure.supersedes:
            earlier = dataset.figures.get(figure.supersedes)
            if earlier is None:
                yield f"{figure.where()}: supersedes {figure.supersedes!r}, which is not a figure of the dataset"
                continue
            if earlier.company != figure.company or earlier.fields["measure"] != figure.fields["measure"]:
                yield f"{figure.where()}: a revision has the company and measure of the figure it revises"
            if earlier.fields["announced_on"] > figure.fields["announced_on"]:
                yield f"{figure.where()}: a revision cannot be announced before the figure it revises"
            if figure.supersedes in revised:
                yield f"{figure.where()}: {figure.supersedes} is already revised by {revised[figure.supersedes]}"
            revised[figure.supersedes] = figure.key
        shares = [vendor for vendor in figure.vendors if vendor.get("share_percent") is not None]
        by_group: dict[str, Decimal] = {}
        for vendor in shares:
            by_group[vendor.get("group") or vendor["company"]] = vendor["share_percent"]
        if sum(by_group.values(), Decimal(0)) > 100:
            yield f"{figure.where()}: vendor shares add up to more than 100%"


@dataclass
class LoadResult:
    companies: int = 0
    publishers: int = 0
    sources: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@writes_batched()
def dataset_load(dataset: Dataset | None = None) -> LoadResult:
    """Load the dataset (read from capex/data/ when not given) in one transaction; see the module docstring."""
    dataset = dataset or dataset_read()
    result = LoadResult()
    companies = _companies_load(dataset, result)
    figures: dict[str, Investment] = {}
    for figure in _in_dependency_order(dataset):
        try:
            figures[figure.key] = _figure_load(figure, companies=companies, figures=figures, result=result)
        except ValidationError as error:
            raise DatasetError([f"{figure.where()}: {'; '.join(_messages(error))}"]) from error
    return result


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [f"{name}: {message}" for name, messages in error.message_dict.items() for message in messages]
    return list(error.messages)


def _companies_load(dataset: Dataset, result: LoadResult) -> dict[str, Company]:
    companies = {company.slug: company for company in Company.objects.all()}
    for slug, spec in dataset.companies.items():
        fields = {key: value for key, value in spec.items() if key != "slug"}
        if isinstance(fields.get("aliases"), list):
            fields["aliases"] = "\n".join(fields["aliases"])
        existing = companies.get(slug)
        if existing is None:
            companies[slug] = company_create(slug=slug, **fields)
            result.companies += 1
            continue
        changes = {key: value for key, value in fields.items() if getattr(existing, key) != value}
        if "country" in changes and str(existing.country) == str(changes["country"]):
            changes.pop("country")
        if changes:
            companies[slug] = company_update(company=existing, **changes)
    return companies


def _in_dependency_order(dataset: Dataset) -> list[Figure]:
    """Parents before components, revised figures before their revisions."""
    ordered: list[Figure] = []
    placed: set[str] = set()

    def place(figure: Figure) -> None:
        if figure.key in placed:
            return
        placed.add(figure.key)
        for dependency in (figure.parent, figure.supersedes):
            if dependency:
                place(dataset.figures[dependency])
        ordered.append(figure)

    for figure in sorted(dataset.figures.values(), key=lambda f: (f.fields["announced_on"], f.key)):
        place(figure)
    return ordered


def _source(citation: dict[str, Any], result: LoadResult) -> Source:
    publisher = None
    if citation.get("publisher"):
        publisher = Publisher.objects.filter(name=citation["publisher"]).first()
        if publisher is None:
            publisher = publisher_create(
                name=citation["publisher"],
                kind=citation.get("publisher_kind") or PublisherKind.NEWS_OUTLET,
                domain=citation.get("publisher_domain") or "",
            )
            result.publishers += 1
    url = normalize_url(citation.get("url") or "")
    title = citation.get("title") or (f"{publisher} report" if publisher else "Untitled source")
    existing = (
        Source.objects.filter(url=url).first()
        if url
        else Source.objects.filter(title=title, publisher=publisher, url="").first()
    )
    if existing:
        return existing
    result.sources += 1
    return source_create(
        title=title,
        url=url,
        publisher=publisher,
        published_on=citation.get("published_on"),
        kind=citation.get("source_kind") or SourceKind.ARTICLE,
        language=citation.get("language") or "en",
        paywalled=bool(citation.get("paywalled", False)),
    )


def _figure_load(
    figure: Figure, *, companies: dict[str, Company], figures: dict[str, Investment], result: LoadResult
) -> Investment:
    # Every field the file can set, at the model's default where it is left out.
    values = {
        **{name: Investment._meta.get_field(name).get_default() for name in FIGURE_FIELDS},
        **figure.fields,
        "company": companies[figure.company],
        "parent": figures[figure.parent] if figure.parent else None,
        "supersedes": figures[figure.supersedes] if figure.supersedes else None,
    }
    partners = [companies[slug] for slug in figure.partners]
    vendors = [companies[vendor["company"]] for vendor in figure.vendors]
    sources = [_source(citation, result) for citation in figure.citations]
    wanted_citations = {
        (source.pk, (citation.get("locator") or "").strip(), citation["quote"].strip(), citation.get("note") or "")
        for source, citation in zip(sources, figure.citations, strict=True)
    }

    investment = Investment.objects.filter(dataset_key=figure.key).first()
    if investment is not None and _unchanged(investment, values, partners, vendors, wanted_citations, figure):
        result.unchanged += 1
        return investment
    if investment is None:
        investment = investment_create(partners=partners, chip_vendors=vendors, **values)
        Investment.objects.filter(pk=investment.pk).update(dataset_key=figure.key)
        investment.dataset_key = figure.key
        result.created += 1
    else:
        if investment.state != WorkflowState.DRAFT:
            investment_return_to_draft(investment=investment, by=None, reason="Curated dataset changed")
        investment = investment_update(investment=investment, partners=partners, chip_vendors=vendors, **values)
        investment.citations.all().delete()
        result.updated += 1
    for source, citation in zip(sources, figure.citations, strict=True):
        citation_add(
            investment=investment,
            source=source,
            quote=citation["quote"],
            locator=citation.get("locator") or "",
            note=citation.get("note") or "",
        )
    _vendor_shares_set(investment, figure, companies)
    investment_publish(investment=investment, by=None)
    return investment


def _unchanged(investment, values, partners, vendors, wanted_citations, figure) -> bool:
    for name, value in values.items():
        current = getattr(investment, name)
        if name == "target_countries":
            current, value = sorted(str(c) for c in current), sorted(value)
        if current != value:
            return False
    if set(investment.partners.values_list("pk", flat=True)) != {c.pk for c in partners}:
        return False
    if set(investment.chip_vendors.values_list("pk", flat=True)) != {c.pk for c in vendors}:
        return False
    stored = {(c.source_id, c.locator, c.quote, c.note) for c in investment.citations.all()}
    if stored != wanted_citations:
        return False
    return investment.state == WorkflowState.PUBLISHED and _shares(investment) == _wanted_shares(figure)


def _wanted_shares(figure: Figure) -> set[tuple]:
    return {
        (
            vendor["company"],
            vendor.get("share_percent"),
            vendor.get("share_percent_high"),
            vendor.get("share_amount"),
            vendor.get("group") or "",
            figure.vendor_share_quote,
        )
        for vendor in figure.vendors
        if any(vendor.get(name) not in (None, "") for name in ("share_percent", "share_amount", "group"))
    }


def _shares(investment: Investment) -> set[tuple]:
    return {
        (share.vendor.slug, share.share_percent, share.share_percent_high, share.share_amount, share.group, share.quote)
        for share in investment.vendor_shares.select_related("vendor")
    }


def _vendor_shares_set(investment: Investment, figure: Figure, companies: dict[str, Company]) -> None:
    investment.vendor_shares.all().delete()
    for company, percent, percent_high, amount, group, quote in sorted(
        _wanted_shares(figure), key=lambda share: share[0]
    ):
        share = VendorShare(
            investment=investment,
            vendor=companies[company],
            share_percent=percent,
            share_percent_high=percent_high,
            share_amount=amount,
            group=group,
            quote=quote,
        )
        share.full_clean()
        share.save()


# --- export ----------------------------------------------------------------------------------


def _amount_text(value: Decimal | None) -> str | None:
    """60e9 -> "60bn", 950e6 -> "950m", as the files write amounts."""
    if value is None:
        return None
    for unit in ("bn", "m"):
        scaled = value / UNITS[unit]
        if scaled >= 1 and scaled == scaled.quantize(Decimal("0.0001")):
            return f"{scaled.normalize():f}{unit}"
    return f"{value.normalize():f}"


def dataset_export(investments: Iterable[Investment]) -> str:
    """
    The figures as one YAML document in the dataset's format (keys of figures loaded from the
    dataset are kept; others get one from their company, title and date).
    """
    documents = []
    for investment in investments:
        key = investment.dataset_key or f"{investment.company.slug}-{investment.pk}"
        shares = {share.vendor_id: share for share in investment.vendor_shares.all()}
        vendors = []
        for vendor in investment.chip_vendors.all().order_by("slug"):
            entry: dict[str, Any] = {"company": vendor.slug}
            share = shares.get(vendor.pk)
            if share is not None:
                if share.share_percent is not None:
                    entry["share_percent"] = float(share.share_percent)
                if share.share_percent_high is not None:
                    entry["share_percent_high"] = float(share.share_percent_high)
                if share.share_amount is not None:
                    entry["share_amount"] = _amount_text(share.share_amount)
                if share.group:
                    entry["group"] = share.group
            vendors.append(entry)
        quote = next((share.quote for share in shares.values() if share.quote), "")
        document = {
            "key": key,
            "company": investment.company.slug,
            "partners": sorted(investment.partners.values_list("slug", flat=True)),
            "title": investment.title,
            "announced_on": investment.announced_on,
            "period_start": investment.period_start,
            "period_end": investment.period_end,
            "period_label": investment.period_label,
            "amount": _amount_text(investment.amount),
            "amount_high": _amount_text(investment.amount_high),
            "qualifier": investment.qualifier,
            "currency": investment.currency,
            "measure": investment.measure,
            "scope": investment.scope,
            "target_countries": [str(country) for country in investment.target_countries],
            "category": investment.category,
            "workload": investment.workload,
            "vendors": vendors,
            "vendor_share_quote": quote,
            "evidence": investment.evidence,
            "disputed": investment.disputed,
            "dispute_note": investment.dispute_note,
            "status": investment.status,
            "parent": (investment.parent.dataset_key or f"{investment.parent.company.slug}-{investment.parent_id}")
            if investment.parent_id
            else "",
            "supersedes": (
                investment.supersedes.dataset_key or f"{investment.supersedes.company.slug}-{investment.supersedes_id}"
            )
            if investment.supersedes_id
            else "",
            "description": investment.description,
            "last_checked_on": investment.last_checked_on,
            "citations": [_citation_export(citation) for citation in investment.citations.select_related("source")],
        }
        documents.append({key: value for key, value in document.items() if value not in (None, "", [])})
    return yaml.safe_dump({"figures": documents}, allow_unicode=True, sort_keys=False, width=120)


def _citation_export(citation: Citation) -> dict[str, Any]:
    source = citation.source
    publisher = source.publisher
    exported = {
        "url": source.url,
        "title": source.title,
        "publisher": publisher.name if publisher else "",
        "publisher_kind": publisher.kind if publisher else "",
        "publisher_domain": publisher.domain if publisher else "",
        "source_kind": source.kind,
        "published_on": source.published_on,
        "language": source.language,
        "paywalled": source.paywalled,
        "locator": citation.locator,
        "quote": citation.quote,
        "note": citation.note,
    }
    return {key: value for key, value in exported.items() if value not in (None, "")}
