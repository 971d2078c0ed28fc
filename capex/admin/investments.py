"""
The figure in the admin: laid out in the field groups of the domain (who and when, how much,
what for, how sure, structure, workflow, conversions), with its citations inline and its
components listed; the list shows each figure as stated and in USD.

Writes go through the services: a save calls `investment_create` / `investment_update` (and
`citation_add` for new citations), the workflow buttons and bulk actions call the workflow
services, which hold the rules (four eyes, permissions). Only drafts can be changed here; a
figure in review or published is shown read-only until it is returned to draft.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from capex.admin.extraction import extract_view
from capex.choices import FxBasis, WorkflowState
from capex.models import Citation, Investment, VendorShare
from capex.resources import InvestmentResource
from capex.services.investments import citation_add, investment_create, investment_update
from capex.services.workflow import (
    PUBLISH_PERMISSION,
    REASON_MAX_LENGTH,
    RETURN_PERMISSION,
    SUBMIT_PERMISSION,
    investment_can_publish,
    investment_can_return,
    investment_is_own,
    investment_publish,
    investment_return_to_draft,
    investment_submit,
)
from capex.templatetags.capex_format import conversion, fx_rate, stated_amount_text, usd_amount_text
from capex.validation import investment_warnings
from companies.models import Company
from config.spreadsheets import CSV, XLSX
from config.validators import NON_ASCII_DIGITS_MESSAGE, has_non_ascii_digits

MANY_TO_MANY = frozenset({"partners", "chip_vendors"})


def error_text(error: Exception) -> str:
    """One readable line from a ValidationError or PermissionDenied, field names included."""
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            return " ".join(
                message if field == "__all__" else f"{field.replace('_', ' ').capitalize()}: {message}"
                for field, messages_ in error.message_dict.items()
                for message in messages_
            )
        return " ".join(error.messages)
    return str(error) or "Not allowed."


class CitationInline(admin.StackedInline):
    """The evidence for the figure: a source and the exact words in it. The quote is required."""

    model = Citation
    fields = [("source", "locator"), "quote", "note"]
    autocomplete_fields = ["source"]
    extra = 1
    classes = ["citations"]

    def get_extra(self, request, obj=None, **kwargs):
        # A new figure starts with an empty citation; one that has citations needs no blank.
        return 0 if obj is not None and obj.citations.exists() else 1

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "quote":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 3, "cols": 100})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def has_add_permission(self, request, obj=None):
        return _is_draft(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return _is_draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _is_draft(obj) and super().has_delete_permission(request, obj)


class VendorShareInline(admin.TabularInline):
    """
    The chip vendors' shares, where the source states them. Vendors that share one stated share
    ("about 60% from Huawei and Cambricon") get the same group and the same percentage.
    """

    model = VendorShare
    fields = ["vendor", "share_percent", "share_percent_high", "share_amount", "group", "quote"]
    autocomplete_fields = ["vendor"]
    extra = 0

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "quote":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 2, "cols": 60})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def has_add_permission(self, request, obj=None):
        return _is_draft(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return _is_draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _is_draft(obj) and super().has_delete_permission(request, obj)


class ComponentInline(admin.TabularInline):
    """
    The parts of this figure, listed with links. A component is a figure of its own, with its
    own citations and workflow, so it is changed on its own page, never from its parent's.
    """

    model = Investment
    fk_name = "parent"
    verbose_name = "component"
    verbose_name_plural = "components (figures that split this one up; open one to change it)"
    fields = ["company", "title", "stated_amount", "scope", "category", "workload", "state"]
    readonly_fields = fields
    show_change_link = True
    extra = 0
    can_delete = False

    @admin.display(description="amount as stated")
    def stated_amount(self, component: Investment) -> str:
        return stated_amount_text(component)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AsciiDecimalFormField(forms.DecimalField):
    """An amount written with the digits 0-9; Python's Decimal would read "٣٠" as 30 without a word."""

    def to_python(self, value):
        if isinstance(value, str) and has_non_ascii_digits(value):
            raise ValidationError(NON_ASCII_DIGITS_MESSAGE, code="non_ascii_digits")
        return super().to_python(value)


def _is_draft(investment: Investment | None) -> bool:
    return investment is None or investment.state == WorkflowState.DRAFT


class ReturnToDraftForm(forms.Form):
    reason = forms.CharField(
        max_length=REASON_MAX_LENGTH,
        widget=forms.TextInput(attrs={"size": 80}),
        help_text="Kept in the figure's history, e.g. “The quote gives RMB 40bn, not $40bn.”",
    )


