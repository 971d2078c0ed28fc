"""
Polite HTTP for the inbox: every request goes through one `Fetcher`, which waits so that a host
gets at most one request a second, names the project and a contact in its User-Agent (and sends
nothing without one), sends the conditional headers it is given, and never reads more than a
size limit. The transport (a callable) is injected, so tests replay recorded responses and never
touch the network; the clock and sleep are injected too, so tests never wait.
"""

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
from django.conf import settings

MAX_BYTES = 5 * 1024 * 1024
TRACKING_PARAMETERS = re.compile(r"^(?:utm_\w+|fbclid|gclid|mc_cid|mc_eid)$", re.I)


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    truncated: bool = False  # the body went past the size limit and was cut


Transport = Callable[[str, dict[str, str], int], Response]


class TooLarge(Exception):
    pass


class UserAgentRefused(Exception):
    """The configured User-Agent names no contact (or an example one): nothing may be sent with it."""


# Reserved for documentation (RFC 2606): a contact there reaches nobody.
_EXAMPLE_CONTACT = re.compile(r"[@./]example\.(?:com|org|net)\b", re.I)


def user_agent_problem(user_agent: str) -> str:
    """
    Why requests may not go out with this User-Agent, or "" when they may. Like SEC_USER_AGENT
    for EDGAR, it must name the project and a contact, an e-mail address or a URL, so that a site
    owner can reach whoever runs the crawler. With DEBUG off an example.org/.com/.net contact (the
    local default's) is refused too: production has to say who it is.
    """
    if not user_agent.strip():
        return (
            "INBOX_USER_AGENT is not set: with DEBUG off it is required. Set it to the project's name and a "
            "contact, e.g. ai-capex-tracker inbox (+ the URL of your contact page) or an e-mail address."
        )
    if "@" not in user_agent and "://" not in user_agent:
        return f"INBOX_USER_AGENT {user_agent!r} names no contact: add an e-mail address or a URL."
    if not settings.DEBUG and _EXAMPLE_CONTACT.search(user_agent):
        return f"INBOX_USER_AGENT {user_agent!r} names an example contact: with DEBUG off it must be a real one."
    return ""


def requests_transport(url: str, headers: dict[str, str], max_bytes: int) -> Response:
    """The real transport: streams the body and stops one byte past the limit."""
    with requests.get(url, headers=headers, timeout=settings.INBOX_HTTP_TIMEOUT, stream=True) as reply:
        body = bytearray()
        for chunk in reply.iter_content(64 * 1024):
            body += chunk
            if len(body) > max_bytes:
                break
        return Response(
            status=reply.status_code,
            body=bytes(body[: max_bytes + 1]),
            headers={name.lower(): value for name, value in reply.headers.items()},
            truncated=len(body) > max_bytes,
        )


class Fetcher:
    """One request a second per host at most, the project's User-Agent, a size limit."""

    def __init__(
        self,
        *,
        transport: Transport = requests_transport,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        min_interval: float = 1.0,
        max_bytes: int = MAX_BYTES,
        user_agent: str | None = None,
    ) -> None:
        self.transport = transport
        self.clock = clock
        self.sleep = sleep
        self.min_interval = min_interval
        self.max_bytes = max_bytes
        self.user_agent = user_agent if user_agent is not None else settings.INBOX_USER_AGENT
        self.last_request: dict[str, float] = {}

    def get(self, url: str, *, etag: str = "", last_modified: str = "", accept: str = "*/*") -> Response:
        if problem := user_agent_problem(self.user_agent):
            raise UserAgentRefused(problem)
        host = urlsplit(url).hostname or ""
        previous = self.last_request.get(host)
        if previous is not None:
            wait = self.min_interval - (self.clock() - previous)
            if wait > 0:
                self.sleep(wait)
        headers = {"User-Agent": self.user_agent, "Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            return self.transport(url, headers, self.max_bytes)
        finally:
            self.last_request[host] = self.clock()


def normalise_url(url: str) -> str:
    """One form per document: lower-case scheme and host, no default port, fragment or tracking parameters."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    query = urlencode(
        sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING_PARAMETERS.match(k))
    )
    path = parts.path or "/"
    return urlunsplit((scheme, host, path, query, ""))


_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([\w.:-]+)", re.I)


def decode(body: bytes, content_type: str) -> tuple[str, str]:
    """
    The text of a body and a note when it was not clean: the declared charset (header, then
    <meta>), else UTF-8; bytes that do not decode are replaced, and the note says so.
    """
    declared = _CHARSET.search(content_type or "")
    charset = declared.group(1) if declared else None
    if charset is None and (meta := _META_CHARSET.search(body[:4096])):
        charset = meta.group(1).decode("ascii", "replace")
    charset = charset or "utf-8"
    try:
        return body.decode(charset), ""
    except LookupError:
        return body.decode("utf-8", errors="replace"), f"Unknown charset {charset!r}; read as UTF-8 with replacements."
    except UnicodeDecodeError:
        return body.decode(
            charset, errors="replace"
        ), f"The page is not valid {charset}; undecodable bytes were replaced."
