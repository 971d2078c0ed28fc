"""
The original sample: six real, public announcements, each with its source and the words that
support it; the canonical test case of the counting rules (`make run` loads the larger curated
dataset, capex/data/). Nothing here is invented: where the exact address
of a source is not known its URL is left empty, and where the original text could not be
quoted verbatim the citation quotes a headline or a secondary source that we hold.

Loading is idempotent by natural keys (company slug, publisher name, source URL or title,
figure company + title + announcement date): a second run changes nothing.
"""

import datetime
from decimal import Decimal
from pathlib import Path

from capex.choices import Category, Evidence, Measure, Qualifier, Scope, Status, Workload
from capex.models import Investment, VendorShare
from capex.services.investments import citation_add, investment_create
from capex.services.loading import writes_batched
from capex.services.workflow import investment_publish
from companies.choices import CompanyKind
from companies.models import Company
from companies.services import company_create
from sources.choices import PublisherKind, Reliability, SourceKind
from sources.models import Publisher, Source
from sources.services import publisher_create, source_create
from sources.urls_normalize import normalize_url

SEED_ARTICLE = Path(__file__).with_name("bytedance_ai_chip_investment_2025-01-23.txt")

D = datetime.date
BN = Decimal(1_000_000_000)

COMPANIES = [
    {
        "slug": "bytedance",
        "name": "ByteDance",
        "legal_name": "ByteDance Ltd.",
        "aliases": "TikTok owner\n字节跳动\nDouyin owner",
        "country": "CN",
        "kind": CompanyKind.PLATFORM,
        "website": "https://www.bytedance.com/",
        "description": "Beijing-based owner of TikTok and Douyin, and developer of the Doubao models.",
    },
    {
        "slug": "microsoft",
        "name": "Microsoft",
        "legal_name": "Microsoft Corporation",
        "country": "US",
        "kind": CompanyKind.PLATFORM,
        "ticker": "NASDAQ:MSFT",
        "website": "https://www.microsoft.com/",
    },
    {
        "slug": "meta",
        "name": "Meta",
        "legal_name": "Meta Platforms, Inc.",
        "aliases": "Facebook",
        "country": "US",
        "kind": CompanyKind.PLATFORM,
        "ticker": "NASDAQ:META",
        "website": "https://about.meta.com/",
    },
    {
        "slug": "alphabet",
        "name": "Alphabet",
        "legal_name": "Alphabet Inc.",
        "aliases": "Google",
        "country": "US",
        "kind": CompanyKind.PLATFORM,
        "ticker": "NASDAQ:GOOGL",
        "website": "https://abc.xyz/",
    },
    {
        "slug": "alibaba",
        "name": "Alibaba",
        "legal_name": "Alibaba Group Holding Limited",
        "aliases": "阿里巴巴\nAlibaba Cloud",
        "country": "CN",
        "kind": CompanyKind.PLATFORM,
        "ticker": "NYSE:BABA",
        "website": "https://www.alibabagroup.com/",
    },
    {
        "slug": "openai",
        "name": "OpenAI",
        "country": "US",
        "kind": CompanyKind.AI_LAB,
        "website": "https://openai.com/",
    },
    {
        "slug": "softbank",
        "name": "SoftBank Group",
        "legal_name": "SoftBank Group Corp.",
        "country": "JP",
        "kind": CompanyKind.OTHER,
        "ticker": "TYO:9984",
    },
    {
        "slug": "oracle",
        "name": "Oracle",
        "legal_name": "Oracle Corporation",
        "country": "US",
        "kind": CompanyKind.PLATFORM,
        "ticker": "NYSE:ORCL",
    },
    {"slug": "mgx", "name": "MGX", "country": "AE", "kind": CompanyKind.FUND},
    {
        "slug": "stargate",
        "name": "Stargate",
        "aliases": "The Stargate Project",
        "country": "US",
        "kind": CompanyKind.JOINT_VENTURE,
        "description": "Joint venture of OpenAI, SoftBank, Oracle and MGX to build AI infrastructure in the US.",
    },
    {
        "slug": "nvidia",
        "name": "Nvidia",
        "legal_name": "NVIDIA Corporation",
        "country": "US",
        "kind": CompanyKind.CHIP_VENDOR,
        "ticker": "NASDAQ:NVDA",
    },
    {
        "slug": "huawei",
        "name": "Huawei",
        "legal_name": "Huawei Technologies Co., Ltd.",
        "country": "CN",
        "kind": CompanyKind.CHIP_VENDOR,
    },
    {
        "slug": "cambricon",
        "name": "Cambricon",
        "legal_name": "Cambricon Technologies Corporation Limited",
        "aliases": "寒武纪",
        "country": "CN",
        "kind": CompanyKind.CHIP_VENDOR,
        "ticker": "SHA:688256",
    },
]