# Past this many companies a list of links in the sidebar is unusable, and rendering it took most
# of the changelist's time at 20,000 companies: editors search for a company instead.
MAX_COMPANY_CHOICES = 200
# Below this many rows an exact count is cheap; above it the planner's estimate is shown.
ESTIMATE_COUNT_ABOVE = 100_000


class CompanyListFilter(admin.RelatedOnlyFieldListFilter):
    """Companies that have figures, as sidebar links while they are few; `?company__id__exact=` always works."""

    def field_choices(self, field, request, model_admin):
        if Company.objects.count() > MAX_COMPANY_CHOICES:
            return []
        return super().field_choices(field, request, model_admin)

    def has_output(self) -> bool:
        # The changelist applies only filters that show; one in use must show to keep filtering.
        return super().has_output() or bool(self.used_parameters)


class EstimatedCountPaginator(Paginator):
    """
    The changelist without filters counts from PostgreSQL's statistics once the table is large:
    an exact COUNT(*) reads every row on every page view, and
    the number of pages does not need to be exact. Filtered lists are counted exactly.
    """

    @cached_property
    def count(self) -> int:
        query = getattr(self.object_list, "query", None)
        if query is not None and not query.where and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                    [self.object_list.model._meta.db_table],
                )
                row = cursor.fetchone()
            if row and row[0] >= ESTIMATE_COUNT_ABOVE:
                return int(row[0])
        return super().count


