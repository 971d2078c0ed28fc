import factory

from companies.choices import CompanyKind
from companies.models import Company


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Company {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))
    country = "US"
    kind = CompanyKind.PLATFORM


class ChipVendorFactory(CompanyFactory):
    kind = CompanyKind.CHIP_VENDOR