PUBLISHERS = [
    {
        "name": "Financial Times",
        "domain": "ft.com",
        "kind": PublisherKind.NEWS_OUTLET,
        "default_reliability": Reliability.HIGH,
    },
    {"name": "AInvest", "kind": PublisherKind.AI_GENERATED, "default_reliability": Reliability.LOW},
    {
        "name": "Microsoft",
        "domain": "blogs.microsoft.com",
        "kind": PublisherKind.COMPANY,
        "default_reliability": Reliability.HIGH,
    },
    {"name": "Meta", "kind": PublisherKind.COMPANY, "default_reliability": Reliability.HIGH},
    {"name": "Mint", "domain": "livemint.com", "kind": PublisherKind.NEWS_OUTLET},
    {"name": "Business Recorder (Reuters)", "domain": "brecorder.com", "kind": PublisherKind.NEWS_OUTLET},
    {"name": "PR Chief", "domain": "prchief.com", "kind": PublisherKind.AGGREGATOR},
    {
        "name": "Alibaba Group Holding Limited",
        "domain": "sec.gov",
        "kind": PublisherKind.REGULATOR,
        "default_reliability": Reliability.HIGH,
    },
    {"name": "OpenAI", "domain": "openai.com", "kind": PublisherKind.COMPANY, "default_reliability": Reliability.HIGH},
]

