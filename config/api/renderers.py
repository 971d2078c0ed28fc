"""JSON, CSV and JSON Lines renderers for list pages; errors are always rendered as JSON (see views)."""

import orjson
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

from config.api.export import Table, csv_chunks, jsonl_chunks


def _as_table(data) -> Table:
    if isinstance(data, Table):
        return data
    rows = data if isinstance(data, list) else [data]
    columns = list(rows[0].keys()) if rows else []
    return Table(columns=columns, rows=rows)


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        table = _as_table(data)
        return "".join(csv_chunks(table.columns, table.rows)).encode(self.charset)


class JSONLinesRenderer(BaseRenderer):
    media_type = "application/jsonl"
    format = "jsonl"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        return b"".join(jsonl_chunks(_as_table(data).rows))


_ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_NON_STR_KEYS
_LINE_SEPARATOR, _PARAGRAPH_SEPARATOR = "\u2028".encode(), "\u2029".encode()


class Rendered(bytes):
    """A JSON body rendered earlier (a shared cached answer): FastJSONRenderer sends it as it is."""


class FastJSONRenderer(JSONRenderer):
    """
    DRF's JSON, byte for byte, written by orjson (a renderer is DRF's documented extension
    point for output formats). Types orjson does not write as DRF does (dates, datetimes,
    decimals, lazy strings) go through DRF's encoder; anything orjson refuses, and indented
    output, is left to DRF's renderer.
    """

    fallback_encoder = JSONEncoder().default

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, Rendered):
            return bytes(data)
        if data is None or self.get_indent(accepted_media_type, renderer_context or {}) is not None:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            body = orjson.dumps(data, default=self.fallback_encoder, option=_ORJSON_OPTIONS)
        except orjson.JSONEncodeError:
            return super().render(data, accepted_media_type, renderer_context)
        # As DRF does: these two are valid JSON but end a line in JavaScript.
        if _LINE_SEPARATOR in body or _PARAGRAPH_SEPARATOR in body:
            body = body.replace(_LINE_SEPARATOR, b"\\u2028").replace(_PARAGRAPH_SEPARATOR, b"\\u2029")
        return body
