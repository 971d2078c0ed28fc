"""OpenAPI tweaks: the error answers every operation can give, and the body of text formats."""

from django_filters import CharFilter
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework.permissions import SAFE_METHODS

from config.api import MAX_PARAM_LENGTH
from config.api.permissions import ModelPermissionsOrReadOnly

TEXT_MEDIA_TYPES = {
    "text/csv": "CSV: a header row, then one row per record. Text that a spreadsheet would run as a "
    "formula (starting with =, +, -, @) is prefixed with a quote.",
    "application/jsonl": "JSON Lines: one JSON object per line, keys as in the CSV header.",
}

_DETAIL = {"$ref": "#/components/schemas/ErrorDetail"}
_VALIDATION = {"$ref": "#/components/schemas/ValidationError"}

ERROR_COMPONENTS = {
    "ErrorDetail": {
        "type": "object",
        "description": "An error that concerns the request as a whole.",
        "properties": {"detail": {"type": "string", "description": "What went wrong, in words."}},
        "required": ["detail"],
    },
    "ValidationError": {
        "type": "object",
        "description": (
            "Bad input: each key names a field or parameter (or `non_field_errors`) and holds the list "
            "of what is wrong with it; nested input (citations) nests the same way."
        ),
        "additionalProperties": {},
    },
}


def _limit_text(schema: dict) -> None:
    """Free-text query values: no NUL character, at most MAX_PARAM_LENGTH characters (see ApiViewMixin)."""
    if schema.get("type") == "array":
        _limit_text(schema.get("items", {}))
    elif schema.get("type") == "string" and "enum" not in schema and "format" not in schema:
        schema.setdefault("maxLength", MAX_PARAM_LENGTH)
        schema.setdefault("pattern", "^[^\\u0000]*$")


def _path_parameter_description(path: str, name: str) -> str:
    resource = path.split("/api/v1/", 1)[-1].split("/", 1)[0].replace("-", " ")
    if name == "slug":
        return f"Slug of the record in {resource}, e.g. `bytedance`."
    return f"Identifier of the record in {resource}."


def _error(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema, with the view's docstring first line as the summary."""

    def get_auth(self):
        """Reads are open to everyone: say so (an empty requirement) where the permission allows it."""
        auths = super().get_auth()
        readable = any(isinstance(permission, ModelPermissionsOrReadOnly) for permission in self.view.get_permissions())
        if self.method in SAFE_METHODS and readable and {} not in auths:
            auths.append({})
        return auths

    def get_summary(self):
        summary = super().get_summary()
        if summary:
            return summary
        description = self.get_description() or ""
        return description.strip().split("\n")[0].rstrip(".") or None


def add_error_responses(result, generator, request, public):
    """
    Document the answers DRF and this API give besides success, on every operation:
    400 (bad input, naming the field), 401/403 (credentials, permissions), 404, 405, 406,
    415 (writes), 409 (a conflicting concurrent write), 429 (throttled), 304 (conditional GET).
    """
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.update(ERROR_COMPONENTS)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query":
                    _limit_text(parameter["schema"])
                elif parameter.get("in") == "path" and not parameter.get("description"):
                    parameter["description"] = _path_parameter_description(path, parameter["name"])
            responses = operation.setdefault("responses", {})
            for content in (response.get("content", {}) for response in responses.values()):
                for media_type, body in content.items():
                    if media_type.split(";")[0] in TEXT_MEDIA_TYPES:
                        body["schema"] = {"type": "string", "description": TEXT_MEDIA_TYPES[media_type.split(";")[0]]}
            responses.setdefault(
                "400", _error("Bad input; the keys name the fields or parameters at fault.", _VALIDATION)
            )
            responses.setdefault(
                "401", _error("Credentials were sent and are not valid, or a write was tried without them.", _DETAIL)
            )
            responses.setdefault("403", _error("The user lacks the permission this request needs.", _DETAIL))
            responses.setdefault("404", _error("No such record, or it is not published.", _DETAIL))
            responses.setdefault("405", _error("The method is not offered here; see the Allow header.", _DETAIL))
            responses.setdefault("406", _error("None of the formats in the Accept header can be produced.", _DETAIL))
            responses.setdefault("429", _error("Too many requests; retry after the seconds in Retry-After.", _DETAIL))
            if method in ("post", "put", "patch"):
                responses.setdefault("409", _error("A concurrent write saved a conflicting record.", _DETAIL))
                responses.setdefault("415", _error("The body must be JSON (Content-Type: application/json).", _DETAIL))
            if method == "get":
                responses.setdefault("304", {"description": "Not modified: the ETag in If-None-Match still matches."})
                ok = responses.get("200")
                if ok is not None:
                    ok.setdefault("headers", {})["ETag"] = {
                        "schema": {"type": "string"},
                        "description": "A strong validator of the body; send it back in If-None-Match.",
                    }
    return result


class StrictFilterExtension(DjangoFilterExtension):
    """
    The filter parameters of config.api.filters.FilterBackend, which refuses a blank value for
    every filter but free text: the schema says so (minLength 1), so a blank is known to be bad input.
    """

    target_class = "config.api.filters.FilterBackend"
    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(auto_schema, model, filterset_class, field_name, filter_field)
        for parameter in parameters:
            for bound, keyword in (("min_value", "minimum"), ("max_value", "maximum")):
                value = filter_field.extra.get(bound)
                if value is not None:
                    parameter["schema"][keyword] = int(value) if value == int(value) else float(value)
        if type(filter_field) is not CharFilter:
            for parameter in parameters:
                schema = parameter["schema"]
                target = schema.get("items", {}) if schema.get("type") == "array" else schema
                if target.get("type") == "string" and "enum" not in target and "format" not in target:
                    target["minLength"] = 1
        return parameters