# key -> source fields; "publisher" is a publisher name.
SOURCES = {
    "ft-bytedance": {
        "title": "TikTok owner ByteDance plans to spend $12bn on AI chips in 2025",
        "publisher": "Financial Times",
        "published_on": D(2025, 1, 21),
        "paywalled": True,
        "notes": "Cites two people familiar with the plans. A ByteDance spokesperson called the report "
        "incorrect (Reuters, the same day).",
    },
    "seed-bytedance": {
        "title": "ByteDance's $12 Billion AI Chip Investment: A Strategic Move Amid U.S. Export Controls",
        "publisher": "AInvest",
        "url": "https://www.ainvest.com/news/bytedance-12-billion-ai-chip-investment-strategic-move-export-controls-2501",
        "authors": "Nathaniel Stone (AI writing agent)",
        "published_on": D(2025, 1, 23),
        "notes": "AI-generated secondary article summarising the Financial Times report.",
        "text_file": SEED_ARTICLE,
    },
    "reuters-bytedance": {
        "title": "Reuters' report of the Financial Times story and of ByteDance's denial (Business Recorder)",
        "url": "https://brecorder.com/news/40343948",
        "publisher": "Business Recorder (Reuters)",
        "published_on": D(2025, 1, 21),
        "notes": "Reuters' own page was not read; the report as Business Recorder carries it. It quotes ByteDance's "
        'spokesperson: "The anonymously sourced information about our plan is incorrect."',
    },
    "microsoft-golden-opportunity": {
        "title": "The Golden Opportunity for American AI",
        "url": "https://blogs.microsoft.com/on-the-issues/2025/01/03/the-golden-opportunity-for-american-ai/",
        "publisher": "Microsoft",
        "authors": "Brad Smith",
        "published_on": D(2025, 1, 3),
        "kind": SourceKind.BLOG_POST,
    },
    "meta-zuckerberg-2025-01-24": {
        # Mark Zuckerberg's post on Facebook, as Mint reproduced it; the post itself was not read.
        "title": "Meta plans to invest up to $65 billion for capex in 2025",
        "url": "https://www.livemint.com/market/stock-market-news/meta-plans-to-invest-up-to-65-billion-for-capex-in-"
        "2025-shares-gain-1-6-in-early-market-session/amp-11737730373511.html",
        "publisher": "Mint",
        "published_on": D(2025, 1, 24),
    },
    "meta-q1-2025": {
        "title": "Meta Reports First Quarter 2025 Results (Form 8-K, exhibit 99.1)",
        "url": "https://www.sec.gov/Archives/edgar/data/1326801/000132680125000050/meta-03312025xexhibit991.htm",
        "publisher": "Meta",
        "published_on": D(2025, 4, 30),
        "kind": SourceKind.PRESS_RELEASE,
    },
    "alphabet-q4-2024": {
        # Alphabet's fourth-quarter 2024 earnings release, as PR Chief reproduced Reuters' report of it.
        "title": "Alphabet expects to invest about $75 billion in capital expenditures in 2025",
        "url": "https://prchief.com/alphabet-expects-to-invest-about-75-billion-in-capital-expenditures-in-2025",
        "publisher": "PR Chief",
        "published_on": D(2025, 2, 4),
    },
    "alibaba-6k-2025-02-24": {
        "title": "Alibaba to Invest RMB380 billion in AI and Cloud Infrastructure Over Next Three Years",
        "url": "https://www.sec.gov/Archives/edgar/data/1577552/000110465925016348/tm257405d1_ex99-1.htm",
        "publisher": "Alibaba Group Holding Limited",
        "published_on": D(2025, 2, 24),
        "kind": SourceKind.FILING,
    },
    "openai-stargate": {
        "title": "Announcing The Stargate Project",
        "url": "https://openai.com/index/announcing-the-stargate-project/",
        "publisher": "OpenAI",
        "published_on": D(2025, 1, 21),
        "kind": SourceKind.BLOG_POST,
    },
}

BYTEDANCE_DISPUTE = (
    'A ByteDance spokesperson called the Financial Times report incorrect: "The anonymously sourced information '
    'about our plan is incorrect" (as reported by Reuters, 21 January 2025).'
)
# The split of the RMB 40bn, in Reuters' words (its report of the FT story); the seed article does not give it.
BYTEDANCE_SPLIT = (
    "About 60% of ByteDance’s domestic semiconductor orders would go to Chinese suppliers such as Huawei and "
    "Cambricon, while the rest would be spent on Nvidia chips that have been watered down to align with U.S. "
    "export controls, according to the report."
)

