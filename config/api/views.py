"""Behaviour every API view shares, and the list/export plumbing of the resource viewsets."""

import hashlib

from django.http import Http404
from django.utils.cache import get_conditional_response
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed, ValidationError
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings

from config.api import MAX_PARAM_LENGTH
from config.api.export import Table, serializer_columns, streaming_export
from config.api.renderers import CSVRenderer, FastJSONRenderer, JSONLinesRenderer, Rendered
from config.cache import (
    answer_build,
    answer_kept,
    etag_matches,
    mark_private,
    mark_shared,
    normalised_query,
    wants_fresh,
)


class ApiViewMixin:
    """
    * Query parameters holding NUL characters or absurd lengths are refused with a 400 naming
      them (PostgreSQL cannot store NUL in text, and would answer with an error).
    * An unknown `?format=` is a 400 naming `format`, not DRF's 404.
    * Errors are JSON whatever format was asked for.
    * GET and HEAD answers carry a strong ETag and honour If-None-Match (304 Not Modified),
      and vary on the credentials, since staff see drafts. A view with a `cache_name` shares
      one JSON answer among anonymous readers per data version (`cached_answer`).
    """

    def initial(self, request, *args, **kwargs):
        if getattr(self, request.method.lower(), None) is None:
            # Before anything else looks at the request: a method not offered is a 405 for everyone.
            raise MethodNotAllowed(request.method)
        if request.query_params.get(api_settings.URL_FORMAT_OVERRIDE, None) == "":
            raise ValidationError({api_settings.URL_FORMAT_OVERRIDE: ["Name a format, or leave the parameter out."]})
        for key, values in request.query_params.lists():
            for value in [key, *values]:
                if "\x00" in value:
                    raise ValidationError({key.replace("\x00", ""): ["Null characters are not allowed."]})
                if len(value) > MAX_PARAM_LENGTH:
                    raise ValidationError({key[:50]: [f"At most {MAX_PARAM_LENGTH} characters."]})
        super().initial(request, *args, **kwargs)

    # The name answers of this view are cached under (config.cache); None: never cached.
    cache_name: str | None = None

    def answer_basis(self, request) -> str:
        """The USD basis an answer shows, part of its cache key and ETag (blank where none)."""
        return request.query_params.get("basis", "")

    def cached_answer(self, request, build) -> Response:
        """
        The JSON answer every anonymous reader of this URL shares, kept by (view, normalised
        query, basis) with its data version in the one cache (config.cache), with an ETag made
        from the two: a client that sends it back gets a 304 before anything is built or read.
        Signed-in readers (staff see drafts) get answers built afresh, marked private. While
        the cache is down, every answer is built and carries no shared ETag.
        """
        if self.cache_name is None or request.user.is_authenticated or request.accepted_renderer.format != "json":
            return build()
        kept = answer_kept(
            view=f"{self.cache_name}:{request.build_absolute_uri(request.path)}:{request.accepted_media_type}",
            query=normalised_query(request.query_params.lists()),
            basis=self.answer_basis(request),
            fresh=wants_fresh(request),
        )
        if kept is None:
            return build()
        if etag_matches(request, kept.etag):
            response = Response(status=304)
        else:
            body = kept.value
            if body is None:

                def built():
                    response = build()
                    if response.status_code != 200:
                        return None, response
                    renderer = request.accepted_renderer
                    return renderer.render(
                        response.data, request.accepted_media_type, self.get_renderer_context()
                    ), None

                body, failed = answer_build(kept, built)
                if body is None:
                    return failed
            response = Response(Rendered(body))
        mark_shared(response, kept.etag)
        return response

    def perform_content_negotiation(self, request, force=False):
        try:
            return super().perform_content_negotiation(request, force=force)
        except Http404:
            formats = sorted({renderer.format for renderer in self.get_renderers()})
            raise ValidationError(
                {api_settings.URL_FORMAT_OVERRIDE: [f"Unknown format; choose one of {', '.join(formats)}."]}
            ) from None

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if not isinstance(response, Response):
            return response
        renderer = getattr(response, "accepted_renderer", None)
        if response.status_code >= 400 and renderer is not None and renderer.format != "json":
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = JSONRenderer.media_type
        if request.method in ("GET", "HEAD") and "ETag" not in response:
            # Not a shared answer (config.cache): private, with an ETag of its body.
            mark_private(response)
            if response.status_code == 200 and not response.streaming:
                response.render()
                response["ETag"] = entity_tag(response.content)
                return get_conditional_response(request, etag=response["ETag"], response=response)
        return response


def entity_tag(body: bytes) -> str:
    """The strong ETag of a body: a digest of its bytes."""
    return '"' + hashlib.sha256(body).hexdigest()[:40] + '"'


_FORMAT_PARAMETER = OpenApiParameter(
    name="format",
    type=str,
    enum=["json", "csv"],
    description="`csv` returns this page as CSV (same columns as `export/`, next page in the `Link` header).",
)
_EXPORT_FORMAT_PARAMETER = OpenApiParameter(
    name="format",
    type=str,
    enum=["csv", "jsonl"],
    description="`csv` (default) or `jsonl` (JSON Lines, one object per line).",
)


class ResourceViewSet(ApiViewMixin, viewsets.GenericViewSet):
    """
    A resource with a list (JSON or one CSV page), a detail, and a streaming export of the
    whole filtered list, all shown by the resource's serializer (config.api.export takes its
    columns from it). Subclasses set `export_name`, and add the mixins for the writes they allow.
    """

    renderer_classes = [FastJSONRenderer, CSVRenderer]
    export_name: str

    def get_renderers(self):
        # JSON first, so clients that ask for */* get JSON; the browsable API last, for browsers.
        if self.action == "export":
            return [CSVRenderer(), JSONLinesRenderer()]
        if self.action == "list":
            return [FastJSONRenderer(), CSVRenderer(), BrowsableAPIRenderer()]
        if self.action == "retrieve":
            return [FastJSONRenderer(), BrowsableAPIRenderer()]
        return [FastJSONRenderer()]

    def filter_queryset(self, queryset):
        """The filters, ordering and their defaults are those of lists; a detail is found by its key alone."""
        if self.action not in ("list", "export", "datapackage"):
            return queryset
        return super().filter_queryset(queryset)

    @extend_schema(parameters=[_FORMAT_PARAMETER])
    def list(self, request, *args, **kwargs):
        return self.cached_answer(request, self.build_list)

    def build_list(self) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        data = self.get_serializer(page, many=True).data
        if self.request.accepted_renderer.format == "csv":
            columns = serializer_columns(self.get_serializer())
            response = Response(Table.flattened(columns, data))
            link = self.paginator.link_header()
            if link:
                response["Link"] = link
            return response
        return self.get_paginated_response(data)

    def retrieve(self, request, *args, **kwargs):
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        parameters=[_EXPORT_FORMAT_PARAMETER],
        filters=True,
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="Every matching row as CSV."),
            (200, "application/jsonl"): OpenApiResponse(
                OpenApiTypes.STR, description="Every matching row as JSON Lines."
            ),
        },
    )
    @action(detail=False, methods=["get"], url_path="export", pagination_class=None)
    def export(self, request, *args, **kwargs):
        """
        Every row matching the filters, streamed as CSV or JSON Lines, with the same columns as
        the CSV of a list page. Memory stays flat whatever the number of rows.
        """
        queryset = self.filter_queryset(self.get_queryset())
        return streaming_export(
            queryset=queryset,
            serializer_class=self.get_serializer_class(),
            context=self.get_serializer_context(),
            export_format=request.accepted_renderer.format,
            name=self.export_name,
        )