@admin.register(Investment)
class InvestmentAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    resource_classes = [InvestmentResource]
    formats = [CSV, XLSX]
    inlines = [CitationInline, VendorShareInline, ComponentInline]
    list_display = [
        "company",
        "title",
        "stated_amount",
        "usd_at_announcement",
        "announced_on",
        "scope",
        "workload",
        "evidence",
        "state_badge",
    ]
    list_display_links = ["title"]
    list_filter = [
        "state",
        "measure",
        "evidence",
        "scope",
        "workload",
        "category",
        "qualifier",
        "status",
        "disputed",
        "currency",
        ("company__country", admin.AllValuesFieldListFilter),
        ("company", CompanyListFilter),
    ]
    search_fields = ["company__name", "company__aliases", "company__legal_name", "title", "citations__source__title"]
    date_hierarchy = "announced_on"
    # Django's changelist, but for the years of the date hierarchy (capex/templatetags/capex_admin.py).
    change_list_template = "admin/capex/investment/change_list.html"
    autocomplete_fields = ["company", "partners", "chip_vendors", "parent", "supersedes"]
    list_select_related = ["company"]
    list_per_page = 50
    paginator = EstimatedCountPaginator
    # "N results (Show all)" instead of a second COUNT over every figure on each filtered page.
    show_full_result_count = False
    actions = ["submit_selected", "publish_selected", "return_selected_to_draft"]
    readonly_fields = [
        "state",
        "created_by",
        "updated_by",
        "reviewed_by",
        "created_at",
        "updated_at",
        "published_at",
        "conversion_at_announcement",
        "conversion_latest",
    ]
    fieldsets = [
        (
            "Who and when",
            {
                "fields": [
                    "company",
                    "partners",
                    "title",
                    "description",
                    "announced_on",
                    ("period_start", "period_end", "period_label"),
                ]
            },
        ),
        ("How much", {"fields": [("amount", "amount_high"), "qualifier", "currency", "measure"]}),
        ("What for", {"fields": ["scope", "target_countries", "category", "workload", "chip_vendors"]}),
        ("How sure", {"fields": ["evidence", "status", "disputed", "dispute_note", "last_checked_on"]}),
        ("Structure", {"fields": ["parent", "supersedes"]}),
        (
            "Workflow",
            {
                "fields": [
                    "state",
                    ("created_by", "created_at"),
                    ("updated_by", "updated_at"),
                    ("reviewed_by", "published_at"),
                ]
            },
        ),
        ("Conversions", {"fields": ["conversion_at_announcement", "conversion_latest"]}),
    ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in ("amount", "amount_high"):
            kwargs["form_class"] = AsciiDecimalFormField
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    # --- list columns ------------------------------------------------------------------------

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("company", "created_by", "updated_by", "reviewed_by")

    @admin.display(description="amount as stated", ordering="amount")
    def stated_amount(self, investment: Investment) -> str:
        return stated_amount_text(investment)

    @admin.display(description="USD at announcement", ordering="amount_usd_at_announcement")
    def usd_at_announcement(self, investment: Investment) -> str:
        return usd_amount_text(investment, FxBasis.ANNOUNCEMENT) or "not converted"

    @admin.display(description="state", ordering="state")
    def state_badge(self, investment: Investment) -> str:
        # Coloured by class from static/admin_site/admin.css: the CSP blocks a style="" attribute.
        return format_html(
            '<span class="workflow-state workflow-state-{}">{}</span>', investment.state, investment.get_state_display()
        )

    # --- read-only conversions ------------------------------------------------------------------

    @admin.display(description="USD at the announcement-date rate")
    def conversion_at_announcement(self, investment: Investment) -> str:
        return self._conversion(investment, FxBasis.ANNOUNCEMENT)

    @admin.display(description="USD at the latest rate")
    def conversion_latest(self, investment: Investment) -> str:
        return self._conversion(investment, FxBasis.LATEST)

    @staticmethod
    def _conversion(investment: Investment, basis: str) -> str:
        if investment is None or investment.pk is None:
            return "Filled in once the figure is saved."
        parts = conversion(investment, basis)
        if parts["text"] is None:
            return f"not converted ({parts['reason']})"
        if investment.currency == "USD":
            return f"{parts['text']} (stated in US dollars; no rate needed)"
        used = [f"rate {fx_rate(parts['rate'])} USD per {investment.currency}"]
        if parts["date"]:
            used.append(f"of {parts['date']:%Y-%m-%d}")
        text = f"{parts['text']} · {' '.join(used)}"
        return f"{text} · {parts['provider']}" if parts["provider"] else text

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            # Nothing to show about the workflow or conversions of a figure not yet saved.
            return [fieldset for fieldset in fieldsets if fieldset[0] not in ("Workflow", "Conversions")]
        return fieldsets

    # --- permissions ---------------------------------------------------------------------------

    def has_change_permission(self, request, obj=None):
        """Only drafts change; the others are read-only until returned to draft."""
        if obj is not None and obj.state != WorkflowState.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    def has_submit_permission(self, request) -> bool:
        return request.user.has_perm(SUBMIT_PERMISSION)

    def has_publish_permission(self, request) -> bool:
        return request.user.has_perm(PUBLISH_PERMISSION)

    def has_return_permission(self, request) -> bool:
        return request.user.has_perm(RETURN_PERMISSION) or request.user.has_perm(SUBMIT_PERMISSION)

    def has_import_permission(self, request) -> bool:
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request) -> bool:
        return self.has_view_permission(request)

    def revert_disabled(self, request, obj=None) -> bool:
        # Reverting from history would change a figure outside the workflow and its rules.
        return True

    def get_search_results(self, request, queryset, search_term):
        """In the parent picker, offer only headline figures: components are one level deep."""
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if request.GET.get("model_name") == "investment" and request.GET.get("field_name") == "parent":
            queryset = queryset.filter(parent__isnull=True)
        return queryset, may_have_duplicates

    # --- saving through the services -------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        """
        Every save of the form makes the user the figure's last editor, even when only its
        citations changed (they are part of what a reviewer checks: four eyes).
        """
        obj._history_user = request.user
        if change:
            changes = {name: form.cleaned_data[name] for name in form.changed_data if name not in MANY_TO_MANY}
            investment_update(investment=obj, updated_by=request.user, **changes)
            return
        values = {name: value for name, value in form.cleaned_data.items() if name not in MANY_TO_MANY}
        created = investment_create(
            created_by=request.user,
            partners=form.cleaned_data.get("partners", ()),
            chip_vendors=form.cleaned_data.get("chip_vendors", ()),
            **values,
        )
        _adopt(obj, created)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Citation:
            return super().save_formset(request, form, formset, change)
        citations = formset.save(commit=False)
        for citation in formset.deleted_objects:
            citation._history_user = request.user
            citation.delete()
        for citation in citations:
            if citation.pk is None:
                created = citation_add(
                    investment=form.instance,
                    source=citation.source,
                    quote=citation.quote,
                    locator=citation.locator,
                    by=request.user,
                )
                _adopt(citation, created)
            else:
                citation._history_user = request.user
                citation.full_clean()
                citation.save()
        return None

    def response_add(self, request, obj, post_url_continue=None):
        self._warn(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        self._warn(request, obj)
        return super().response_change(request, obj)

    @staticmethod
    def _warn(request, investment: Investment) -> None:
        for warning in investment_warnings(investment):
            messages.warning(request, warning)

    # --- the change page: workflow panel -------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        investment = self.get_object(request, unquote(object_id))
        if investment is not None:
            extra_context = {**(extra_context or {}), **self._workflow_context(request, investment)}
        return super().change_view(request, object_id, form_url, extra_context)

    def _workflow_context(self, request, investment: Investment) -> dict:
        user = request.user
        state = investment.state
        return {
            "workflow": {
                "state": investment.get_state_display(),
                "can_submit": state == WorkflowState.DRAFT and user.has_perm(SUBMIT_PERMISSION),
                "can_publish": investment_can_publish(investment, user),
                "four_eyes": state == WorkflowState.IN_REVIEW
                and user.has_perm(PUBLISH_PERMISSION)
                and investment_is_own(investment, user),
                "can_return": investment_can_return(investment, user),
                "read_only_note": (
                    f"This figure is {investment.get_state_display().lower()}, so it cannot be changed here. "
                    "Return it to draft to change it."
                    if state != WorkflowState.DRAFT
                    else ""
                ),
                "warnings": investment_warnings(investment),
            }
        }

    # --- workflow views and actions -------------------------------------------------------------

    def get_urls(self):
        admin_view = self.admin_site.admin_view
        return [
            path("extract/<int:source_id>/", admin_view(self.extract_view), name="capex_investment_extract"),
            path("<path:object_id>/submit/", admin_view(self.submit_view), name="capex_investment_submit"),
            path("<path:object_id>/publish/", admin_view(self.publish_view), name="capex_investment_publish"),
            path("<path:object_id>/return-to-draft/", admin_view(self.return_view), name="capex_investment_return"),
            *super().get_urls(),
        ]

    def extract_view(self, request, source_id: int):
        return extract_view(self, request, source_id)

    def _object_or_404(self, request, object_id) -> Investment:
        investment = self.get_object(request, unquote(object_id))
        if investment is None or not self.has_view_permission(request, investment):
            raise Http404("No such figure.")
        return investment

    def _change_url(self, investment: Investment) -> str:
        return reverse("admin:capex_investment_change", args=[investment.pk], current_app=self.admin_site.name)

    def _transition(self, request, object_id, service, done: str):
        investment = self._object_or_404(request, object_id)
        try:
            service(investment=investment, by=request.user)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, f"“{investment}” was not {done}: {error_text(error)}")
        else:
            messages.success(request, f"“{investment}” was {done}.")
        return HttpResponseRedirect(self._change_url(investment))

    @staticmethod
    def _submit(investment, by):
        return investment_submit(investment=investment, by=by)

    @staticmethod
    def _publish(investment, by):
        return investment_publish(investment=investment, by=by)

    def submit_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        return self._transition(request, object_id, self._submit, "sent for review")

    def publish_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        return self._transition(request, object_id, self._publish, "published")

    def return_view(self, request, object_id):
        investment = self._object_or_404(request, object_id)
        form = ReturnToDraftForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                investment_return_to_draft(investment=investment, by=request.user, reason=form.cleaned_data["reason"])
            except PermissionDenied as error:
                messages.error(request, f"“{investment}” was not returned to draft: {error_text(error)}")
                return HttpResponseRedirect(self._change_url(investment))
            except ValidationError as error:
                form.add_error(None, error_text(error))
            else:
                messages.success(request, f"“{investment}” was returned to draft.")
                return HttpResponseRedirect(self._change_url(investment))
        return self._return_page(request, [investment], form)

    def _return_page(self, request, investments: list[Investment], form, *, bulk: bool = False):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Return to draft",
            "investments": investments,
            "form": form,
            "bulk": bulk,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/capex/investment/return_to_draft.html", context)

    def _apply_to_each(self, request, queryset, service, done: str) -> None:
        """Run a workflow step on each selected figure and say, figure by figure, what happened."""
        for investment in queryset.select_related("company").order_by("pk"):
            try:
                service(investment)
            except (ValidationError, PermissionDenied) as error:
                messages.error(request, f"“{investment}”: not {done}. {error_text(error)}")
            else:
                messages.success(request, f"“{investment}”: {done}.")

    @admin.action(description="Send the selected drafts for review", permissions=["submit"])
    def submit_selected(self, request, queryset):
        self._apply_to_each(
            request, queryset, lambda investment: self._submit(investment, request.user), "sent for review"
        )

    @admin.action(description="Publish the selected figures", permissions=["publish"])
    def publish_selected(self, request, queryset):
        self._apply_to_each(request, queryset, lambda investment: self._publish(investment, request.user), "published")

    @admin.action(description="Return the selected figures to draft…", permissions=["return"])
    def return_selected_to_draft(self, request, queryset):
        form = ReturnToDraftForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            reason = form.cleaned_data["reason"]
            self._apply_to_each(
                request,
                queryset,
                lambda investment: investment_return_to_draft(investment=investment, by=request.user, reason=reason),
                "returned to draft",
            )
            return None
        return self._return_page(request, list(queryset.select_related("company")), form, bulk=True)


def _adopt(instance, created) -> None:
    """Make the admin's unsaved instance the row a service created, so the admin carries on with it."""
    for field in type(created)._meta.concrete_fields:
        setattr(instance, field.attname, getattr(created, field.attname))
    instance._state.adding = False
    instance._state.db = created._state.db
