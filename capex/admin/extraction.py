"""
"Extract figures" on a source: paste the article, list the figures in it, and turn any one
of them into a draft figure, with the sentence attached as its citation, in one click.

The parsing is capex.extraction (pure, shared with `manage.py extract_figures`); this module
only turns a candidate into a draft for a company: it settles the scope against the company's
home country ("within China" is domestic for ByteDance, overseas for Microsoft), looks up the
chip vendors among the companies, and suggests a title and the period from the year named.
The draft goes through `investment_create` and `citation_add`, so the usual rules apply.

The text is not stored: extraction re-runs on the posted text when a candidate is chosen,
and a fingerprint of the candidate makes sure the editor gets the figure they saw.
"""

import datetime
import hashlib
import json

from django import forms
from django.contrib import messages
from django.contrib.admin.widgets import AdminDateWidget, AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from capex.choices import Category, Evidence, Scope, Workload
from capex.extraction import Candidate, extract_figures
from capex.models import Investment
from capex.services.investments import citation_add, investment_create
from capex.templatetags.capex_format import money_text, qualified
from companies.choices import CompanyKind
from companies.models import Company
from sources.choices import PublisherKind
from sources.models import Source

FIRST_PARTY_PUBLISHERS = frozenset({PublisherKind.COMPANY, PublisherKind.REGULATOR})


class ExtractForm(forms.Form):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 14, "cols": 110}),
        help_text="Paste the article. The text is only read here, not saved.",
    )
    announced_on = forms.DateField(
        required=False, widget=AdminDateWidget, help_text="When the figures were made public."
    )

    def __init__(self, *args, admin_site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"] = forms.ModelChoiceField(
            queryset=Company.objects.all(),
            required=False,
            widget=AutocompleteSelect(Investment._meta.get_field("company"), admin_site),
            help_text="Whose figures these are; each draft is filed under this company.",
        )
        self.order_fields(["text", "company", "announced_on"])


