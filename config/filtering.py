"""
What the apps' FilterSets share. They serve the HTML lists and the API alike, so nothing here
is specific to either.
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError


class FilterSet(django_filters.FilterSet):
    """
    A FilterSet where a blank value means "not given", for every filter: `?company=` lists
    everything, as `?q=` does. (django-filter already ignores a blank single value, but reports
    a blank among multiple values as an invalid choice; an HTML form's empty option sends one.)
    """

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        if data is not None and hasattr(data, "lists"):
            cleaned = data.copy()
            for key, values in data.lists():
                cleaned.setlist(key, [value for value in values if value != ""])
            data = cleaned
        super().__init__(data, queryset, request=request, prefix=prefix)


class StrictBooleanField(forms.NullBooleanField):
    """true/false (or 1/0); anything else is an error, where Django's field would read it as "unknown"."""

    widget = forms.TextInput

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise ValidationError("Enter true or false.", code="invalid")

    def validate(self, value):
        return None


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField
