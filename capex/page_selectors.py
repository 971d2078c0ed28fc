"""
Reads that one researcher page needs: the dashboard, a company, a figure, a comparison,
a source, the Explore facets.

Every total and breakdown here comes from capex.selectors, which holds the rule that totals
never double count. This module only decides which figures a page looks at and groups their
stored slices by as many dimensions as the page shows, one query per grouping, so a page runs
a fixed number of queries at any data size.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery

from capex.choices import Measure, Status, WorkflowState
from capex.models import Citation, Investment
from capex.selectors import (
    DEFAULT_MEASURE,
    DEFAULT_YEAR_MODE,
    OTHER,
    Breakdown,
    Measures,
    RollupSet,
    SliceSet,
    breakdown,
    slice_set,
)
from companies.models import Company
from sources.models import Source

BREAKDOWN_DIMENSIONS = ("scope", "workload", "category", "vendor")
DIMENSION_LABELS = {
    "year": "Year",
    "company": "Company",
    "country": "Country",
    "scope": "Domestic or overseas",
    "workload": "Training or inference",
    "category": "Category",
    "vendor": "Chip vendor",
}
CENT = Decimal("0.01")
# A chart with more groups than this shows the largest and one "Other" group for the rest: at a
# million figures the vendor breakdown has tens of thousands of vendor sets.
MAX_CHART_BUCKETS = 20


@dataclass
class CrossRow:
    key: str
    label: str
    cells: dict[str, Measures]
    total: Measures

    def cell(self, column: str) -> Measures | None:
        return self.cells.get(column)


@dataclass
class CrossTab:
    """Rows by one dimension, columns by another; every cell is a sum of the same slices."""

    row_label: str
    columns: list[tuple[str, str]]
    rows: list[CrossRow]
    column_totals: dict[str, Measures]


def years_by_company(slices: SliceSet | RollupSet, *, year_mode: str, top: int = 6) -> CrossTab:
    """Totals by year, one row per largest company and the rest grouped as one."""
    companies = slices.group("company")
    years = slices.group("year", year_mode=year_mode)
    largest = companies.buckets[:top]
    per_company = slices.filter(company__slug__in=[b.key for b in largest]).group_per_company(
        "year", year_mode=year_mode
    )
    rows = []
    for bucket in largest:
        cells = {b.key: b.measures for b in per_company[bucket.key].buckets}
        rows.append(CrossRow(bucket.key, bucket.label, cells, bucket.measures))
    rest = companies.buckets[top:]
    if rest:
        # The rest of each year is the year's total less the largest companies' share of it.
        cells = {}
        for year in years.buckets:
            shown = sum((row.cells[year.key] for row in rows if year.key in row.cells), Measures())
            others = year.measures + shown.scaled(Decimal(-1))
            if max(abs(others.low), abs(others.high), abs(others.point)) >= CENT:
                cells[year.key] = others
        rows.append(
            CrossRow(OTHER, f"Other companies ({len(rest)})", cells, sum((b.measures for b in rest), Measures()))
        )
    return CrossTab(
        row_label="Company",
        columns=[(b.key, b.label) for b in years.buckets],
        rows=rows,
        column_totals={b.key: b.measures for b in years.buckets},
    )


def dimension_by_company(
    slices: SliceSet | RollupSet, *, dimension: str, companies: list[Company], year_mode: str = DEFAULT_YEAR_MODE
) -> CrossTab:
    """Buckets of one dimension as rows, the given companies as columns (the Compare page)."""
    overall = slices.group(dimension, year_mode=year_mode)
    grouped = slices.filter(company__slug__in=[c.slug for c in companies]).group_per_company(
        dimension, year_mode=year_mode
    )
    empty = Breakdown(dimension, slices.basis, [], Measures(), 0, [])
    per_company = {c.slug: grouped.get(c.slug, empty) for c in companies}
    rows = [
        CrossRow(
            bucket.key,
            bucket.label,
            {
                slug: found.measures
                for slug, result in per_company.items()
                if (found := result.bucket(bucket.key)) is not None
            },
            bucket.measures,
        )
        for bucket in overall.buckets
    ]
    return CrossTab(
        row_label=DIMENSION_LABELS[dimension],
        columns=[(c.slug, c.name) for c in companies],
        rows=rows,
        column_totals={slug: result.total for slug, result in per_company.items()},
    )


# --- Figures as pages list them ------------------------------------------------------------


def _published_revision() -> Subquery:
    return Subquery(
        Investment.objects.filter(supersedes=OuterRef("pk"), state=WorkflowState.PUBLISHED).values("pk")[:1]
    )


def headline_figures(queryset: QuerySet) -> QuerySet:
    """
    Top-level figures with their company, their published components (in `published_components`)
    and the id of a published figure that revises them (`revised_by_pk`): two queries.
    """
    components = Investment.objects.published().select_related("company").order_by("id")
    return (
        queryset.filter(parent__isnull=True)
        .select_related("company")
        .annotate(revised_by_pk=_published_revision())
        .prefetch_related(Prefetch("components", queryset=components, to_attr="published_components"))
    )


@dataclass(frozen=True)
class CountStatus:
    """Whether a figure is in the totals, and why not when it is not."""

    code: str
    text: str

    @property
    def counted(self) -> bool:
        return self.code in {"counted", "component"}


def count_status(figure: Investment, *, revised: bool, parent_status: CountStatus | None = None) -> CountStatus:
    if figure.state != WorkflowState.PUBLISHED:
        return CountStatus("unpublished", f"Not counted: {figure.get_state_display().lower()}, not yet published.")
    if figure.status == Status.CANCELLED:
        return CountStatus("cancelled", "Not counted: cancelled.")
    if revised:
        return CountStatus("superseded", "Not counted: revised by a later figure.")
    if figure.parent_id:
        if parent_status is not None and not parent_status.counted:
            return CountStatus("parent-not-counted", "Not counted: its headline figure is not counted.")
        return CountStatus("component", "Counted once, as part of its headline figure.")
    return CountStatus("counted", "Counted in totals.")


# --- Dashboard -----------------------------------------------------------------------------


@dataclass(frozen=True)
class YearCard:
    year: int
    measures: Measures | None
    figure_count: int
    is_current: bool
    open_figures: int = 0


@dataclass(frozen=True)
class CompanyTotal:
    company: Company
    measures: Measures
    figure_count: int
    open_figures: int = 0


@dataclass(frozen=True)
class MeasureSeries:
    """One measure's totals by year: the dashboard shows each measure apart, never added to another."""

    measure: str
    label: str
    years: Breakdown

    def cell(self, year: str):
        return self.years.bucket(year)


def measure_series(*, basis: str, year_mode: str, company: Company | None = None) -> list[MeasureSeries]:
    """Every measure's totals by year, apart, for the figures of `company` (default: all): three queries."""
    totals = slice_set(basis=basis, measure=None)
    if company is not None:
        totals = totals.filter(company=company)
    per_measure = totals.group_by_each("measure", "year", year_mode=year_mode)
    return [
        MeasureSeries(measure, label, per_measure[measure])
        for measure, label in Measure.choices
        if measure in per_measure
    ]


@dataclass
class Dashboard:
    total: Measures
    figure_count: int
    open_figures: int
    years: Breakdown
    series: list[MeasureSeries]
    year_cards: list[YearCard]
    stack: CrossTab
    companies: list[CompanyTotal]
    shares: dict[str, Breakdown]
    latest: list[Investment]
    unconverted: list[Investment]
    unconverted_count: int = 0


# The home page lists the largest companies and the first figures not converted, not all of them:
# at 20,000 companies and 10,000 unconverted figures the full lists made a 33 MB page. The
# companies page and the API (`/api/v1/investments/?converted=false`) have them all.
HOME_COMPANIES = 100
HOME_UNCONVERTED = 100


def dashboard(
    *,
    basis: str,
    year_mode: str,
    today: date,
    measure: str = DEFAULT_MEASURE,
    latest: int = 8,
    past_years: int = 3,
) -> Dashboard:
    slices = slice_set(basis=basis, measure=measure)
    years = slices.group("year", year_mode=year_mode)
    cards = []
    # The cards show the years that have figures, newest first, up to the current year and the
    # next one (guidance for next year is announced in this one); never an empty card.
    for year in range(today.year + 1, today.year - past_years - 1, -1):
        bucket = years.bucket(str(year))
        if bucket is None:
            continue
        cards.append(YearCard(year, bucket.measures, bucket.figure_count, year == today.year, bucket.open_figures))
    by_company = slices.group("company")
    largest = by_company.buckets[:HOME_COMPANIES]
    companies = Company.objects.in_bulk([b.key for b in largest], field_name="slug")
    return Dashboard(
        total=years.total,
        figure_count=years.figure_count,
        open_figures=years.open_figures,
        years=years,
        series=measure_series(basis=basis, year_mode=year_mode),
        year_cards=cards,
        stack=years_by_company(slices, year_mode=year_mode),
        companies=[CompanyTotal(companies[b.key], b.measures, b.figure_count, b.open_figures) for b in largest],
        shares={dimension: slices.group(dimension, largest=MAX_CHART_BUCKETS) for dimension in BREAKDOWN_DIMENSIONS},
        latest=list(headline_figures(Investment.objects.published()).order_by("-announced_on", "-id")[:latest]),
        unconverted=list(
            Investment.objects.filter(pk__in=sorted(slices.unconverted)[:HOME_UNCONVERTED]).select_related("company")
        ),
        unconverted_count=len(slices.unconverted),
    )


