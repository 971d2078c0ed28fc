"""Related fields that refuse input the database would choke on, so bad input is a 400, not a 500."""

import re

from rest_framework import serializers

from config.validators import NON_ASCII_DIGITS_MESSAGE, has_non_ascii_digits

MAX_ID = 2**63 - 1
SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]{1,200}$")


class IdRelatedField(serializers.PrimaryKeyRelatedField):
    """A primary key within the range of a database integer (SQLite and PostgreSQL overflow otherwise)."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if isinstance(data, str):
            if not data.isascii() or not data.isdigit() or len(data) > 19:
                self.fail("does_not_exist", pk_value=data[:30])
            data = int(data)
        if not 1 <= data <= MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


class SlugField(serializers.SlugRelatedField):
    """A related object named by its slug; a value that cannot be a slug is reported, not looked up."""

    def to_internal_value(self, data):
        if not isinstance(data, str) or not SLUG_RE.match(data):
            self.fail("does_not_exist", slug_name=self.slug_field, value=str(data)[:60])
        return super().to_internal_value(data)


class AsciiDecimalField(serializers.DecimalField):
    """
    A decimal written with the digits 0-9. Python's Decimal also reads Arabic-Indic, Devanagari
    and full-width digits, so "٣٠" would otherwise be stored as 30 without anyone noticing.
    """

    default_error_messages = {"non_ascii_digits": NON_ASCII_DIGITS_MESSAGE}

    def to_internal_value(self, data):
        if isinstance(data, str) and has_non_ascii_digits(data):
            self.fail("non_ascii_digits")
        return super().to_internal_value(data)
