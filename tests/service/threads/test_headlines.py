"""A thread's headline and link come from the publisher: the article's page, fetched by the
service from the site's origins through the webhooks' SSRF guard, or the moderation API;
never from a reader's POST or its Host and Origin headers (issue 26.1)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from service import db
from service.threads.models import Thread
from service.threads.pages import read_article
from tests.service.commenters.conftest import set_site
from tests.support.accounts import bearer, token_for
from tests.support.receiver import Receiver, Reply
from tests.support.work import drain

pytestmark = pytest.mark.postgres


def page(thread: str = "budget", *, title: str = "The city budget, explained",
         canonical: str | None = None, site: str | None = None) -> Reply:
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    site_attribute = f' data-moderation-site="{site}"' if site else ""
    html = (f'<!doctype html><html><head><title>Ignored &amp; shorter</title>'
            f'<meta property="og:title" content="{title}">{link}</head><body>'
            f'<div data-moderation-thread="{thread}"{site_attribute}></div></body></html>')
    return Reply(body=html.encode(), headers={"Content-Type": "text/html; charset=utf-8"})


@pytest.fixture
def settings(settings: dict) -> dict:
    settings.update(RATELIMIT_ENABLED=False, WEBHOOK_ALLOW_PRIVATE_URLS=True)
    return settings


@pytest.fixture
def article(app):
    """A publisher's server on 127.0.0.1, the only origin of the site ``default``."""
    with Receiver() as server:
        origin = server.url.removesuffix("/hooks")
        set_site(app, origins=[origin])
        yield server, origin


def thread(app, key: str = "budget") -> tuple[str | None, str | None]:
    with app.app_context():
        found = db.session().scalar(select(Thread).where(Thread.key == key))
        return (found.title, found.url) if found else (None, None)


def test_headers_and_body_of_a_post_never_set_a_headline(app, client, article):
    server, origin = article
    # The request: Host and Origin name the attacker's site, and so does the link.
    spoofed = client.post("/api/v1/threads/budget/comments",
                          headers={"Host": "evil.example", "Origin": "http://evil.example"},
                          json={"author": "x", "body": "hi", "title": "Spoofed",
                                "url": "http://evil.example/phish"})
    assert spoofed.status_code == 202, spoofed.json
    # And a client that claims the site's own origin, with a title of its own.
    claimed = client.post("/api/v1/threads/budget/comments", headers={"Origin": origin},
                          json={"author": "y", "body": "hello", "title": "Spoofed again"})
    assert claimed.status_code == 202
    drain(app, ("webhooks",))
    assert thread(app) == (None, None)
    assert server.requests == []  # nothing off the site's origins was fetched


def test_the_headline_and_link_are_read_from_the_article_s_page(app, client, article):
    server, origin = article
    server.default = page(canonical=f"{origin}/news/budget")
    response = client.post("/api/v1/threads/budget/comments",
                           json={"author": "Ann", "body": "Fund the buses.",
                                 "title": "Anything a reader says",
                                 "url": f"{origin}/news/budget?utm_source=x"})
    assert response.status_code == 202
    assert thread(app) == (None, None)  # the POST stores neither
    drain(app, ("webhooks",))
    assert thread(app) == ("The city budget, explained", f"{origin}/news/budget")
    assert [request.path for request in server.requests] == ["/news/budget?utm_source=x"]
    # Set once: later hints fetch nothing.
    client.post("/api/v1/threads/budget/comments",
                json={"author": "Bo", "body": "Later.", "url": f"{origin}/other"})
    drain(app, ("webhooks",))
    assert len(server.requests) == 1


def test_a_page_that_does_not_embed_the_thread_gives_nothing(app, client, article):
    server, origin = article
    server.default = page(thread="another-story")
    client.post("/api/v1/threads/budget/comments",
                json={"author": "Ann", "body": "Hello.", "url": f"{origin}/home"})
    drain(app, ("webhooks",))
    assert len(server.requests) == 1
    assert thread(app) == (None, None)
    # Nor does another site's widget of the same thread id.
    server.default = page(site="other-paper")
    with app.app_context(), db.transaction() as session:
        session.scalar(select(Thread)).headline_checked_at = None
    client.post("/api/v1/threads/budget/comments",
                json={"author": "Ann", "body": "Again.", "url": f"{origin}/home"})
    drain(app, ("webhooks",))
    assert len(server.requests) == 2
    assert thread(app) == (None, None)


def test_a_canonical_link_off_the_site_is_not_kept(app, client, article):
    server, origin = article
    server.default = page(canonical="https://evil.example/phish")
    client.post("/api/v1/threads/budget/comments",
                json={"author": "Ann", "body": "Hello.", "url": f"{origin}/budget"})
    drain(app, ("webhooks",))
    assert thread(app) == ("The city budget, explained", f"{origin}/budget")


def test_the_ssrf_guard_refuses_a_private_address(app, client, article):
    server, origin = article
    server.default = page()
    app.config["WEBHOOK_ALLOW_PRIVATE_URLS"] = False  # 127.0.0.1 is loopback
    client.post("/api/v1/threads/budget/comments",
                json={"author": "Ann", "body": "Hello.", "url": f"{origin}/budget"})
    drain(app, ("webhooks",))
    assert server.requests == []
    assert thread(app) == (None, None)


def test_a_moderator_sets_the_headline_through_the_api(app, client, accounts):
    headers = bearer(token_for(app, "ada"))
    response = client.patch("/api/v1/moderation/sites/default/threads/budget", headers=headers,
                            json={"title": "The budget", "url": "https://news.example.com/b"})
    assert response.status_code == 200, response.json
    assert thread(app) == ("The budget", "https://news.example.com/b")


def test_the_page_reader_takes_og_title_then_title_and_resolves_the_canonical_link():
    html = ('<html><head><title> A &amp; B\n</title><link rel="Canonical" href="/a?b=1">'
            '</head><body><p data-moderation-thread="t" data-moderation-site="s"></p>')
    article = read_article(html, "https://news.example.com/x/y")
    assert (article.title, article.canonical) == ("A & B", "https://news.example.com/a?b=1")
    assert article.threads == {("s", "t")}
    long = read_article('<meta property="og:title" content="' + "x\x00" * 400 + '">', "")
    assert long.title is not None and len(long.title) == 300 and "\x00" not in long.title