# --- Companies -----------------------------------------------------------------------------


@dataclass
class CompanyRow:
    company: Company
    measures: Measures | None
    figure_count: int
    latest: Investment | None


COMPANY_SORTS = {
    "name": lambda row: row.company.name.lower(),
    "country": lambda row: (str(row.company.country.name), row.company.name.lower()),
    "total": lambda row: (row.measures.point if row.measures else -1, row.company.name.lower()),
    "figures": lambda row: (row.figure_count, row.company.name.lower()),
    "latest": lambda row: (row.latest.announced_on if row.latest else date.min, row.company.name.lower()),
}


def company_rows(
    *,
    companies: QuerySet,
    basis: str,
    sort: str = "name",
    descending: bool = False,
    measure: str = DEFAULT_MEASURE,
) -> list[CompanyRow]:
    """
    Companies with their no-double-count total and latest published headline figure,
    sorted by any column: four queries whatever the number of companies.
    """
    latest_pk = Subquery(
        Investment.objects.published()
        .filter(company=OuterRef("pk"), parent__isnull=True)
        .order_by("-announced_on", "-id")
        .values("pk")[:1]
    )
    company_list = list(companies.annotate(latest_figure_pk=latest_pk))
    totals = slice_set(basis=basis, measure=measure).filter(company__in=companies).group("company")
    by_slug = {b.key: b for b in totals.buckets}
    latest = Investment.objects.in_bulk([c.latest_figure_pk for c in company_list if c.latest_figure_pk])
    rows = []
    for company in company_list:
        bucket = by_slug.get(company.slug)
        rows.append(
            CompanyRow(
                company=company,
                measures=bucket.measures if bucket else None,
                figure_count=bucket.figure_count if bucket else 0,
                latest=latest.get(company.latest_figure_pk),
            )
        )
    return sorted(rows, key=COMPANY_SORTS[sort], reverse=descending)


@dataclass
class CompanyPage:
    company: Company
    subsidiaries: list[Company]
    total: Measures
    measure: str
    series: list[MeasureSeries]
    breakdowns: dict[str, Breakdown]
    timeline: list[Investment]
    figures: list[Investment]
    unconverted: list[Investment]
    sources: list[Source]
    joint_figures: list[Investment]
    buyers: Breakdown | None
    vendor_figures: list[Investment]


def _citations_prefetch() -> Prefetch:
    return Prefetch("citations", queryset=Citation.objects.select_related("source__publisher").order_by("id"))


def company_main_measure(company: Company) -> str:
    """What most of a company's counted figures measure (Meta's: total capital expenditure), AI investment if none."""
    counts = (
        Investment.objects.countable()
        .filter(company=company)
        .values("measure")
        .annotate(figures=Count("pk"))
        .order_by("-figures", "measure")
    )
    first = counts.first()
    return first["measure"] if first else DEFAULT_MEASURE