# Each figure: fields, citations [(source key, quote, locator)], components [figure...], revised_by figure.
FIGURES = [
    {
        "company": "bytedance",
        "title": "AI infrastructure spending in 2025",
        "announced_on": D(2025, 1, 21),
        "amount": 12 * BN,
        "currency": "USD",
        "qualifier": Qualifier.AT_LEAST,
        "period_label": "2025",
        "period_start": D(2025, 1, 1),
        "period_end": D(2025, 12, 31),
        "scope": Scope.GLOBAL,
        "category": Category.GENERAL,
        "workload": Workload.UNSPECIFIED,
        "evidence": Evidence.MEDIA_REPORT,
        "disputed": True,
        "dispute_note": BYTEDANCE_DISPUTE,
        "description": "Reported by the Financial Times citing two people familiar with the plans.",
        "citations": [
            ("ft-bytedance", "TikTok owner ByteDance plans to spend $12bn on AI chips in 2025", "headline"),
            (
                "reuters-bytedance",
                "the TikTok parent plans to spend more than $12 billion on AI in 2025",
                "paragraph 1",
            ),
            (
                "seed-bytedance",
                "ByteDance, the parent company of TikTok, is planning a significant investment of over $12 billion "
                "in artificial intelligence (AI) infrastructure by 2025, according to a report by the Financial "
                "Times.",
                "paragraph 1",
            ),
        ],
        "components": [
            {
                "title": "AI chips bought in China in 2025",
                "amount": 40 * BN,
                "currency": "CNY",
                "qualifier": Qualifier.APPROXIMATELY,
                "scope": Scope.DOMESTIC,
                "target_countries": ["CN"],
                "category": Category.CHIPS,
                "workload": Workload.INFERENCE,
                "chip_vendors": ["huawei", "cambricon", "nvidia"],
                # Derived from Reuters' words: 60% shared by the two Chinese suppliers, "the rest" to Nvidia.
                "vendor_shares": [
                    ("huawei", 60, "chinese-suppliers"),
                    ("cambricon", 60, "chinese-suppliers"),
                    ("nvidia", 40, ""),
                ],
                "vendor_share_quote": BYTEDANCE_SPLIT,
                "description": "About 60% from Chinese suppliers such as Huawei and Cambricon, the rest "
                "export-compliant Nvidia chips (Financial Times, as Reuters reported it); mostly for inference.",
                "citations": [
                    (
                        "reuters-bytedance",
                        "ByteDance plans to spend 40 billion yuan ($5.50 billion) to acquire AI chips in China in 2025",
                        "paragraph 2",
                    ),
                    (
                        "seed-bytedance",
                        "The Beijing-based tech giant has allocated approximately RMB 40 billion ($5.5 billion) for "
                        "AI chip acquisitions within China, effectively doubling its expenditure from the previous "
                        "year.",
                        "paragraph 1",
                    ),
                    (
                        "seed-bytedance",
                        'ByteDance is reportedly planning to use most of its Chinese-made AI chips for "inference" '
                        "tasks",
                        "paragraph 2",
                    ),
                ],
            },
            {
                "title": "Overseas spending on model training in 2025",
                "amount": Decimal("6.8") * BN,
                "currency": "USD",
                "qualifier": Qualifier.APPROXIMATELY,
                "scope": Scope.OVERSEAS,
                "category": Category.CHIPS,
                "workload": Workload.TRAINING,
                "chip_vendors": ["nvidia"],
                "description": "Model training overseas with advanced Nvidia chips.",
                "citations": [
                    (
                        "seed-bytedance",
                        "Additionally, ByteDance plans to invest around $6.8 billion overseas to improve its model "
                        "training capabilities using advanced Nvidia Corp. NVDA chips.",
                        "paragraph 1",
                    ),
                ],
            },
        ],
    },
    {
        "company": "microsoft",
        "title": "AI-enabled datacenters in FY2025",
        "announced_on": D(2025, 1, 3),
        "amount": 80 * BN,
        "currency": "USD",
        "qualifier": Qualifier.APPROXIMATELY,
        "period_label": "FY2025",
        "period_start": D(2024, 7, 1),
        "period_end": D(2025, 6, 30),
        "scope": Scope.GLOBAL,
        "category": Category.DATA_CENTRES,
        "workload": Workload.MIXED,
        "evidence": Evidence.OFFICIAL,
        "citations": [
            (
                "microsoft-golden-opportunity",
                "In FY 2025, Microsoft is on track to invest approximately $80 billion to build out AI-enabled "
                "datacenters to train AI models and deploy AI and cloud-based applications around the world.",
                "",
            ),
        ],
        "components": [
            {
                "title": "AI-enabled datacenters in the United States in FY2025",
                "amount": 40 * BN,
                "currency": "USD",
                "qualifier": Qualifier.AT_LEAST,
                "scope": Scope.DOMESTIC,
                "target_countries": ["US"],
                "category": Category.DATA_CENTRES,
                "workload": Workload.MIXED,
                "description": "More than half of the approximately $80bn.",
                "citations": [
                    (
                        "microsoft-golden-opportunity",
                        "More than half of this total investment will be in the United States",
                        "",
                    ),
                ],
            },
        ],
    },
    {
        "company": "meta",
        "title": "Capital expenditures in 2025",
        "measure": Measure.TOTAL_CAPEX,
        "announced_on": D(2025, 1, 24),
        "amount": 60 * BN,
        "amount_high": 65 * BN,
        "currency": "USD",
        "qualifier": Qualifier.RANGE,
        "period_label": "2025",
        "period_start": D(2025, 1, 1),
        "period_end": D(2025, 12, 31),
        "scope": Scope.GLOBAL,
        "category": Category.GENERAL,
        "evidence": Evidence.OFFICIAL,
        "citations": [
            ("meta-zuckerberg-2025-01-24", "We're planning to invest $60-65B in capex this year", "quoting the post"),
        ],
        "revised_by": {
            "title": "Capital expenditures in 2025 (revised outlook)",
            "measure": Measure.TOTAL_CAPEX,
            "announced_on": D(2025, 4, 30),
            "amount": 64 * BN,
            "amount_high": 72 * BN,
            "currency": "USD",
            "qualifier": Qualifier.RANGE,
            "period_label": "2025",
            "period_start": D(2025, 1, 1),
            "period_end": D(2025, 12, 31),
            "scope": Scope.GLOBAL,
            "category": Category.GENERAL,
            "evidence": Evidence.OFFICIAL,
            "description": "Outlook raised with first-quarter results, including principal payments on finance leases.",
            "citations": [
                (
                    "meta-q1-2025",
                    "We anticipate our full year 2025 capital expenditures, including principal payments on finance "
                    "leases, will be in the range of $64-72 billion, increased from our prior outlook of $60-65 "
                    "billion.",
                    "CFO outlook commentary",
                ),
            ],
        },
    },
    {
        "company": "alphabet",
        "title": "Capital expenditures in 2025",
        "measure": Measure.TOTAL_CAPEX,
        "announced_on": D(2025, 2, 4),
        "amount": 75 * BN,
        "currency": "USD",
        "qualifier": Qualifier.APPROXIMATELY,
        "period_label": "2025",
        "period_start": D(2025, 1, 1),
        "period_end": D(2025, 12, 31),
        "scope": Scope.GLOBAL,
        "category": Category.GENERAL,
        "evidence": Evidence.OFFICIAL,
        "citations": [
            (
                "alphabet-q4-2024",
                "we expect to invest approximately $75 billion in capital expenditures in 2025",
                "Sundar Pichai in the earnings release",
            ),
        ],
    },
    {
        "company": "alibaba",
        "title": "Cloud and AI infrastructure over the next three years",
        "announced_on": D(2025, 2, 24),
        "amount": 380 * BN,
        "currency": "CNY",
        "qualifier": Qualifier.AT_LEAST,
        "period_label": "2025-2028 (three years)",
        "period_start": D(2025, 2, 24),
        "period_end": D(2028, 2, 23),
        "scope": Scope.UNSPECIFIED,
        "category": Category.GENERAL,
        "evidence": Evidence.OFFICIAL,
        "citations": [
            (
                "alibaba-6k-2025-02-24",
                "announced plans to invest at least RMB380 billion (US$53 billion) over the next three years to "
                "advance its cloud computing and AI infrastructure",
                "exhibit 99.1",
            ),
        ],
    },
    {
        "company": "stargate",
        "measure": Measure.PROGRAMME,
        "partners": ["openai", "softbank", "oracle", "mgx"],
        "title": "AI infrastructure in the United States over four years",
        "announced_on": D(2025, 1, 21),
        "amount": 500 * BN,
        "currency": "USD",
        "qualifier": Qualifier.UP_TO,
        "period_label": "2025-2029 (four years)",
        "period_start": D(2025, 1, 21),
        "period_end": D(2029, 1, 20),
        "scope": Scope.DOMESTIC,
        "target_countries": ["US"],
        "category": Category.GENERAL,
        "evidence": Evidence.OFFICIAL,
        "citations": [
            (
                "openai-stargate",
                "The Stargate Project is a new company which intends to invest $500 billion over the next four "
                "years building new AI infrastructure for OpenAI in the United States.",
                "paragraph 1",
            ),
        ],
        "components": [
            {
                "title": "Deployed immediately",
                "amount": 100 * BN,
                "currency": "USD",
                "qualifier": Qualifier.EXACT,
                "status": Status.IN_PROGRESS,
                "scope": Scope.DOMESTIC,
                "target_countries": ["US"],
                "category": Category.GENERAL,
                "citations": [
                    ("openai-stargate", "We will begin deploying $100 billion immediately.", "paragraph 1"),
                ],
            },
        ],
    },
]


