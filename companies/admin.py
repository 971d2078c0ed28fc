"""
Companies in the admin: search by any name or alias (the figure and vendor pickers autocomplete
against it), the change history field by field, and CSV/XLSX import and export by slug.
"""

from django.contrib import admin
from django.db import models
from django.db.models import Count
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from companies.models import Company
from companies.resources import CompanyResource
from config.spreadsheets import CSV, XLSX


@admin.register(Company)
class CompanyAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    # Addresses typed without a scheme are https (Django 6's default, chosen now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    resource_classes = [CompanyResource]
    formats = [CSV, XLSX]
    list_display = ["name", "kind", "country", "ticker", "parent", "figures"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "legal_name", "aliases", "ticker", "slug"]
    # Said here: the model's ordering does not apply to the annotated (grouped) changelist query.
    ordering = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "legal_name", "aliases", "kind"]}),
        ("Where and who", {"fields": ["country", "parent", "ticker", "website"]}),
        ("About", {"fields": ["description"]}),
        ("Record", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(figure_count=Count("investments", distinct=True))

    @admin.display(description="figures", ordering="figure_count")
    def figures(self, company: Company) -> int:
        return company.figure_count

    def has_import_permission(self, request) -> bool:
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request) -> bool:
        return self.has_view_permission(request)
