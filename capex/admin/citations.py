"""
Citations on their own: search every quote, see which figures a source backs, and read a
citation's change history. They are added on their figure's page (inline); here they change
only while their figure is a draft, like the figure itself.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from capex.choices import WorkflowState
from capex.models import Citation


@admin.register(Citation)
class CitationAdmin(SimpleHistoryAdmin):
    list_display = ["investment", "source", "short_quote", "locator", "created_at"]
    list_filter = ["investment__state", "source__publisher"]
    search_fields = ["quote", "source__title", "investment__title", "investment__company__name"]
    autocomplete_fields = ["investment", "source"]
    list_select_related = ["investment__company", "source"]
    readonly_fields = ["investment", "created_at"]
    fields = ["investment", "source", "quote", "locator", "created_at"]

    @admin.display(description="quote")
    def short_quote(self, citation: Citation) -> str:
        return citation.quote if len(citation.quote) <= 120 else f"{citation.quote[:117]}…"

    def has_add_permission(self, request):
        # A citation belongs to a figure: add it on the figure's page.
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.investment.state != WorkflowState.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.investment.state != WorkflowState.DRAFT:
            return False
        return super().has_delete_permission(request, obj)

    def revert_disabled(self, request, obj=None) -> bool:
        return True
