"""
Exchange rates in the admin. Fetched rates are read-only: they are what the provider published.
Editors add manual rates (provider "manual", against the US dollar) for currencies no provider
covers; saving or deleting one goes through the services, which record it and recompute the
conversions.
"""

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from currencies.choices import RateProvider
from currencies.models import ExchangeRate, RateRefresh
from currencies.services import manual_rate_delete, manual_rate_save


class ManualRateForm(forms.ModelForm):
    """Only the manual provider and the US dollar as base can be chosen, so nothing else can be posted."""

    provider = forms.ChoiceField(
        choices=[(RateProvider.MANUAL, RateProvider.MANUAL.label)],
        initial=RateProvider.MANUAL,
        help_text="Rates fetched from the ECB or the pegs cannot be entered by hand.",
    )
    base = forms.ChoiceField(
        choices=[("USD", "USD · US Dollar")],
        initial="USD",
        help_text="A manual rate is entered against the US dollar.",
    )

    class Meta:
        model = ExchangeRate
        fields = ["provider", "base", "currency", "date", "rate"]
        help_texts = {
            "currency": "The currency no provider covers, e.g. TWD.",
            "date": "The day the rate holds for; figures up to a week later use it.",
            "rate": "Units of the currency that 1 US dollar buys on that day, e.g. 32.81.",
        }


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    form = ManualRateForm
    list_display = ("date", "provider", "base", "currency", "rate", "fetched_at")
    list_filter = ("provider", ("currency", admin.AllValuesFieldListFilter))
    search_fields = ("currency", "base")
    date_hierarchy = "date"
    ordering = ("-date", "currency")
    # The table holds hundreds of thousands of rows: no exact count on every page.
    show_full_result_count = False
    list_per_page = 100

    def get_actions(self, request: HttpRequest) -> dict:
        # A bulk delete would remove fetched rates and skip the recompute.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_change_permission(self, request: HttpRequest, obj: ExchangeRate | None = None) -> bool:
        if obj is not None and obj.provider != RateProvider.MANUAL:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: ExchangeRate | None = None) -> bool:
        if obj is not None and obj.provider != RateProvider.MANUAL:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: ExchangeRate, form: forms.ModelForm, change: bool) -> None:
        manual_rate_save(exchange_rate=obj)

    def delete_model(self, request: HttpRequest, obj: ExchangeRate) -> None:
        manual_rate_delete(exchange_rate=obj)


@admin.register(RateRefresh)
class RateRefreshAdmin(admin.ModelAdmin):
    """Every refresh run, as it happened: read-only."""

    list_display = (
        "started_at",
        "provider",
        "status",
        "rows_written",
        "newest_rate_date",
        "finished_at",
        "conversions_updated_at",
        "short_error",
    )
    list_filter = ("provider", "status")
    date_hierarchy = "started_at"
    search_fields = ("error",)

    @admin.display(description="error")
    def short_error(self, obj: RateRefresh) -> str:
        return obj.error if len(obj.error) <= 120 else obj.error[:117] + "..."

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: RateRefresh | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: RateRefresh | None = None) -> bool:
        return False
