"""An article's headline and link, read from its page on one of the site's origins.

A thread's headline comes from the publisher, never from a reader: the POST's ``url``
only says where to look. The page is fetched by the service (``workers.headlines``)
through the webhooks' SSRF guard (public addresses only, checked again on connecting;
no redirects), only when it is on one of the site's configured origins, and only a page
that embeds this thread's widget (``data-moderation-thread``) counts. Its ``og:title``
(else its ``<title>``) is the headline, its canonical link the link when that is on one
of the site's origins too (else the address fetched).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import requests

from service.sites.models import DEFAULT_SLUG
from service.text import strip_invisible
from service.textcheck import problem
from service.threads.gate import MAX_TITLE, MAX_URL, check_url, origin_of
from service.webhooks.transport import PublicOnlyAdapter
from service.webhooks.urls import UnsafeURL
from service.webhooks.urls import check_url as check_public_url

MAX_PAGE_BYTES = 1_048_576
"""The most of a page that is read: a headline is near its top."""
USER_AGENT = "comment-moderation-headlines/1"


class PageError(Exception):
    """The page could not be used; the message says why (for the worker's log)."""


@dataclass
class Article:
    """What a page says of itself."""

    title: str | None = None
    canonical: str | None = None
    threads: set[tuple[str | None, str]] = field(default_factory=set)
    """``(data-moderation-site or None, data-moderation-thread)`` of each widget embedded."""


def on_origins(url: str, origins: Collection[str]) -> bool:
    """Whether ``url`` is an http(s) address on one of ``origins``."""
    allowed = {origin.lower().rstrip("/") for origin in origins}
    try:
        check_url(url)
    except ValueError:
        return False
    return origin_of(url) in allowed


def headline(url: str, origins: Collection[str], *, site: str, key: str, timeout: float,
             allow_private: bool) -> tuple[str, str]:
    """The headline and link of the page at ``url`` for the thread ``key`` of ``site``.

    Raises:
        PageError: when ``url`` is not on ``origins``, the page cannot be fetched safely,
            does not embed the thread, or names no title.
    """
    if not on_origins(url, origins):
        raise PageError("the address is not on one of the site's origins")
    article = read_article(fetch(url, timeout=timeout, allow_private=allow_private), url)
    sites = {site, None} if site == DEFAULT_SLUG else {site}  # no site named: ``default``
    embedded = {thread for thread_site, thread in article.threads if thread_site in sites}
    if key not in embedded:
        raise PageError("the page does not embed this thread's comments")
    if not article.title:
        raise PageError("the page names no title")
    link = article.canonical if article.canonical and on_origins(article.canonical,
                                                                 origins) else url
    return article.title, link


def fetch(url: str, *, timeout: float, allow_private: bool) -> str:
    """The page at ``url`` (HTML only, its first ``MAX_PAGE_BYTES``), fetched safely.

    Raises:
        PageError: for an unsafe address, no answer, a redirect, an error or not HTML.
    """
    try:
        check_public_url(url, allow_private=allow_private)
    except UnsafeURL as error:
        raise PageError(f"refused: the URL {error}") from None
    with requests.Session() as http:
        http.trust_env = False
        if not allow_private:
            http.mount("http://", PublicOnlyAdapter())
            http.mount("https://", PublicOnlyAdapter())
        try:
            response = http.get(url, headers={"User-Agent": USER_AGENT,
                                              "Accept": "text/html"},
                                timeout=timeout, allow_redirects=False, stream=True)
        except (UnsafeURL, requests.RequestException) as error:
            raise PageError(f"no page: {type(error).__name__}") from None
        with response:
            if response.status_code != 200:
                raise PageError(f"the page answered {response.status_code}")
            if "html" not in response.headers.get("Content-Type", "").lower():
                raise PageError("the page is not HTML")
            raw = response.raw.read(MAX_PAGE_BYTES, decode_content=True) or b""
            return raw.decode(response.encoding or "utf-8", "replace")


def read_article(html: str, base_url: str) -> Article:
    """The title (``og:title``, else ``<title>``), canonical link and embedded widgets."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    title = reader.og_title or reader.title_text
    canonical = urljoin(base_url, reader.canonical) if reader.canonical else None
    return Article(title=_clean(title, MAX_TITLE) if title else None,
                   canonical=canonical if canonical and len(canonical) <= MAX_URL
                   and urlsplit(canonical).scheme in {"http", "https"} else None,
                   threads=reader.threads)


def _clean(text: str, limit: int) -> str | None:
    text = " ".join(strip_invisible(text).split())
    text = "".join(char for char in text if not problem(char, max_length=1))
    if len(text) > limit:
        text = text[:limit - 1].rstrip() + "\u2026"
    return text or None


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.og_title: str | None = None
        self.canonical: str | None = None
        self.title_text = ""
        self.threads: set[tuple[str | None, str]] = set()
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): value or "" for name, value in attrs}
        if "data-moderation-thread" in values:
            self.threads.add((values.get("data-moderation-site") or None,
                              values["data-moderation-thread"]))
        if tag == "meta" and values.get("property", "").lower() == "og:title":
            self.og_title = self.og_title or values.get("content") or None
        elif tag == "link" and "canonical" in values.get("rel", "").lower().split():
            self.canonical = self.canonical or values.get("href") or None
        elif tag == "title" and not self.title_text:
            self._in_title = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title_text += data
