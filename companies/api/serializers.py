"""The shape of companies in the API. Rules live in companies.services and Company.clean()."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from companies.choices import CompanyKind
from companies.filters import COUNTRY_CHOICES
from companies.models import Company
from config.api.fields import SlugField


def absolute(request, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


class CompanyRefSerializer(serializers.ModelSerializer):
    """A company named inside another record."""

    slug = serializers.SlugField(read_only=True, help_text="Identifier used in URLs and filters.")
    name = serializers.CharField(read_only=True, help_text="Common name.")
    api_url = serializers.HyperlinkedIdentityField(
        view_name="api:company-detail", lookup_field="slug", help_text="This company in the API."
    )

    class Meta:
        model = Company
        fields = ["slug", "name", "api_url"]


class CompanySerializer(serializers.ModelSerializer):
    """A company as the API returns it."""

    api_url = serializers.HyperlinkedIdentityField(
        view_name="api:company-detail", lookup_field="slug", help_text="This company in the API."
    )
    web_url = serializers.SerializerMethodField(help_text="This company's page on the website.")
    aliases = serializers.SerializerMethodField(help_text='Other names people search for ("TikTok owner").')
    country = serializers.CharField(read_only=True, help_text="Headquarters country, ISO 3166-1 alpha-2.")
    country_name = serializers.SerializerMethodField(help_text="Headquarters country, in English.")
    parent = serializers.SlugRelatedField(
        slug_field="slug",
        read_only=True,
        allow_null=True,
        help_text="Slug of the company that owns this one, if tracked.",
    )
    kind = serializers.ChoiceField(choices=CompanyKind.choices, read_only=True, help_text="Kind of company.")

    class Meta:
        model = Company
        fields = [
            "slug",
            "name",
            "legal_name",
            "aliases",
            "country",
            "country_name",
            "parent",
            "kind",
            "ticker",
            "website",
            "description",
            "api_url",
            "web_url",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {
            "legal_name": {"help_text": "Registered name, e.g. ByteDance Ltd."},
            "ticker": {"help_text": "Exchange ticker, e.g. NASDAQ:MSFT."},
            "website": {"help_text": "The company's own website."},
            "description": {"help_text": "A few words on what the company is."},
            "created_at": {"help_text": "When the record was created."},
            "updated_at": {"help_text": "When the record last changed."},
        }

    @extend_schema_field(serializers.URLField())
    def get_web_url(self, company: Company) -> str:
        return absolute(self.context.get("request"), company.get_absolute_url())

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_aliases(self, company: Company) -> list[str]:
        return company.alias_list

    def get_country_name(self, company: Company) -> str:
        return company.country.name or str(company.country)


class CompanyWriteSerializer(serializers.Serializer):
    """What a client sends to create or change a company."""

    name = serializers.CharField(max_length=200, help_text="The common name, e.g. ByteDance.")
    slug = serializers.SlugField(max_length=200, help_text="Identifier used in URLs, e.g. bytedance.")
    legal_name = serializers.CharField(max_length=300, required=False, allow_blank=True, help_text="Registered name.")
    aliases = serializers.ListField(
        child=serializers.CharField(max_length=200),
        required=False,
        max_length=50,
        help_text='Other names people search for ("TikTok owner", "字节跳动").',
    )
    country = serializers.ChoiceField(
        choices=COUNTRY_CHOICES, help_text="Headquarters country, ISO 3166-1 alpha-2, e.g. CN."
    )
    parent = SlugField(
        slug_field="slug",
        queryset=Company.objects.all(),
        required=False,
        allow_null=True,
        help_text="Slug of the company that owns this one.",
    )
    kind = serializers.ChoiceField(choices=CompanyKind.choices, required=False, help_text="Kind of company.")
    ticker = serializers.CharField(max_length=30, required=False, allow_blank=True, help_text="Exchange ticker.")
    website = serializers.URLField(required=False, allow_blank=True, max_length=200, help_text="Company website.")
    description = serializers.CharField(
        required=False, allow_blank=True, max_length=5000, help_text="A few words on the company."
    )

    def validate_aliases(self, value: list[str]) -> str:
        for alias in value:
            if "\n" in alias or "\r" in alias:
                raise serializers.ValidationError("An alias is one line.")
        return "\n".join(alias.strip() for alias in value if alias.strip())
