import datetime

import factory

from sources.choices import PublisherKind, SourceKind
from sources.models import Publisher, Source


class PublisherFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Publisher
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Publisher {n}")
    domain = factory.Sequence(lambda n: f"publisher{n}.example")
    kind = PublisherKind.NEWS_OUTLET


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    title = factory.Sequence(lambda n: f"Article {n}")
    url = factory.Sequence(lambda n: f"https://news.example/articles/{n}")
    publisher = factory.SubFactory(PublisherFactory)
    published_on = datetime.date(2025, 1, 21)
    kind = SourceKind.ARTICLE
