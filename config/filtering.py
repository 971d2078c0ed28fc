"""
What the apps' FilterSets share. They serve the HTML lists and the API alike, so nothing here
is specific to either.
"""

import copy
from collections.abc import Iterable

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict


class SharedChoices(tuple):
    """
    Choices that every copy of a filter shares. django-filter deep-copies each filter for every
    request; copying the 250 countries and 180 currencies dominated the cost of a list request.
    """

    def __new__(cls, choices: Iterable):
        return super().__new__(cls, (tuple(choice) for choice in choices))

    def __deepcopy__(self, memo):
        return self


def _own_copy(declared: django_filters.Filter) -> django_filters.Filter:
    """
    A filter of the class's for one FilterSet instance. django-filter deep-copies every filter
    for every request (a tenth of a list request's time), though what an instance sets on its
    filters is its own attributes (`model`, `parent`); the rest (lookup, field arguments, the
    field once made) is read-only after the class is built, so a shallow copy serves. The one
    exception: a `method=` filter's FilterMethod points back at the filter it was made for, so
    each copy gets its own.
    """
    own = copy.copy(declared)
    if own.method is not None:
        own.method = own.method  # the setter replaces the FilterMethod with one bound to this copy
    return own


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
        # django-filter's own __init__, but for how the filters are copied (see `_own_copy`).
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {name: _own_copy(declared) for name, declared in self.base_filters.items()}
        for filter_ in self.filters.values():
            filter_.model = queryset.model
            filter_.parent = self

    def get_form_class(self):
        """
        django-filter builds a new form class for every instance (every request): a class with a
        field per filter, each field made anew. No filter here makes its field from the request
        (their querysets are fixed), so one class per FilterSet serves every instance.
        """
        form_class = type(self).__dict__.get("_form_class")
        if form_class is None:
            form_class = super().get_form_class()
            if not issubclass(form_class, FilterForm):
                form_class = type(form_class.__name__, (FilterForm, form_class), {})
            form_class.base_fields = _SharedFields(form_class.base_fields)
            type(self)._form_class = form_class
        return form_class


class FilterForm(forms.Form):
    """
    The form of a FilterSet, which cleans only the fields its data holds. A filter left out is
    not applied whatever its field would make of nothing (django-filter skips empty values), so
    cleaning all twenty-odd fields of a form for the one or two a request gives was work for
    nothing. A field left out is simply not in `cleaned_data`.
    """

    def _clean_fields(self):
        # Django's own loop (BaseForm._clean_fields), skipping the fields the data leaves out.
        for name, field in self.fields.items():
            if not field.disabled and _left_out(field.widget, self.data, self.files, self.add_prefix(name)):
                continue
            bf = self[name]
            try:
                self.cleaned_data[name] = field._clean_bound_field(bf)
                if hasattr(self, f"clean_{name}"):
                    self.cleaned_data[name] = getattr(self, f"clean_{name}")()
            except ValidationError as error:
                self.add_error(name, error)


def _left_out(widget: forms.Widget, data, files, name: str) -> bool:
    """
    Whether the data holds nothing for this widget. Django cannot tell an empty multiple choice
    from a missing one in a form it posted, and never reports one as left out; in a query string
    an unchosen multiple choice is simply absent.
    """
    if getattr(widget, "allow_multiple_selected", False):
        return name not in data
    return widget.value_omitted_from_data(data, files, name)


class _SharedFields(dict):
    """
    The fields of a filter form, shared by its instances. A Django form deep-copies its class's
    fields for every instance, in case the instance changes one; a fifth of a list request's
    filtering was copying filter fields (their widgets, messages and querysets) that nothing
    changes: validating and rendering only read them. Each form still gets its own dict of them.
    """

    def __deepcopy__(self, memo):
        return dict(self)


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
