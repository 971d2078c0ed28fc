import pytest
from django.core.exceptions import ValidationError

from sources.services import source_create
from sources.urls_normalize import normalize_url

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        (
            "HTTPS://OpenAI.com/index/announcing-the-stargate-project/",
            "https://openai.com/index/announcing-the-stargate-project",
        ),
        ("https://www.ft.com/content/abc?utm_source=twitter&id=3#comments", "https://www.ft.com/content/abc?id=3"),
        ("https://example.com:443/a/?fbclid=x", "https://example.com/a"),
        ("http://example.com:8080/", "http://example.com:8080/"),
        ("  ", ""),
    ],
)
def test_normalize_url(raw, normalised):
    assert normalize_url(raw) == normalised


def test_the_same_article_pasted_twice_is_refused():
    source_create(title="Stargate", url="https://openai.com/index/announcing-the-stargate-project/")
    with pytest.raises(ValidationError) as exc:
        source_create(
            title="Stargate again", url="https://OPENAI.com/index/announcing-the-stargate-project?utm_medium=x"
        )
    assert exc.value.message_dict["url"] == ["A source with this URL already exists."]


def test_sources_without_url_do_not_collide():
    source_create(title="Earnings call one")
    source_create(title="Earnings call two")
