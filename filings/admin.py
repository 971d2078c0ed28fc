"""
Reported capex and import runs in the admin. Imported values are read-only (they are what was
filed). Editors enter figures for companies that do not file XBRL with the SEC, with the source
and the quote that states the figure; each entry or change is a draft that another person, with
the publish permission, publishes (filings.services: reported_enter, reported_publish).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError

from filings.choices import EntryState, Origin
from filings.models import ImportRun, ReportedCapex
from filings.services import PUBLISH_PERMISSION, reported_enter, reported_publish

WORKFLOW_FIELDS = ("origin", "state", "created_by", "updated_by", "reviewed_by", "created_at")


class EditorEntryForm(forms.ModelForm):
    edgar_url = forms.URLField(required=False, max_length=300, assume_scheme="https")

    class Meta:
        model = ReportedCapex
        fields = [
            "company",
            "fiscal_year",
            "fiscal_quarter",
            "period_start",
            "period_end",
            "amount",
            "currency",
            "concept",
            "form",
            "accession_number",
            "filed_on",
            "edgar_url",
            "derived",
            "source",
            "quote",
        ]

    def clean(self):
        # What an editor enters is the editor's, whatever it was before: the model's checks
        # (source and quote required) run on it as such.
        self.instance.origin = Origin.EDITOR
        return super().clean()


@admin.register(ReportedCapex)
class ReportedCapexAdmin(admin.ModelAdmin):
    form = EditorEntryForm
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
    readonly_fields = WORKFLOW_FIELDS
    actions = ["publish"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.origin == Origin.EDGAR:
            return [field.name for field in obj._meta.fields]
        return self.readonly_fields

    def has_change_permission(self, request, obj=None):
        # Imported values are shown read-only; the view permission is enough to read them.
        if obj is not None and obj.origin == Origin.EDGAR:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.origin == Origin.EDGAR:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        reported_enter(reported=obj, by=request.user)
        if change:
            self.message_user(request, f"{obj}: saved as a draft; another person publishes it.", messages.INFO)

    def has_publish_permission(self, request) -> bool:
        return request.user.has_perm(PUBLISH_PERMISSION)

    @admin.action(description="Publish the selected drafts (review by a second person)", permissions=["publish"])
    def publish(self, request, queryset):
        published = 0
        for reported in queryset.filter(state=EntryState.DRAFT, origin=Origin.EDITOR):
            try:
                reported_publish(reported=reported, reviewer=request.user)
            except (ValidationError, PermissionDenied) as exc:
                text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                self.message_user(request, f"{reported}: {text}", messages.ERROR)
            else:
                published += 1
        if published:
            self.message_user(request, f"Published {published} figure(s).", messages.SUCCESS)


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ("started_at", "company", "status", "rows_written", "error")
    list_filter = ("status",)
    readonly_fields = ("company", "started_at", "finished_at", "status", "rows_written", "url", "error")

    def has_add_permission(self, request):
        return False