def _company(slug: str, companies: dict[str, Company]) -> Company:
    return companies[slug]


@writes_batched()
def sample_data_load() -> dict[str, int]:
    """Load the sample data; returns how many rows of each kind were created (0 on a second run)."""
    created = {"companies": 0, "publishers": 0, "sources": 0, "investments": 0}

    companies: dict[str, Company] = {c.slug: c for c in Company.objects.filter(slug__in=[x["slug"] for x in COMPANIES])}
    for spec in COMPANIES:
        if spec["slug"] not in companies:
            companies[spec["slug"]] = company_create(**spec)
            created["companies"] += 1

    publishers: dict[str, Publisher] = {p.name: p for p in Publisher.objects.all()}
    for spec in PUBLISHERS:
        if spec["name"] not in publishers:
            publishers[spec["name"]] = publisher_create(**spec)
            created["publishers"] += 1

    sources: dict[str, Source] = {}
    for key, spec in SOURCES.items():
        fields = dict(spec)
        fields["publisher"] = publishers[fields.pop("publisher")]
        text_file = fields.pop("text_file", None)
        existing = (
            Source.objects.filter(url=normalize_url(fields["url"])).first()
            if fields.get("url")
            else Source.objects.filter(title=fields["title"], publisher=fields["publisher"]).first()
        )
        if existing:
            sources[key] = existing
            continue
        if text_file:
            fields["text"] = Path(text_file).read_text(encoding="utf-8")
        sources[key] = source_create(**fields)
        created["sources"] += 1

    for spec in FIGURES:
        company = companies[spec["company"]]
        headline = _figure_load(
            spec, company=company, parent=None, supersedes=None, companies=companies, sources=sources, created=created
        )
        for component in spec.get("components", []):
            _figure_load(
                component,
                company=company,
                parent=headline,
                supersedes=None,
                companies=companies,
                sources=sources,
                created=created,
            )
        if "revised_by" in spec:
            _figure_load(
                spec["revised_by"],
                company=company,
                parent=None,
                supersedes=headline,
                companies=companies,
                sources=sources,
                created=created,
            )
    return created


