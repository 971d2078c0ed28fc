"""Writes to companies."""

from typing import Any

from django.db import transaction

from companies.models import Company


@transaction.atomic
def company_create(*, name: str, slug: str, country: str, **fields: Any) -> Company:
    company = Company(name=name, slug=slug, country=country, **fields)
    company.full_clean()
    company.save()
    return company


@transaction.atomic
def company_update(*, company: Company, **changes: Any) -> Company:
    for name, value in changes.items():
        setattr(company, name, value)
    company.full_clean()
    company.save()
    return company
