"""A new comment's thread: made on its first comment, and closed to new ones when closed.

Called from the POST path (``service.comments``) inside the comment's transaction, so
that a thread is made only with the comment it was made for.
"""

from __future__ import annotations

from collections.abc import Collection
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db import find_or_add
from service.errors import APIError
from service.sites.models import Site
from service.threads.models import Thread

MAX_TITLE = 300
MAX_URL = 2000


def find_thread(session: Session, site_id: int, key: str) -> Thread | None:
    """The thread ``key`` of the site, if it exists."""
    return session.scalar(select(Thread).where(Thread.site_id == site_id, Thread.key == key))


def open_thread(session: Session, site: Site, key: str, *, origin: str | None,
                allowed_origins: Collection[str], title: str | None = None,
                url: str | None = None) -> Thread:
    """The thread that a new comment joins, made (or its headline filled) if need be.

    The headline and link are taken only from a page of one of the site's allowed
    origins (the request's ``Origin``), and the link only when it is on such an origin:
    anyone else could name any article anything. A headline already set stays.

    Raises:
        APIError: 403 ``thread_closed`` when the thread takes no new comments.
    """
    allowed = {each.lower().rstrip("/") for each in allowed_origins}
    trusted = origin is not None and origin.lower().rstrip("/") in allowed
    title = title if trusted else None
    url = url if trusted and url is not None and _origin_of(url) in allowed else None
    # made once, even when its first two comments come at once
    thread = find_or_add(session, lambda: find_thread(session, site.id, key),
                         lambda: Thread(site_id=site.id, key=key, title=title, url=url))
    if thread.closed:
        raise APIError(403, "thread_closed", "This thread is closed to new comments.")
    if thread.title is None and title:
        thread.title = title
    if thread.url is None and url:
        thread.url = url
    return thread


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


def _origin_of(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}".lower() if parts.hostname else None
    except ValueError:
        return None