_NOT_FIELDS = {
    "company",
    "citations",
    "components",
    "revised_by",
    "partners",
    "chip_vendors",
    "vendor_shares",
    "vendor_share_quote",
}


def _figure_load(spec, *, company, parent, supersedes, companies, sources, created) -> Investment:
    announced_on = spec.get("announced_on") or parent.announced_on
    existing = Investment.objects.filter(company=company, title=spec["title"], announced_on=announced_on).first()
    if existing:
        return existing
    fields = {key: value for key, value in spec.items() if key not in _NOT_FIELDS}
    fields["announced_on"] = announced_on
    if parent is not None:
        for inherited in (
            "period_label",
            "period_start",
            "period_end",
            "evidence",
            "disputed",
            "dispute_note",
            "measure",
        ):
            fields.setdefault(inherited, getattr(parent, inherited))
    investment = investment_create(
        company=company,
        parent=parent,
        supersedes=supersedes,
        partners=[companies[slug] for slug in spec.get("partners", [])],
        chip_vendors=[companies[slug] for slug in spec.get("chip_vendors", [])],
        **fields,
    )
    for source_key, quote, locator in spec["citations"]:
        citation_add(investment=investment, source=sources[source_key], quote=quote, locator=locator)
    for slug, percent, group in spec.get("vendor_shares", []):
        share = VendorShare(
            investment=investment,
            vendor=companies[slug],
            share_percent=Decimal(percent),
            group=group,
            quote=spec.get("vendor_share_quote", ""),
        )
        share.full_clean()
        share.save()
    investment_publish(investment=investment, by=None)
    created["investments"] += 1
    return investment
