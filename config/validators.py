"""
Validators shared by every app's models, so the admin, the API and imports refuse the same input
with the same message (a model field's validators run in all three).

* Dates a person enters (announced on, period start and end, published, accessed) lie in
  `EARLIEST_DATE` .. `LATEST_DATE`. Outside that range a date is a typing mistake, and a date
  near year 1 or 9999 breaks date arithmetic (a week before 0001-01-03 does not exist), which
  used to fail every set-based recompute.
* Names, titles and slugs carry no bidirectional control characters: U+202E and its kin make
  "txt.exe" read as "exe.txt" and let one company's name pose as another's.
* Amounts are written with ASCII digits: Python's Decimal reads Arabic-Indic and other digits,
  so "٣٠" would silently become 30.
"""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

EARLIEST_DATE = datetime.date(1990, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)

# Explicit embeddings, overrides and isolates, and the implicit marks (LRM, RLM, ALM).
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
_BIDI = re.compile(f"[{BIDI_CONTROLS}]")


def validate_date_in_range(value: datetime.date | None) -> None:
    """A date between 1990-01-01 and 2100-12-31, inclusive."""
    if value is None:
        return
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValidationError(
            "Enter a date between %(earliest)s and %(latest)s.",
            code="date_out_of_range",
            params={"earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()},
        )


@deconstructible
class NoBidiControls:
    """Refuses text with bidirectional control characters, naming the first one found."""

    message = "Remove the invisible direction control character (U+%(code)04X); it can disguise the text."
    code = "bidi_control"

    def __call__(self, value: str) -> None:
        if not value:
            return
        found = _BIDI.search(str(value))
        if found:
            raise ValidationError(self.message, code=self.code, params={"code": ord(found.group())})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NoBidiControls)

    def __hash__(self) -> int:
        return hash(NoBidiControls)


no_bidi_controls = NoBidiControls()


def has_non_ascii_digits(text: str) -> bool:
    """True for text with a digit outside 0-9 (Arabic-Indic, Devanagari, full-width and the like)."""
    return any(character.isdigit() and not character.isascii() for character in str(text))


NON_ASCII_DIGITS_MESSAGE = "Write the number with the digits 0-9."
