"""A new comment's thread: made on its first comment, and closed to new ones when closed.

Called from the POST path (``service.comments``) inside the comment's transaction, so
that a thread is made only with the comment it was made for.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db import find_or_add, utcnow
from service.errors import APIError
from service.queueing import WEBHOOKS_QUEUE, JobRequest, enqueue_after_commit
from service.sites.models import Site
from service.threads.models import Thread

MAX_TITLE = 300
MAX_URL = 2000
HEADLINE_JOB = "workers.headlines.fetch_headline"
"""The job that reads a thread's headline and link from its article's page (network I/O,
so it runs on the webhooks' queue)."""
HEADLINE_RETRY = timedelta(hours=1)
"""A thread still without a headline asks for its page again at most this often."""


def find_thread(session: Session, site_id: int, key: str) -> Thread | None:
    """The thread ``key`` of the site, if it exists."""
    return session.scalar(select(Thread).where(Thread.site_id == site_id, Thread.key == key))


def open_thread(session: Session, site: Site, key: str, *, origins: Collection[str],
                url: str | None = None, known: Thread | None = None) -> Thread:
    """The thread that a new comment joins, made if need be.

    Its headline and link come from the publisher: the moderation API, or the article's
    page, which the service fetches (``service.threads.pages``, a job after commit) when
    ``url``, the POST's hint, is on one of the site's ``origins`` and the thread still
    lacks them (at most every ``HEADLINE_RETRY``). No header of the request counts: a
    client can write any ``Origin`` or ``Host``. ``known``: the thread, when the caller
    has read it in this transaction already (``service.comments.intake``).

    Raises:
        APIError: 403 ``thread_closed`` when the thread takes no new comments.
    """
    # made once, even when its first two comments come at once
    thread = known if known is not None else find_or_add(
        session, lambda: find_thread(session, site.id, key),
        lambda: Thread(site_id=site.id, key=key))
    if thread.closed:
        raise APIError(403, "thread_closed", "This thread is closed to new comments.")
    if url is not None and (thread.title is None or thread.url is None):
        _ask_for_headline(session, site, thread, url, origins)
    return thread


def _ask_for_headline(session: Session, site: Site, thread: Thread, url: str,
                      origins: Collection[str]) -> None:
    allowed = {each.lower().rstrip("/") for each in origins}
    now = utcnow()
    if origin_of(url) not in allowed or (thread.headline_checked_at is not None
                                         and now - thread.headline_checked_at < HEADLINE_RETRY):
        return
    thread.headline_checked_at = now
    enqueue_after_commit(session, JobRequest(
        WEBHOOKS_QUEUE, HEADLINE_JOB, (site.id, thread.key, url),
        job_id=f"headline-{site.id}-{thread.key}", options={"result_ttl": 600}))


def public_thread(session: Session, site_id: int, key: str) -> dict[str, object]:
    """What a thread's public listing says of it (an open thread with no headline until
    its first comment)."""
    thread = find_thread(session, site_id, key)
    if thread is None:
        return {"id": key, "title": None, "url": None, "closed": False}
    return thread.public_dict()


def check_title(value: str) -> str:
    """A headline: 1 to ``MAX_TITLE`` characters, spaces squeezed.

    Raises:
        ValueError: when it is empty or too long.
    """
    value = " ".join(value.split())
    if not 1 <= len(value) <= MAX_TITLE:
        raise ValueError(f"must be 1 to {MAX_TITLE} characters")
    return value


def check_url(value: str) -> str:
    """An article's link: an absolute http(s) URL of at most ``MAX_URL`` characters.

    Raises:
        ValueError: otherwise.
    """
    value = value.strip()
    parts = urlsplit(value)
    if (len(value) > MAX_URL or parts.scheme not in {"http", "https"} or not parts.hostname
            or parts.username or parts.password or any(ch.isspace() for ch in value)):
        raise ValueError(f"must be an http(s) URL of at most {MAX_URL} characters")
    return value


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of ``url``, lowercase; None for what has no host."""
    try:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}".lower() if parts.hostname else None
    except ValueError:
        return None
