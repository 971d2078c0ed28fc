"""The shape of publishers and sources in the API. A source's text is never shown."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.fields import IdRelatedField
from sources.choices import PublisherKind, Reliability, SourceKind
from sources.models import Publisher, Source


def absolute(request, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


class PublisherSerializer(serializers.ModelSerializer):
    """Who publishes sources, and how reliable they are by default."""

    api_url = serializers.HyperlinkedIdentityField(
        view_name="api:publisher-detail", help_text="This publisher in the API."
    )
    kind = serializers.ChoiceField(choices=PublisherKind.choices, read_only=True, help_text="Kind of publisher.")
    default_reliability = serializers.ChoiceField(
        choices=Reliability.choices, read_only=True, help_text="How far its sources are trusted by default."
    )

    class Meta:
        model = Publisher
        fields = ["id", "name", "domain", "kind", "default_reliability", "api_url"]
        extra_kwargs = {
            "id": {"help_text": "Identifier of the publisher."},
            "name": {"help_text": "Name, e.g. Financial Times."},
            "domain": {"help_text": "Web domain, e.g. ft.com."},
        }


class PublisherRefSerializer(serializers.ModelSerializer):
    """A publisher named inside a source."""

    api_url = serializers.HyperlinkedIdentityField(
        view_name="api:publisher-detail", help_text="This publisher in the API."
    )

    class Meta:
        model = Publisher
        fields = ["id", "name", "api_url"]
        extra_kwargs = {"id": {"help_text": "Identifier of the publisher."}, "name": {"help_text": "Publisher name."}}


class PublisherWriteSerializer(serializers.Serializer):
    """What a client sends to create a publisher."""

    name = serializers.CharField(max_length=200, help_text="Name, e.g. Financial Times.")
    domain = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="Web domain, e.g. ft.com."
    )
    kind = serializers.ChoiceField(choices=PublisherKind.choices, required=False, help_text="Kind of publisher.")
    default_reliability = serializers.ChoiceField(
        choices=Reliability.choices, required=False, help_text="How far its sources are trusted by default."
    )


class SourceSerializer(serializers.ModelSerializer):
    """One article, filing, press release, earnings call or post that figures are cited from."""

    api_url = serializers.HyperlinkedIdentityField(view_name="api:source-detail", help_text="This source in the API.")
    web_url = serializers.SerializerMethodField(help_text="This source's page on the website.")
    publisher = PublisherRefSerializer(read_only=True, allow_null=True, help_text="Who published it.")
    kind = serializers.ChoiceField(choices=SourceKind.choices, read_only=True, help_text="Kind of source.")

    class Meta:
        model = Source
        fields = [
            "id",
            "title",
            "url",
            "archived_url",
            "publisher",
            "authors",
            "published_on",
            "accessed_on",
            "language",
            "kind",
            "paywalled",
            "notes",
            "api_url",
            "web_url",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {
            "id": {"help_text": "Identifier of the source."},
            "title": {"help_text": "Title as published."},
            "url": {"help_text": "Address of the source (normalised); empty where it is not known."},
            "archived_url": {"help_text": "An archived copy, e.g. on the Wayback Machine."},
            "authors": {"help_text": "Authors, comma-separated."},
            "published_on": {"help_text": "Publication date."},
            "accessed_on": {"help_text": "When an editor last read it."},
            "language": {"help_text": "Language code (BCP 47), e.g. en, zh."},
            "paywalled": {"help_text": "Whether reading it needs a subscription."},
            "notes": {"help_text": "Editors' notes on the source, for each other; only staff see them."},
            "created_at": {"help_text": "When the record was created."},
            "updated_at": {"help_text": "When the record last changed."},
        }

    @extend_schema_field(serializers.URLField())
    def get_web_url(self, source: Source) -> str:
        return absolute(self.context.get("request"), source.get_absolute_url())

    def get_fields(self):
        """
        Editors write notes for each other; readers see the source, not the conversation. Left
        out of the fields themselves (DRF's documented hook), so no representation of a source,
        the API's, a CSV's columns or an export's, has them for anyone but staff.
        """
        fields = super().get_fields()
        if not is_staff(self.context.get("request")):
            fields.pop("notes", None)
        return fields


def is_staff(request) -> bool:
    user = getattr(request, "user", None)
    return bool(user and user.is_staff)


class SourceWriteSerializer(serializers.Serializer):
    """What a client sends to create or change a source."""

    title = serializers.CharField(max_length=500, help_text="Title as published.")
    url = serializers.URLField(max_length=1000, required=False, allow_blank=True, help_text="Address of the source.")
    publisher = IdRelatedField(
        queryset=Publisher.objects.all(), required=False, allow_null=True, help_text="Id of the publisher."
    )
    authors = serializers.CharField(
        max_length=500, required=False, allow_blank=True, help_text="Authors, comma-separated."
    )
    published_on = serializers.DateField(required=False, allow_null=True, help_text="Publication date.")
    accessed_on = serializers.DateField(required=False, allow_null=True, help_text="When it was read.")
    language = serializers.RegexField(
        r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
        max_length=10,
        required=False,
        help_text="Language code (BCP 47), e.g. en, zh, zh-Hans.",
    )
    kind = serializers.ChoiceField(choices=SourceKind.choices, required=False, help_text="Kind of source.")
    paywalled = serializers.BooleanField(required=False, help_text="Whether reading it needs a subscription.")
    archived_url = serializers.URLField(
        max_length=1000, required=False, allow_blank=True, help_text="An archived copy of the source."
    )
    notes = serializers.CharField(required=False, allow_blank=True, max_length=5000, help_text="Editors' notes.")
    text = serializers.CharField(
        required=False,
        allow_blank=True,
        write_only=True,
        max_length=1_000_000,
        help_text="The full text, kept private (never returned); used to extract figures.",
    )
