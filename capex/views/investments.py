"""One figure's page, and how to cite it."""

from django.http import HttpResponse
from django.utils import timezone
from django.views.generic import DetailView

from capex.choices import FxBasis
from capex.colours import company_colour
from capex.models import Investment
from capex.page_selectors import investment_page
from capex.templatetags.capex_format import stated_amount_text, usd_amount_text
from capex.views.charts import breakdown_chart
from capex.views.common import PageOptionsMixin

SITE_NAME = "AI Capex Tracker"
BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def visible_investments(user):
    return Investment.objects.visible_to(user)


class InvestmentQuerysetMixin:
    def get_queryset(self):
        return (
            visible_investments(self.request.user)
            .select_related("company", "parent__company", "supersedes")
            .prefetch_related("partners", "chip_vendors")
        )


class InvestmentDetailView(PageOptionsMixin, InvestmentQuerysetMixin, DetailView):
    template_name = "capex/investment_detail.html"
    context_object_name = "investment"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        investment = self.object
        page = investment_page(
            investment=investment, basis=self.options.basis, visible=visible_investments(self.request.user)
        )
        charts = {}
        if page.year_spread is not None and len(page.year_spread.buckets) > 1:
            charts["spread"] = breakdown_chart(
                page.year_spread,
                chart_id="spread",
                title="Spread over the years it covers",
                basis_label=self.options.basis_label,
                kind="bar",
                colour=company_colour(investment.company.slug),
            )
        permalink = self.request.build_absolute_uri(investment.get_absolute_url())
        sources = [c.source for c in page.citations]
        context.update(
            {
                "page": page,
                "charts": charts,
                "permalink": permalink,
                "cite_text": cite_text(investment, permalink=permalink, sources=sources),
                "bibtex": bibtex(investment, permalink=permalink, sources=sources),
            }
        )
        return context

    def download_name(self) -> str:
        return f"ai-capex-figure-{self.object.pk}"


class InvestmentBibtexView(InvestmentQuerysetMixin, DetailView):
    """The BibTeX entry as a file, for reference managers."""

    def render_to_response(self, context, **response_kwargs):
        investment = self.object
        permalink = self.request.build_absolute_uri(investment.get_absolute_url())
        sources = [c.source for c in investment.citations.select_related("source__publisher").order_by("id")]
        response = HttpResponse(
            bibtex(investment, permalink=permalink, sources=sources), content_type="application/x-bibtex; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="ai-capex-figure-{investment.pk}.bib"'
        return response


def _source_text(source) -> str:
    parts = [source.publisher.name] if source.publisher else []
    parts.append(f"“{source.title}”")
    if source.published_on:
        parts.append(source.published_on.isoformat())
    return ", ".join(parts)


def _amount_text(investment: Investment) -> str:
    stated = stated_amount_text(investment)
    usd = usd_amount_text(investment, FxBasis.ANNOUNCEMENT)
    if investment.currency != "USD" and usd:
        return f"{stated} ({usd} at the announcement-date rate)"
    return stated


def cite_text(investment: Investment, *, permalink: str, sources) -> str:
    """A plain-text citation a researcher can paste into a footnote."""
    accessed = timezone.localdate().isoformat()
    text = (
        f"{investment.company.name}, “{investment.title}”: {_amount_text(investment)}, "
        f"announced {investment.announced_on.isoformat()}. {SITE_NAME}, figure {investment.pk}. "
        f"{permalink} (accessed {accessed})."
    )
    if sources:
        text += " Sources: " + "; ".join(_source_text(s) for s in sources) + "."
    return text


def bibtex_escape(text: str) -> str:
    return "".join(BIBTEX_SPECIAL.get(char, char) for char in text)


def bibtex(investment: Investment, *, permalink: str, sources) -> str:
    """A @misc entry; every value is escaped so "$12bn" and "R&D" survive LaTeX."""
    note = f"Announced {investment.announced_on.isoformat()}. {investment.get_evidence_display()}."
    if investment.disputed:
        note += " Disputed."
    if sources:
        note += " Sources: " + "; ".join(_source_text(s) for s in sources) + "."
    fields = [
        ("title", f"{investment.company.name}: {investment.title} ({_amount_text(investment)})"),
        ("author", f"{{{SITE_NAME}}}"),
        ("year", str(investment.announced_on.year)),
        ("howpublished", f"\\url{{{permalink}}}"),
        ("url", permalink),
        ("urldate", timezone.localdate().isoformat()),
        ("note", note),
    ]
    raw = {"author", "howpublished", "url"}
    lines = [f"@misc{{aicapex-figure-{investment.pk},"]
    for name, value in fields:
        lines.append(f"  {name} = {{{value if name in raw else bibtex_escape(value)}}},")
    lines.append("}")
    return "\n".join(lines) + "\n"
