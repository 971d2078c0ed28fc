"""
What the apps' FilterSets share. They serve the HTML lists and the API alike, so nothing here
is specific to either.
"""

from collections.abc import Iterable

import django_filters
from django import forms
from django.core.exceptions import ValidationError


class SharedChoices(tuple):
    """
    Choices that every copy of a filter shares. django-filter deep-copies each filter for every
    request; copying the 250 countries and 180 currencies dominated the cost of a list request.
    """

    def __new__(cls, choices: Iterable):
        return super().__new__(cls, (tuple(choice) for choice in choices))

    def __deepcopy__(self, memo):
        return self


class FilterSet(django_filters.FilterSet):
    """
    A FilterSet where a blank value means "not given", for every filter: `?company=` lists
    everything, as `?q=` does. (django-filter already ignores a blank single value, but reports
    a blank among multiple values as an invalid choice; an HTML form's empty option sends one.)
    """

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and hasattr(data, "lists"):
            cleaned = data.copy()
            for key, values in data.lists():
                cleaned.setlist(key, [value for value in values if value != ""])
            data = cleaned
        super().__init__(data, *args, **kwargs)

    def get_form_class(self):
        """
        django-filter builds a new form class for every instance (every request): a class with a
        field per filter, each field made anew. No filter here makes its field from the request
        (their querysets are fixed), so one class per FilterSet serves every instance.
        """
        form_class = type(self).__dict__.get("_form_class")
        if form_class is None:
            form_class = super().get_form_class()
            type(self)._form_class = form_class
        return form_class


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