def company_page(
    *, company: Company, basis: str, year_mode: str, visible: QuerySet, measure: str | None = None
) -> CompanyPage:
    """
    Everything the company page shows. `visible` is the figures the reader may see
    (published ones, or all for staff); totals only ever count published figures. The
    breakdowns are of `measure`, by default the one most of the company's figures measure;
    `series` has each measure's totals by year apart.
    """
    measure = measure or company_main_measure(company)
    # Its own figures and the components of its figures that a partner announced. Two indexed
    # lookups: as one OR across the join PostgreSQL scanned every figure.
    figure_ids = [
        *visible.filter(company=company).values_list("pk", flat=True),
        *visible.filter(parent__company=company).exclude(company=company).values_list("pk", flat=True),
    ]
    figures = list(
        visible.filter(pk__in=figure_ids)
        .select_related("company", "parent__company", "supersedes")
        .prefetch_related("chip_vendors", _citations_prefetch())
        .order_by("announced_on", "id")
    )
    _annotate_structure(figures)
    timeline = [f for f in figures if f.is_headline]
    flat = [row for headline in timeline for row in (headline, *headline.component_list)]

    slices = slice_set(basis=basis, measure=measure).filter(company=company)
    breakdowns = {"year": slices.group("year", year_mode=year_mode)}
    breakdowns.update({dimension: slices.group(dimension) for dimension in BREAKDOWN_DIMENSIONS})

    figure_ids = [f.pk for f in figures]
    sources = list(
        Source.objects.filter(citations__investment__in=figure_ids)
        .select_related("publisher")
        .annotate(figures_cited=Count("citations__investment", distinct=True))
        .order_by("-published_on", "title")
    )
    vendor_figures = list(
        visible.filter(chip_vendors=company).select_related("company", "parent").order_by("-announced_on", "id")
    )
    buyers = vendor_buyers(vendor=company, basis=basis, year_mode=year_mode) if vendor_figures else None
    return CompanyPage(
        company=company,
        subsidiaries=list(company.subsidiaries.order_by("name")),
        total=breakdowns["year"].total,
        measure=measure,
        series=measure_series(basis=basis, year_mode=year_mode, company=company),
        breakdowns=breakdowns,
        timeline=timeline,
        figures=flat,
        unconverted=[f for f in figures if f.pk in set(slices.unconverted)],
        sources=sources,
        joint_figures=list(
            visible.filter(partners=company).select_related("company").order_by("-announced_on", "id").distinct()
        ),
        buyers=buyers,
        vendor_figures=vendor_figures,
    )


def vendor_buyers(*, vendor: Company, basis: str, year_mode: str, measure: str = DEFAULT_MEASURE) -> Breakdown:
    """
    Who buys from a chip vendor: the money of each buying company that involves the vendor, in
    the vendor buckets of the counting rules: the vendor's own stated share, a share it holds
    with others ("Cambricon + Huawei (shared)") and money not allocated among vendors that
    include it, each apart. A figure is never counted in full for every vendor it names. Read
    from the rollups of every company: no slice is read.
    """
    return RollupSet(basis, measure=measure).buyers(vendor.pk, year_mode=year_mode)


def _annotate_structure(figures: list[Investment]) -> None:
    """
    Set on each figure: `component_list`, `revised_by_figure`, `is_headline` and
    `count_status`, from the list alone (no queries). A component whose headline is not in
    the list (it belongs to a partner's figure) is shown as a headline of its own.
    """
    by_pk = {f.pk: f for f in figures}
    revised_by: dict[int, Investment] = {}
    for figure in figures:
        if figure.supersedes_id and (figure.state == WorkflowState.PUBLISHED or figure.supersedes_id not in revised_by):
            revised_by[figure.supersedes_id] = figure
    for figure in figures:
        figure.component_list = []
        figure.revised_by_figure = revised_by.get(figure.pk)
        figure.is_headline = figure.parent_id is None or figure.parent_id not in by_pk
    for figure in figures:
        if not figure.is_headline:
            by_pk[figure.parent_id].component_list.append(figure)
    for figure in figures:
        if figure.parent_id is None:
            _set_status(figure, revised_by, parent_status=None)
    for figure in figures:
        if figure.parent_id is not None:
            parent = by_pk.get(figure.parent_id)
            _set_status(figure, revised_by, parent_status=getattr(parent, "count_status", None))


def _set_status(figure: Investment, revised_by: dict[int, Investment], *, parent_status: CountStatus | None) -> None:
    revision = revised_by.get(figure.pk)
    revised = revision is not None and revision.state == WorkflowState.PUBLISHED
    figure.count_status = count_status(figure, revised=revised, parent_status=parent_status)


# --- One figure ----------------------------------------------------------------------------


@dataclass
class HistoryRow:
    record: object
    changed: list[str]


HISTORY_FIELDS = (
    "title",
    "announced_on",
    "amount",
    "amount_high",
    "qualifier",
    "currency",
    "period_label",
    "scope",
    "category",
    "workload",
    "evidence",
    "disputed",
    "status",
    "state",
)


@dataclass
class InvestmentPage:
    investment: Investment
    components: list[Investment]
    citations: list[Citation]
    revision_chain: list[Investment]
    count_status: CountStatus
    effective: Measures | None
    grown_by_components: bool
    year_spread: Breakdown | None
    history: list[HistoryRow]
    history_truncated: bool


def investment_page(
    *, investment: Investment, basis: str, visible: QuerySet, history_limit: int = 50
) -> InvestmentPage:
    """The figure, its structure, its evidence and its history, in a fixed number of queries."""
    components = list(
        visible.filter(parent=investment)
        .select_related("company")
        .prefetch_related(_citations_prefetch())
        .order_by("id")
    )
    chain = _revision_chain(investment, visible)
    revised = any(
        f.supersedes_id == investment.pk and f.state == WorkflowState.PUBLISHED for f in chain if f.pk != investment.pk
    )
    parent_status = None
    if investment.parent_id:
        parent = investment.parent
        parent_revised = Investment.objects.filter(supersedes=parent, state=WorkflowState.PUBLISHED).exists()
        parent_status = count_status(parent, revised=parent_revised)
    status = count_status(investment, revised=revised, parent_status=parent_status)
    _annotate_component_statuses(components, status)

    effective = year_spread = None
    if status.counted:
        headline = investment.parent if investment.parent_id else investment
        origins = Investment.objects.filter(pk=investment.pk) if investment.parent_id else None
        year_spread = breakdown(
            dimension="year",
            basis=basis,
            investments=Investment.objects.filter(pk=headline.pk),
            origins=origins,
            year_mode="spread",
        )
        effective = year_spread.total if year_spread.figure_count else None
    stated_usd = getattr(investment, "amount_usd_latest" if basis == "latest" else "amount_usd_at_announcement")
    grown = (
        effective is not None and investment.parent_id is None and stated_usd is not None and effective.low > stated_usd
    )

    records = list(investment.history.order_by("-history_date", "-history_id")[: history_limit + 1])
    truncated = len(records) > history_limit
    records = records[:history_limit]
    history = []
    for index, record in enumerate(records):
        older = records[index + 1] if index + 1 < len(records) else None
        changed = [name for name in HISTORY_FIELDS if getattr(record, name) != getattr(older, name)] if older else []
        history.append(HistoryRow(record, changed))

    return InvestmentPage(
        investment=investment,
        components=components,
        citations=list(investment.citations.select_related("source__publisher").order_by("id")),
        revision_chain=chain,
        count_status=status,
        effective=effective,
        grown_by_components=grown,
        year_spread=year_spread,
        history=history,
        history_truncated=truncated,
    )


def _annotate_component_statuses(components: list[Investment], parent_status: CountStatus) -> None:
    # Components are one level deep and cannot be revised independently of the page's own
    # chain walk, so a revision among them is looked up in one query.
    revised_ids = set(
        Investment.objects.filter(supersedes__in=[c.pk for c in components], state=WorkflowState.PUBLISHED).values_list(
            "supersedes_id", flat=True
        )
    )
    for component in components:
        component.count_status = count_status(
            component, revised=component.pk in revised_ids, parent_status=parent_status
        )


def _revision_chain(investment: Investment, visible: QuerySet) -> list[Investment]:
    """
    The figures this one revises and that revise it, oldest first. One query: a company's
    figures that take part in any revision, walked in memory.
    """
    candidates = {
        f.pk: f
        for f in visible.filter(company_id=investment.company_id)
        .filter(Q(supersedes__isnull=False) | Q(superseded_by__isnull=False))
        .order_by("announced_on", "id")
    }
    if investment.pk not in candidates:
        return []
    revises = {f.supersedes_id: f for f in candidates.values() if f.supersedes_id}
    first = candidates[investment.pk]
    seen = {first.pk}
    while first.supersedes_id in candidates and first.supersedes_id not in seen:
        first = candidates[first.supersedes_id]
        seen.add(first.pk)
    chain, node, walked = [], first, set()
    while node is not None and node.pk not in walked:
        chain.append(node)
        walked.add(node.pk)
        node = revises.get(node.pk)
    return chain


# --- Comparing companies -------------------------------------------------------------------


@dataclass
class Comparison:
    companies: list[Company]
    totals: dict[str, Measures]
    years: CrossTab
    breakdowns: dict[str, CrossTab] = field(default_factory=dict)
    unconverted: list[Investment] = field(default_factory=list)


