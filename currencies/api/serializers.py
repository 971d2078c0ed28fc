"""Exchange rates, refresh runs and the freshness of the rates, as the API returns them."""

from rest_framework import serializers

from currencies.choices import RateProvider, RefreshStatus
from currencies.models import ExchangeRate, RateRefresh


class ExchangeRateSerializer(serializers.ModelSerializer):
    """One published rate: 1 unit of `base` buys `rate` units of `currency` on `date`."""

    provider = serializers.ChoiceField(choices=RateProvider.choices, help_text="Where the rate comes from.")

    class Meta:
        model = ExchangeRate
        fields = ["id", "provider", "base", "currency", "date", "rate", "fetched_at"]
        read_only_fields = fields
        extra_kwargs = {
            "id": {"help_text": "Identifier of the rate."},
            "base": {"help_text": "Base currency (ISO 4217)."},
            "currency": {"help_text": "Quoted currency (ISO 4217)."},
            "date": {"help_text": "The day the rate is published for."},
            "rate": {"help_text": "Units of `currency` that 1 unit of `base` buys."},
            "fetched_at": {"help_text": "When it was stored."},
        }


class RateRefreshSerializer(serializers.ModelSerializer):
    """One refresh run of one provider."""

    provider = serializers.ChoiceField(choices=RateProvider.choices, help_text="Provider refreshed.")
    status = serializers.ChoiceField(choices=RefreshStatus.choices, help_text="Outcome of the run.")

    class Meta:
        model = RateRefresh
        fields = [
            "id",
            "provider",
            "status",
            "started_at",
            "finished_at",
            "rows_written",
            "newest_rate_date",
            "error",
            "conversions_updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "id": {"help_text": "Identifier of the run."},
            "started_at": {"help_text": "When the run started."},
            "finished_at": {"help_text": "When it finished; null while running."},
            "rows_written": {"help_text": "New rates stored by this run."},
            "newest_rate_date": {"help_text": "The newest rate date the provider returned."},
            "error": {"help_text": "Why the run failed or what it missed."},
            "conversions_updated_at": {
                "help_text": "When the stored USD conversions were recomputed with these rates; null until then."
            },
        }


class LastRefreshSerializer(serializers.Serializer):
    provider = serializers.ChoiceField(choices=RateProvider.choices, help_text="Provider refreshed.")
    status = serializers.ChoiceField(choices=RefreshStatus.choices, help_text="Outcome of the run.")
    started_at = serializers.DateTimeField(help_text="When the run started.")
    finished_at = serializers.DateTimeField(allow_null=True, help_text="When it finished; null while running.")
    rows_written = serializers.IntegerField(help_text="New rates stored by the run.")
    error = serializers.CharField(allow_blank=True, help_text="Why the run failed or what it missed.")


class RatesFreshnessSerializer(serializers.Serializer):
    """How fresh the exchange rates behind every USD figure are."""

    rates_as_of = serializers.DateField(allow_null=True, help_text="Date of the newest stored feed rate.")
    business_days_old = serializers.IntegerField(
        allow_null=True, help_text="Business days between that date and today; null without rates."
    )
    is_stale = serializers.BooleanField(help_text="True when the newest rate is too old, or there are none.")
    stale_after_business_days = serializers.IntegerField(help_text="The age at which rates count as stale.")
    last_refresh = LastRefreshSerializer(allow_null=True, help_text="The latest refresh run of a rate feed.")
