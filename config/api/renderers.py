"""CSV and JSON Lines renderers for list pages; errors are always rendered as JSON (see views)."""

from rest_framework.renderers import BaseRenderer

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
