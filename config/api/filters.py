"""The API's filter backends: strict filters, and ordering on a whitelist with a unique tie-breaker."""

from django_filters import CharFilter
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter


class WhitelistOrderingFilter(OrderingFilter):
    """
    `?ordering=<field>` or `?ordering=-<field>`, one field from the view's `ordering_fields`
    (a dict of public name -> description). Anything else is a 400 naming `ordering`; DRF's
    own filter would silently ignore it. The primary key is appended as a tie-breaker, so the
    order is total and a cursor never skips or repeats rows that share a value.
    """

    ordering_description = "Sort order: a field name, or the name prefixed with `-` for descending."

    def get_ordering(self, request, queryset, view):
        raw = request.query_params.get(self.ordering_param)
        allowed = getattr(view, "ordering_fields", None) or {}
        if raw is None or raw == "":
            ordering = list(getattr(view, "ordering", None) or ["-id"])
        else:
            name = raw.strip()
            if name.lstrip("-") not in allowed or name.count("-") > 1:
                choices = ", ".join(sorted(allowed))
                raise ValidationError(
                    {
                        self.ordering_param: [
                            f"Unknown ordering {raw[:50]!r}; choose one of {choices} (prefix - to reverse)."
                        ]
                    }
                )
            ordering = [name]
        first = ordering[0]
        if first.lstrip("-") not in {"id", "pk"} and not any(term.lstrip("-") in {"id", "pk"} for term in ordering):
            ordering.append("-id" if first.startswith("-") else "id")
        return tuple(ordering)

    def get_schema_operation_parameters(self, view):
        allowed = getattr(view, "ordering_fields", None) or {}
        if not allowed:
            return []
        values = [""]  # left empty, as a form may send it: the default order
        for name in sorted(allowed):
            values.extend([name, f"-{name}"])
        lines = "\n".join(f"* `{name}`: {description}" for name, description in sorted(allowed.items()))
        default = ", ".join(getattr(view, "ordering", None) or ["-id"])
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": f"{self.ordering_description} Default (also when left empty) `{default}`.\n\n{lines}",
                "schema": {"type": "string", "enum": values},
            }
        ]


class FilterBackend(DjangoFilterBackend):
    """
    django-filter's backend, stricter about blanks: in the API a blank value of a filter that
    takes a date, a number, a choice or a name is a 400 naming the parameter (the HTML forms,
    sharing the FilterSets, treat a blank as "not given"). Free-text filters may be blank.
    """

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            errors = {}
            for name, values in request.query_params.lists():
                declared = filterset_class.base_filters.get(name)
                if declared is None or type(declared) is CharFilter:
                    continue
                if any(value.strip() == "" for value in values):
                    errors[name] = ["Give a value, or leave the parameter out."]
            if errors:
                raise ValidationError(errors)
        return kwargs
