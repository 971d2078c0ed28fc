"""Writes to publishers and sources."""

from typing import Any

from django.db import transaction

from sources.models import Publisher, Source


@transaction.atomic
def publisher_create(*, name: str, **fields: Any) -> Publisher:
    publisher = Publisher(name=name, **fields)
    publisher.full_clean()
    publisher.save()
    return publisher


@transaction.atomic
def source_create(*, title: str, **fields: Any) -> Source:
    """Create a source; its URL is normalised by `Source.clean()` so one document is stored once."""
    source = Source(title=title, **fields)
    source.full_clean()
    source.save()
    return source


@transaction.atomic
def source_update(*, source: Source, **changes: Any) -> Source:
    for name, value in changes.items():
        setattr(source, name, value)
    source.full_clean()
    source.save()
    return source