def candidate_key(candidate: Candidate) -> str:
    """A short fingerprint, so a click creates the figure the editor saw even if the text changed since."""
    payload = json.dumps(candidate.as_dict(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def guess_company(text: str) -> Company | None:
    """The company (not a chip vendor) whose name or aliases the text mentions most often."""
    best, best_count = None, 0
    for company in Company.objects.exclude(kind=CompanyKind.CHIP_VENDOR).only("pk", "name", "aliases"):
        count = sum(text.count(name) for name in [company.name, *company.alias_list] if len(name) > 2)
        if count > best_count:
            best, best_count = company, count
    return best


def vendor_companies(names: tuple[str, ...]) -> tuple[list[Company], list[str]]:
    """The vendor companies named, chip vendors first; and the names not found among the companies."""
    found: list[Company] = []
    missing: list[str] = []
    for name in names:
        wanted = name.lower()
        matches = [
            company
            for company in Company.objects.filter(Q(name__iexact=name) | Q(aliases__icontains=name))
            if company.name.lower() == wanted or wanted in (alias.lower() for alias in company.alias_list)
        ]
        # A chip vendor before anything else of the same name or alias.
        vendor = next((company for company in matches if company.kind == CompanyKind.CHIP_VENDOR), None)
        vendor = vendor or (matches[0] if matches else None)
        if vendor is None:
            missing.append(name)
        elif vendor not in found:
            found.append(vendor)
    return found, missing


def resolved_scope(candidate: Candidate, company: Company | None) -> str:
    """The scope hint against the company's home country: "in China" is domestic for a Chinese company."""
    if candidate.scope in (Scope.DOMESTIC, Scope.OVERSEAS, Scope.GLOBAL):
        return candidate.scope
    if candidate.countries and company is not None and company.country:
        home = company.country.code
        if set(candidate.countries) == {home}:
            return Scope.DOMESTIC
        if home not in candidate.countries:
            return Scope.OVERSEAS
        return Scope.GLOBAL
    return Scope.UNSPECIFIED


def suggested_title(candidate: Candidate, company: Company | None) -> str:
    """A starting title from the hints ("Chips and accelerators, domestic, 2025"); the editor refines it."""
    parts = [Category(candidate.category).label if candidate.category else "AI spending"]
    scope = resolved_scope(candidate, company)
    if scope != Scope.UNSPECIFIED:
        parts.append(Scope(scope).label.lower())
    if candidate.workload:
        parts.append(Workload(candidate.workload).label.lower())
    if candidate.year:
        parts.append(str(candidate.year))
    return ", ".join(parts)


def draft_values(candidate: Candidate, *, company: Company, source: Source) -> dict:
    """The fields of the draft figure a candidate becomes, for `investment_create`."""
    values = {
        "amount": candidate.amount,
        "amount_high": candidate.amount_high,
        "currency": candidate.currency,
        "qualifier": candidate.qualifier,
        "scope": resolved_scope(candidate, company),
        "target_countries": list(candidate.countries),
        "category": candidate.category or Category.UNSPECIFIED,
        "workload": candidate.workload or Workload.UNSPECIFIED,
        "evidence": (
            Evidence.OFFICIAL
            if source.publisher is not None and source.publisher.kind in FIRST_PARTY_PUBLISHERS
            else Evidence.MEDIA_REPORT
        ),
    }
    if candidate.year:
        values.update(
            period_label=str(candidate.year),
            period_start=datetime.date(candidate.year, 1, 1),
            period_end=datetime.date(candidate.year, 12, 31),
        )
    return values


def extract_view(model_admin, request, source_id: int):
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    source = get_object_or_404(Source.objects.select_related("publisher"), pk=source_id)
    admin_site = model_admin.admin_site
    if request.method == "POST":
        form = ExtractForm(request.POST, admin_site=admin_site)
    else:
        form = ExtractForm(
            initial={"text": source.text, "announced_on": source.published_on, "company": guess_company(source.text)},
            admin_site=admin_site,
        )

    candidates: list[Candidate] = []
    company = None
    if request.method == "POST" and form.is_valid():
        candidates = extract_figures(form.cleaned_data["text"])
        company = form.cleaned_data["company"] or guess_company(form.cleaned_data["text"])
        if not form.cleaned_data["company"] and company is not None:
            # Offer the guess in the picker so the editor sees whose figures these become.
            data = request.POST.copy()
            data["company"] = str(company.pk)
            form = ExtractForm(data, admin_site=admin_site)
            form.is_valid()
        if "create" in request.POST:
            response = _create_draft(model_admin, request, form, source, candidates)
            if response is not None:
                return response

    rows = []
    for index, candidate in enumerate(candidates):
        vendors, missing = vendor_companies(candidate.vendors)
        rows.append(
            {
                "index": index,
                "candidate": candidate,
                "key": candidate_key(candidate),
                "title": request.POST.get(f"title-{index}") or suggested_title(candidate, company),
                "stated": qualified(
                    money_text(candidate.amount, candidate.currency, high=candidate.amount_high, stated=True),
                    candidate.qualifier,
                ),
                "scope": Scope(resolved_scope(candidate, company)).label,
                "workload": Workload(candidate.workload).label if candidate.workload else None,
                "category": Category(candidate.category).label if candidate.category else None,
                "vendors": vendors,
                "missing_vendors": missing,
            }
        )
    context = {
        **admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": f"Extract figures from “{source}”",
        "source": source,
        "form": form,
        "media": model_admin.media + form.media,
        "extracted": request.method == "POST" and form.is_valid(),
        "rows": rows,
    }
    return TemplateResponse(request, "admin/capex/investment/extract.html", context)


def _create_draft(model_admin, request, form, source: Source, candidates: list[Candidate]):
    """Create the chosen candidate as a draft with its citation; None to show the page again with errors."""
    try:
        index = int(request.POST["create"])
        candidate = candidates[index]
    except (ValueError, IndexError):
        messages.error(request, "That figure is no longer in the text; extract the figures again.")
        return None
    if request.POST.get(f"key-{index}") != candidate_key(candidate):
        messages.error(request, "The text has changed since the figures were listed; extract the figures again.")
        return None
    company = form.cleaned_data["company"]
    announced_on = form.cleaned_data["announced_on"]
    if company is None:
        form.add_error("company", "Choose the company whose figure this is.")
    if announced_on is None:
        form.add_error("announced_on", "Enter the date the figure was made public.")
    title = (request.POST.get(f"title-{index}") or "").strip() or suggested_title(candidate, company)
    if company is None or announced_on is None:
        return None
    vendors, missing = vendor_companies(candidate.vendors)
    try:
        with transaction.atomic():
            investment = investment_create(
                company=company,
                title=title,
                announced_on=announced_on,
                chip_vendors=vendors,
                created_by=request.user,
                **draft_values(candidate, company=company, source=source),
            )
            citation_add(investment=investment, source=source, quote=candidate.quote, by=request.user)
    except ValidationError as error:
        for field, field_messages in error.message_dict.items():
            for message in field_messages:
                label = "" if field == "__all__" else f"{field.replace('_', ' ').capitalize()}: "
                messages.error(request, f"The draft was not created. {label}{message}")
        return None
    messages.success(request, f"Draft “{investment}” created with its citation. Check it, then send it for review.")
    for name in missing:
        messages.warning(
            request, f"The text names the chip vendor {name}, which is not a company here yet; add it and set it."
        )
    url = reverse("admin:capex_investment_change", args=[investment.pk], current_app=model_admin.admin_site.name)
    return HttpResponseRedirect(url)
