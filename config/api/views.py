"""Behaviour every API view shares, and the list/export plumbing of the resource viewsets."""

import hashlib

from django.core.cache import cache
from django.http import Http404
from django.utils.cache import get_conditional_response, patch_vary_headers
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings

from config.api import MAX_PARAM_LENGTH
from config.api.export import ExportSpec, Table, streaming_export
from config.api.plans import PLANS, CompiledRows
from config.api.renderers import CSVRenderer, FastJSONRenderer, JSONLinesRenderer, Rendered


class ApiViewMixin:
    """
    * Query parameters holding NUL characters or absurd lengths are refused with a 400 naming
      them (PostgreSQL cannot store NUL in text, and would answer with an error).
    * An unknown `?format=` is a 400 naming `format`, not DRF's 404.
    * Errors are JSON whatever format was asked for.
    * GET and HEAD answers carry a strong ETag of their body and honour If-None-Match
      (304 Not Modified), and vary on the credentials, since staff see drafts.
    * A view may share one JSON answer among anonymous readers (`shared_cache_key`, `_shared`).
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

    # The longest a shared answer is served (see `shared_cache_key`), whatever its key.
    shared_cache_timeout = 60
    # The viewset actions answered through `_shared` (a plain view has no action: None).
    shared_cache_actions = frozenset({"list", None})

    def shared_cache_key(self, request) -> str | None:
        """
        The cache key of the JSON answer that every anonymous reader of this URL gets, or None
        (the default) to build every answer. A view that returns a key must make sure a stored
        answer is not served once it may have changed: the investments and stats views store
        each answer with the data version it was built at (`shared_cache_read`/`_write`).
        """
        return None

    def shared_cache_read(self, key: str) -> tuple[object, tuple[bytes, str] | None]:
        """
        A stamp to store a new answer with, and the answer kept under `key` (its body and ETag,
        computed once when it was stored) if it may be served.
        """
        return None, cache.get(key)

    def shared_cache_read_counted(
        self, key: str, counter: tuple[str, int], *, answer: bool = True
    ) -> tuple[int | None, object, tuple[bytes, str] | None]:
        """
        `shared_cache_read(key)` with a throttle's count (`counter`: its key and period) made in
        the same cache round trip: (count, stamp, answer). Without `answer`, the stamp alone
        is read with the count (`shared_cache_stamp`), for an answer to be built afresh. Only
        asked of a cache that can (`count_and_get_many`).
        """
        count, found = cache.count_and_get_many(*counter, [key] if answer else [])
        return count, None, found.get(key)

    def shared_cache_stamp(self) -> object:
        """The stamp alone, for an answer built afresh: the one kept is not read (a list page is ~90 kB)."""
        return None

    def shared_cache_write(self, key: str, stamp: object, answer: tuple[bytes, str]) -> None:
        cache.set(key, answer, self.shared_cache_timeout)

    def _shared(self, request, build) -> Response:
        """
        The anonymous JSON answer from the cache, or built and stored. Signed-in readers (staff see
        drafts) neither read nor fill it, and `Cache-Control: no-cache` asks for a fresh answer.
        Throttles, permissions and content negotiation have run before; only 200s are stored, so
        the query of a shared answer was checked when it was built.
        """
        if request.user.is_authenticated or request.accepted_renderer.format != "json":
            return build()
        # What `check_throttles` read with the throttle count, if it could: the key and the answer.
        read = getattr(self, "_shared_read", None)
        key = read[0] if read is not None else self.shared_cache_key(request)
        if key is None:
            return build()
        if "no-cache" in request.headers.get("Cache-Control", ""):
            stamp = read[1] if read is not None else self.shared_cache_stamp()
        else:
            stamp, stored = read[1:] if read is not None else self.shared_cache_read(key)
            if _is_answer(stored):
                return _shared_response(*stored)
        self.shared_stamp = stamp  # what the answer is built at, for a view that keys more by it
        response = build()
        if response.status_code == 200:
            body = request.accepted_renderer.render(
                response.data, request.accepted_media_type, self.get_renderer_context()
            )
            etag = entity_tag(body)
            self.shared_cache_write(key, stamp, (body, etag))
            response = _shared_response(body, etag)
        return response

    def check_throttles(self, request):
        """
        DRF's, except for an anonymous request that may be answered from the shared cache: its
        throttle's count and the kept answer travel in one cache round trip instead of two (they
        were a third of a cached answer's time), and `_shared` serves what was read. For a
        request that asks for a fresh answer (`Cache-Control: no-cache`) the count travels with
        the stamp alone, which the answer will be stored with.
        """
        self._shared_read = None
        key = self._shared_key_to_read(request)
        throttles = self.get_throttles()
        if key is None or not all(hasattr(throttle, "counter") for throttle in throttles):
            return super().check_throttles(request)
        counted = [(throttle, throttle.counter(request, self)) for throttle in throttles]
        counted = [(throttle, counter) for throttle, counter in counted if counter is not None]
        if len(counted) != 1:
            return super().check_throttles(request)
        chosen, counter = counted[0]
        fresh = "no-cache" in request.headers.get("Cache-Control", "")
        count, stamp, stored = self.shared_cache_read_counted(key, counter, answer=not fresh)
        self._shared_read = (key, stamp, stored)
        durations = []
        for throttle in throttles:
            allowed = throttle.allow_counted(count) if throttle is chosen else throttle.allow_request(request, self)
            if not allowed:
                durations.append(throttle.wait())
        if durations:
            self.throttled(request, max((duration for duration in durations if duration is not None), default=None))

    def _shared_key_to_read(self, request) -> str | None:
        """The shared answer `_shared` would look for, if the cache can read it with a throttle count."""
        if not hasattr(cache, "count_and_get_many") or request.user.is_authenticated:
            return None
        if request.accepted_renderer.format != "json":
            return None
        if getattr(self, "action", None) not in self.shared_cache_actions:
            return None
        return self.shared_cache_key(request)

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
        if request.method in ("GET", "HEAD"):
            patch_vary_headers(response, ("Authorization", "Cookie"))
            if response.status_code == 200:
                response.render()
                if "ETag" not in response:  # a shared answer carries the one computed when it was stored
                    response["ETag"] = entity_tag(response.content)
                return get_conditional_response(request, etag=response["ETag"], response=response)
        return response


def entity_tag(body: bytes) -> str:
    """The strong ETag of a body: a digest of its bytes."""
    return '"' + hashlib.sha256(body).hexdigest()[:40] + '"'


def _is_answer(stored) -> bool:
    """A stored (body, ETag) pair; anything else (none, or what an earlier release stored) is a miss."""
    return isinstance(stored, tuple) and len(stored) == 2 and isinstance(stored[0], bytes)


def _shared_response(body: bytes, etag: str) -> Response:
    response = Response(Rendered(body))
    response["ETag"] = etag
    return response


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
    whole filtered list. Subclasses set `export_spec` and `export_name`, and add the mixins
    for the writes they allow.
    """

    renderer_classes = [FastJSONRenderer, CSVRenderer]
    export_spec: ExportSpec
    export_name: str

    def get_renderers(self):
        if self.action == "export":
            return [CSVRenderer(), JSONLinesRenderer()]
        if self.action == "list":
            return [FastJSONRenderer(), CSVRenderer()]
        return [FastJSONRenderer()]

    def filter_queryset(self, queryset):
        """The filters, ordering and their defaults are those of lists; a detail is found by its key alone."""
        if self.action not in ("list", "export"):
            return queryset
        return super().filter_queryset(queryset)

    @extend_schema(parameters=[_FORMAT_PARAMETER])
    def list(self, request, *args, **kwargs):
        return self._shared(request, self._list)

    # PostgreSQL types a planned page reads as the server's text (config.db.read_as_text), for
    # a `page_data` that shows them as that text.
    page_text_types: tuple[str, ...] = ()

    def page_plan_key(self, request) -> object | None:
        """
        The key under which this request's page plan is kept (config.api.plans), or None (the
        default) to build every page's query. It must cover whatever the plan depends on besides
        the query string, and only a page read as plain rows (`values()`) can be planned.
        """
        return None

    def _list(self):
        request = self.request
        key = self.page_plan_key(request)
        if key is None:
            page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        else:
            page = self._planned_page(key)
        if request.accepted_renderer.format == "csv":
            ids = [obj.pk for obj in page]
            rows = self.export_spec.rows_for_ids(self.get_queryset(), ids, request)
            response = Response(Table(columns=self.export_spec.names, rows=rows))
            link = self.paginator.link_header()
            if link:
                response["Link"] = link
            return response
        return self.get_paginated_response(self.page_data(page))

    def _planned_page(self, key) -> list:
        """The page from the plan kept under `key`, or from a plan built now and kept once its query ran."""
        found = PLANS.get(key)
        if found is not None:
            plan, rows = found
            return self.paginator.paginate_plan(plan, self.request, rows())
        plan = self.paginator.plan(self.filter_queryset(self.get_queryset()), self.request, self)
        rows = CompiledRows(plan.queryset, as_text=self.page_text_types)
        results = rows()
        PLANS.put(key, plan, rows)
        return self.paginator.paginate_plan(plan, self.request, results)

    def page_data(self, page) -> list:
        """The rows of a JSON list page; a resource may build them faster than its serializer does."""
        return self.get_serializer(page, many=True).data

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
            spec=self.export_spec,
            queryset=queryset,
            request=request,
            export_format=request.accepted_renderer.format,
            name=self.export_name,
        )
