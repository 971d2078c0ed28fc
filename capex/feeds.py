"""
Atom feeds of published figures, for readers who follow the tracker in a feed reader: every
figure, one company's, and the figures that buy from one chip vendor (Django's syndication
framework, Atom 1.0).

An entry is one published figure, dated by when it was published (`published_at`), newest
first. A figure that supersedes another is a revision and says so in its title. Feeds show
what an anonymous reader sees, published figures only, whoever asks: a feed is one shared
document, cached like the pages by the data version (config.cache), which every publish moves.
"""

from django.contrib.syndication.views import Feed
from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from capex.choices import FxBasis
from capex.models import Citation, Investment
from capex.templatetags.capex_format import not_converted_reason, stated_amount_text, usd_amount_text
from companies.choices import CompanyKind
from companies.models import Company
from config.cache import cached_page

# Enough for a reader that polls daily; the site and the API hold the rest.
FEED_LENGTH = 50
SITE_NAME = "AI Capex Tracker"


class FiguresFeed(Feed):
    """Every published figure, newest publication first."""

    feed_type = Atom1Feed
    title = f"{SITE_NAME}: newly published figures"
    subtitle = "Announced AI infrastructure spending as it is published: each figure with its quote and source."
    author_name = SITE_NAME
    entry_template = "capex/feeds/figure_entry.html"

    def link(self, obj=None) -> str:
        return reverse("capex:home")

    def feed_url(self, obj=None) -> str:
        return reverse("capex:feed")

    def figures(self, obj) -> QuerySet[Investment]:
        return Investment.objects.all()

    def items(self, obj=None) -> list[Investment]:
        # published(), not visible_to(request.user): a feed is shared, and drafts are never in one.
        figures = (
            self.figures(obj)
            .published()
            .select_related("company", "supersedes", "parent")
            .prefetch_related("partners")
            .order_by(F("published_at").desc(nulls_last=True), "-pk")
            .distinct()[:FEED_LENGTH]
        )
        figures = list(figures)
        citations = Citation.objects.filter(investment__in=figures).select_related("source__publisher").order_by("id")
        by_figure: dict[int, list[Citation]] = {}
        for citation in citations:
            by_figure.setdefault(citation.investment_id, []).append(citation)
        for figure in figures:
            figure.feed_citations = by_figure.get(figure.pk, [])
        return figures

    def item_title(self, figure: Investment) -> str:
        title = f"{figure.company.name}: {stated_amount_text(figure)}, {figure.title}"
        if figure.supersedes_id:
            return f"Revision: {title} (revises {stated_amount_text(figure.supersedes)})"
        return title

    def item_link(self, figure: Investment) -> str:
        return figure.get_absolute_url()

    def get_feed(self, obj, request):
        self.request = request  # for the entries' ids and links, which Django does not make absolute
        return super().get_feed(obj, request)

    def item_guid(self, figure: Investment) -> str:
        # The figure's address: one figure is one entry for good (republished after a correction,
        # it is updated, not new), and a revision is a figure of its own.
        return self.request.build_absolute_uri(figure.get_absolute_url())

    def item_pubdate(self, figure: Investment):
        return figure.published_at or figure.updated_at

    def item_updateddate(self, figure: Investment):
        return figure.published_at or figure.updated_at

    def item_categories(self, figure: Investment) -> list[str]:
        categories = [figure.company.name, figure.get_measure_display()]
        if figure.supersedes_id:
            categories.append("Revision")
        return categories

    def item_description(self, figure: Investment) -> str:
        """
        The entry's text: the figure as its page shows it, with absolute links (a feed is read
        elsewhere). Rendered without the request, so the pages' context processors (the rates'
        freshness, three queries) do not run once per entry.
        """
        return render_to_string(self.entry_template, self.entry_context(figure, self.request))

    def entry_context(self, figure: Investment, request) -> dict:
        return {
            "figure": figure,
            "stated": stated_amount_text(figure),
            "usd": usd_amount_text(figure, FxBasis.ANNOUNCEMENT),
            "not_converted_reason": not_converted_reason(figure, FxBasis.ANNOUNCEMENT),
            "figure_url": request.build_absolute_uri(figure.get_absolute_url()),
            "company_url": request.build_absolute_uri(figure.company.get_absolute_url()),
            "revises_url": (
                request.build_absolute_uri(figure.supersedes.get_absolute_url()) if figure.supersedes_id else ""
            ),
            "revises_stated": stated_amount_text(figure.supersedes) if figure.supersedes_id else "",
            "parent_url": request.build_absolute_uri(figure.parent.get_absolute_url()) if figure.parent_id else "",
            "citations": [
                {"citation": citation, "source_url": request.build_absolute_uri(citation.source.get_absolute_url())}
                for citation in figure.feed_citations
            ],
        }


class CompanyFiguresFeed(FiguresFeed):
    """A company's published figures, its joint announcements included."""

    def get_object(self, request, slug: str) -> Company:
        return get_object_or_404(Company, slug=slug)

    def title(self, company: Company) -> str:
        return f"{SITE_NAME}: {company.name}'s published figures"

    def subtitle(self, company: Company) -> str:
        return f"Announced AI infrastructure spending by {company.name}, as each figure is published."

    def link(self, company: Company) -> str:
        return company.get_absolute_url()

    def feed_url(self, company: Company) -> str:
        return reverse("companies:feed", kwargs={"slug": company.slug})

    def figures(self, company: Company) -> QuerySet[Investment]:
        return Investment.objects.filter(Q(company=company) | Q(partners=company))


class VendorFiguresFeed(FiguresFeed):
    """The published figures that buy from a chip vendor: its buyers' spending, as on the vendor's page."""

    def get_object(self, request, slug: str) -> Company:
        vendor = get_object_or_404(Company, slug=slug)
        if vendor.kind != CompanyKind.CHIP_VENDOR and not vendor.vendor_investments.published().exists():
            raise Http404(f"{vendor.name} is not a chip vendor.")
        return vendor

    def title(self, vendor: Company) -> str:
        return f"{SITE_NAME}: figures buying from {vendor.name}"

    def subtitle(self, vendor: Company) -> str:
        return f"Announced spending that names {vendor.name} as a chip vendor, as each figure is published."

    def link(self, vendor: Company) -> str:
        return vendor.get_absolute_url()

    def feed_url(self, vendor: Company) -> str:
        return reverse("companies:vendor-feed", kwargs={"slug": vendor.slug})

    def figures(self, vendor: Company) -> QuerySet[Investment]:
        return Investment.objects.filter(chip_vendors=vendor)


def figures_feed(request):
    return cached_page(request, "feed", lambda: FiguresFeed()(request))


def company_figures_feed(request, slug: str):
    return cached_page(request, "company-feed", lambda: CompanyFiguresFeed()(request, slug=slug))


def vendor_figures_feed(request, slug: str):
    return cached_page(request, "vendor-feed", lambda: VendorFiguresFeed()(request, slug=slug))
