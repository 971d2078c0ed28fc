"""PublisherFilterSet and SourceFilterSet on their own."""

import pytest
from django.http import QueryDict

from sources.filters import PublisherFilterSet, SourceFilterSet
from sources.models import Publisher, Source
from sources.tests.factories import PublisherFactory, SourceFactory

pytestmark = pytest.mark.django_db


def test_publishers_by_name_domain_and_kind():
    PublisherFactory(name="Financial Times", domain="ft.com", kind="news_outlet")
    PublisherFactory(name="Xinhua", domain="news.cn", kind="newswire")

    def names(query):
        return set(
            PublisherFilterSet(data=QueryDict(query), queryset=Publisher.objects.all()).qs.values_list(
                "name", flat=True
            )
        )

    assert names("q=ft.com") == {"Financial Times"}
    assert names("kind=newswire") == {"Xinhua"}


def test_sources_by_text_publisher_kind_language_and_dates():
    ft = PublisherFactory(name="Financial Times")
    wanted = SourceFactory(
        publisher=ft, title="ByteDance plans", kind="article", language="en", published_on="2025-01-21"
    )
    SourceFactory(title="Other", kind="filing", language="zh", published_on="2024-05-01")

    def ids(query):
        filterset = SourceFilterSet(data=QueryDict(query), queryset=Source.objects.all())
        assert filterset.is_valid(), filterset.errors
        return set(filterset.qs.values_list("pk", flat=True))

    assert ids("q=bytedance") == {wanted.pk}
    assert ids("publisher=Financial Times") == {wanted.pk}
    assert ids("kind=article&language=en&published_from=2025-01-01&published_to=2025-12-31") == {wanted.pk}


def test_an_unknown_publisher_is_an_error():
    filterset = SourceFilterSet(data=QueryDict("publisher=Nobody"), queryset=Source.objects.all())

    assert not filterset.is_valid()
    assert "publisher" in filterset.errors
