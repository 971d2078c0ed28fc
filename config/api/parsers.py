"""Request body parsers of the API."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """
    DRF's JSON parser, with a body nested deeper than Python's decoder can follow answered as
    a 400 like any other malformed JSON, instead of a RecursionError (a 500). No figure, company
    or source is nested more than a few levels, so nothing legitimate is refused.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the body is nested too deeply.") from None