def comparison(*, companies: list[Company], basis: str, year_mode: str, measure: str = DEFAULT_MEASURE) -> Comparison:
    slices = slice_set(basis=basis, measure=measure).filter(company__in=[c.pk for c in companies])
    years = dimension_by_company(slices, dimension="year", companies=companies, year_mode=year_mode)
    return Comparison(
        companies=companies,
        totals={c.slug: years.column_totals[c.slug] for c in companies},
        years=years,
        breakdowns={
            dimension: dimension_by_company(slices, dimension=dimension, companies=companies, year_mode=year_mode)
            for dimension in BREAKDOWN_DIMENSIONS
        },
        unconverted=list(Investment.objects.filter(pk__in=slices.unconverted).select_related("company")),
    )


def companies_with_figures() -> QuerySet:
    """Companies that have at least one countable figure: the ones worth comparing."""
    return Company.objects.filter(Exists(Investment.objects.countable().filter(company=OuterRef("pk")))).order_by(
        "name"
    )


# --- Sources -------------------------------------------------------------------------------


def sources_with_counts(queryset: QuerySet) -> QuerySet:
    published = Q(citations__investment__state=WorkflowState.PUBLISHED)
    return queryset.select_related("publisher").annotate(
        figures_cited=Count("citations__investment", filter=published, distinct=True)
    )


def source_citations(*, source: Source, visible: QuerySet) -> list[Citation]:
    """The figures a source supports, each with the quote it supports them with."""
    return list(
        Citation.objects.filter(source=source, investment__in=visible)
        .select_related("investment__company", "investment__parent")
        .order_by("-investment__announced_on", "investment_id", "id")
    )


def investments_by_pk(ids: Iterable[int]) -> dict[int, Investment]:
    return Investment.objects.select_related("company").in_bulk(list(ids))


# --- Explore -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class Facet:
    name: str
    label: str
    options: list[FacetOption]
    help_text: str = ""


def _grouped_counts(queryset: QuerySet, *fields: str) -> list[tuple]:
    # order_by() clears the model's default ordering, which would otherwise join the GROUP BY.
    return list(queryset.order_by().values_list(*fields).annotate(count=Count("pk", distinct=True)))


def facet_counts(name: str, queryset: QuerySet) -> dict[str, tuple[str, int]]:
    """
    value -> (label, number of figures) for one facet over `queryset`: one query.
    Labels of choice fields are filled in by the caller from the FilterSet's choices.
    """
    if name == "company":
        return {slug: (label, n) for slug, label, n in _grouped_counts(queryset, "company__slug", "company__name")}
    if name == "vendor":
        through = Investment.chip_vendors.through
        rows = (
            through.objects.filter(investment__in=queryset.values("pk"))
            .order_by()
            .values_list("company__slug", "company__name")
            .annotate(count=Count("investment", distinct=True))
        )
        return {slug: (label, n) for slug, label, n in rows}
    if name == "country":
        return {str(code): ("", n) for code, n in _grouped_counts(queryset, "company__country")}
    if name == "target_country":
        counts: dict[str, int] = {}
        for value in queryset.order_by().values_list("target_countries", flat=True):
            codes = value if isinstance(value, list | tuple) else str(value or "").split(",")
            for code in {str(c).strip() for c in codes if str(c).strip()}:
                counts[code] = counts.get(code, 0) + 1
        return {code: ("", n) for code, n in counts.items()}
    if name == "top_level":
        totals = queryset.order_by().aggregate(
            headlines=Count("pk", filter=Q(parent__isnull=True)), components=Count("pk", filter=Q(parent__isnull=False))
        )
        return {
            "true": ("Headline figures only", totals["headlines"]),
            "false": ("Components only", totals["components"]),
        }
    if name == "include_superseded":
        revised = Investment.objects.filter(supersedes=OuterRef("pk"), state=WorkflowState.PUBLISHED)
        superseded = queryset.order_by().filter(Exists(revised)).count()
        return {"true": ("Include revised figures", superseded)}
    return {str(value): ("", n) for value, n in _grouped_counts(queryset, name)}


def explore_totals(*, basis: str, figures: QuerySet, measure: str = DEFAULT_MEASURE) -> Breakdown:
    """The counted total of one measure of a filtered set of figures of any level, each headline counted once."""
    return breakdown(dimension="company", basis=basis, origins=figures, measure=measure)
