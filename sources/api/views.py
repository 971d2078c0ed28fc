"""Publishers and sources in the API: read by anyone, written through sources.services with a token."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from config.api.views import ResourceViewSet
from sources.api.serializers import (
    PublisherSerializer,
    PublisherWriteSerializer,
    SourceSerializer,
    SourceWriteSerializer,
)
from sources.filters import PublisherFilterSet, SourceFilterSet
from sources.models import Publisher, Source
from sources.services import publisher_create, source_create, source_update

ID_PATTERN = r"[0-9]{1,18}"


class PublisherViewSet(ResourceViewSet):
    """Publishers of sources: news outlets, companies, regulators, newswires, analysts, AI-generated sites."""

    queryset = Publisher.objects.all()
    lookup_value_regex = ID_PATTERN
    filterset_class = PublisherFilterSet
    ordering = ["name"]
    ordering_fields = {"name": "Publisher name.", "id": "Order of entry."}
    export_name = "publishers"

    def get_serializer_class(self):
        return PublisherWriteSerializer if self.action == "create" else PublisherSerializer

    @extend_schema(request=PublisherWriteSerializer, responses={201: PublisherSerializer})
    def create(self, request, *args, **kwargs):
        """Create a publisher (needs `sources.add_publisher`)."""
        serializer = PublisherWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        publisher = publisher_create(**serializer.validated_data)
        data = PublisherSerializer(publisher, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED, headers={"Location": data["api_url"]})


class SourceViewSet(ResourceViewSet):
    """The articles, filings, press releases, earnings calls and posts that figures are cited from."""

    queryset = Source.objects.select_related("publisher").defer("text")
    lookup_value_regex = ID_PATTERN
    filterset_class = SourceFilterSet
    ordering = ["-published_on", "-id"]
    ordering_fields = {
        "published_on": "Publication date.",
        "title": "Title.",
        "id": "Order of entry.",
        "updated_at": "Last change of the record.",
    }
    export_name = "sources"

    def get_serializer_class(self):
        return SourceWriteSerializer if self.action in ("create", "partial_update") else SourceSerializer

    def _read(self, source: Source) -> dict:
        return SourceSerializer(source, context=self.get_serializer_context()).data

    @extend_schema(request=SourceWriteSerializer, responses={201: SourceSerializer})
    def create(self, request, *args, **kwargs):
        """Create a source (needs `sources.add_source`); its URL is normalised, one document is stored once."""
        serializer = SourceWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        source = source_create(**serializer.validated_data)
        data = self._read(source)
        return Response(data, status=status.HTTP_201_CREATED, headers={"Location": data["api_url"]})

    @extend_schema(request=SourceWriteSerializer, responses={200: SourceSerializer})
    def partial_update(self, request, *args, **kwargs):
        """Change some of a source's fields (needs `sources.change_source`)."""
        source = Source.objects.select_related("publisher").get(pk=self.get_object().pk)
        serializer = SourceWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        source = source_update(source=source, **serializer.validated_data)
        return Response(self._read(source))
