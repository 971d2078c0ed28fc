"""
Reported capex and import runs in the admin. Imported values are read-only (they are what was
filed); editors enter figures for companies that do not file XBRL with the SEC, with a source and
quote, as drafts that another person publishes.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from filings.choices import EntryState, Origin
from filings.models import ImportRun, ReportedCapex
from filings.services import reported_publish


@admin.register(ReportedCapex)
class ReportedCapexAdmin(admin.ModelAdmin):
    list_display = (
        "company",
        "fiscal_year",
        "fiscal_quarter",
        "amount",
        "currency",
        "form",
        "filed_on",
        "derived",
        "origin",
        "state",
    )
    list_filter = ("origin", "state", "derived", "form", "concept")
    search_fields = ("company__name", "accession_number")
    autocomplete_fields = ("company", "source")
    readonly_fields = ("created_by", "reviewed_by", "state", "created_at")
    actions = ["publish"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.origin == Origin.EDGAR:
            return [field.name for field in obj._meta.fields]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not change:
            obj.origin = Origin.EDITOR
            obj.state = EntryState.DRAFT
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description="Publish the selected drafts (review by a second person)")
    def publish(self, request, queryset):
        for reported in queryset.filter(state=EntryState.DRAFT):
            try:
                reported_publish(reported=reported, reviewer=request.user)
            except ValidationError as exc:
                self.message_user(request, f"{reported}: {' '.join(exc.messages)}", messages.ERROR)


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ("started_at", "company", "status", "rows_written", "error")
    list_filter = ("status",)
    readonly_fields = ("company", "started_at", "finished_at", "status", "rows_written", "url", "error")

    def has_add_permission(self, request):
        return False
