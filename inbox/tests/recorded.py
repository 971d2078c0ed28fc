"""Recorded feeds and pages (tests/fixtures/) and a transport that replays them: no test touches the network."""

from pathlib import Path

from inbox.fetching import Fetcher, Response

FIXTURES = Path(__file__).parent / "fixtures"
NEWSROOM = "https://investor.example/meta.rss"
Q1 = "https://investor.atmeta.com/investor-news/press-release-details/2025/Meta-Reports-First-Quarter-2025-Results/default.aspx"
Q2 = Q1.replace("First", "Second")
HTML = {"content-type": "text/html; charset=utf-8"}


class Recorded:
    """A transport that replays recorded responses and remembers the requests."""

    def __init__(self, responses: dict[str, Response]):
        self.responses = responses
        self.requests: list[tuple[str, dict]] = []

    def __call__(self, url, headers, max_bytes):
        self.requests.append((url, headers))
        response = self.responses[url]
        return Response(
            response.status, response.body[: max_bytes + 1], response.headers, len(response.body) > max_bytes
        )


def fetcher(responses, **kwargs) -> tuple[Fetcher, Recorded]:
    transport = Recorded(responses)
    clock = iter(range(0, 10_000, 5))  # five seconds apart: never a reason to wait
    return Fetcher(transport=transport, clock=lambda: next(clock), sleep=lambda s: None, **kwargs), transport


def recorded(name, headers=None, status=200) -> Response:
    return Response(status, (FIXTURES / name).read_bytes(), headers or {})


def site(**extra) -> dict[str, Response]:
    """Meta's newsroom feed and its two releases (the second linked with a tracking parameter)."""
    return {
        NEWSROOM: recorded("meta_newsroom.rss", {"etag": '"v1"', "last-modified": "Wed, 30 Jul 2025 20:05:00 GMT"}),
        Q1: recorded("meta_q1_2025.html", HTML),
        Q2 + "?utm_source=rss": recorded("meta_q2_2025.html", HTML),
        **extra,
    }
