"""
Publishers and sources in the admin. A source is found by title, URL, publisher or author
(the citation picker autocompletes against it); its history is kept field by field (its
private text excepted); sources import and export as CSV/XLSX by URL. A source that a figure
cites cannot be deleted: the admin lists the citations in the way.

The "Extract figures" button on a source opens the figure extraction view, which lives with
the figures in capex's admin (sources do not know about figures).
"""

from django.contrib import admin
from django.db import models
from django.db.models import Count
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from config.spreadsheets import CSV, XLSX
from sources.models import Publisher, Source
from sources.resources import SourceResource


@admin.register(Publisher)
class PublisherAdmin(admin.ModelAdmin):
    list_display = ["name", "domain", "kind", "default_reliability", "source_count"]
    list_filter = ["kind", "default_reliability"]
    search_fields = ["name", "domain"]
    # Said here: the model's ordering does not apply to the annotated (grouped) changelist query.
    ordering = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(source_total=Count("sources"))

    @admin.display(description="sources", ordering="source_total")
    def source_count(self, publisher: Publisher) -> int:
        return publisher.source_total


@admin.register(Source)
class SourceAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    # Addresses typed without a scheme are https (Django 6's default, chosen now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    resource_classes = [SourceResource]
    formats = [CSV, XLSX]
    list_display = ["title", "publisher", "published_on", "kind", "language", "paywalled", "citation_count"]
    list_filter = ["kind", "publisher__kind", "paywalled", "language", "publisher"]
    search_fields = ["title", "url", "publisher__name", "authors"]
    ordering = ["-published_on", "title"]
    date_hierarchy = "published_on"
    autocomplete_fields = ["publisher"]
    list_select_related = ["publisher"]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "url", "publisher", "authors", "kind"]}),
        ("Dates", {"fields": ["published_on", "accessed_on"]}),
        ("Access", {"fields": ["language", "paywalled", "archived_url"]}),
        ("Notes and text", {"fields": ["notes", "text"]}),
        ("Record", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(citation_total=Count("citations"))

    @admin.display(description="citations", ordering="citation_total")
    def citation_count(self, source: Source) -> int:
        return source.citation_total

    def has_import_permission(self, request) -> bool:
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request) -> bool:
        return self.has_view_permission(request)
