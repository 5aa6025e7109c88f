"""Abuse checks on a new comment, before it is stored.

Two cheap checks that need only the database:

- a *repeat post*: the same text from the same author in the same thread within
  ``REPEAT_WINDOW_SECONDS`` is refused with 409 (compared as skeletons: case,
  invisible characters and look-alike letters are ignored);
- a *flood*: a thread with ``MAX_PENDING_PER_THREAD`` comments still waiting to be
  scored takes no more until the workers catch up (429 with ``Retry-After``).

They are heuristics, not locks: two identical posts that arrive at the same instant
may both pass. Per-client request rates are limited elsewhere (``service.limits``).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session
from werkzeug.exceptions import TooManyRequests

from service.comments.models import Comment, Status
from service.db import utcnow
from service.errors import APIError
from service.sites.models import DEFAULT_SITE_ID
from service.text import skeleton

FLOOD_RETRY_AFTER_SECONDS = 30
InThread = tuple[ColumnElement[bool], ...]
"""The WHERE clauses of one thread's comments (its site and its key)."""


def check_new_comment(session: Session, thread_id: str, author: str, body: str,
                      config: Mapping[str, Any], site_id: int = DEFAULT_SITE_ID) -> None:
    """Refuse a comment that floods its thread or repeats one just posted.

    Args:
        session: the request's database session.
        thread_id: the thread the comment is posted to.
        author: the author's name, already validated.
        body: the comment's text, already validated and trimmed.
        config: the app's settings (``MAX_PENDING_PER_THREAD``, ``REPEAT_WINDOW_SECONDS``).
        site_id: the site the thread is on.

    Raises:
        TooManyRequests: 429 with ``Retry-After``, when the thread has too many pending.
        APIError: 409, when the comment repeats one just posted.
    """
    in_thread = (Comment.site_id == site_id, Comment.thread_id == thread_id)
    _check_pending(session, in_thread, config["MAX_PENDING_PER_THREAD"])
    _check_repeat(session, in_thread, author, body, config["REPEAT_WINDOW_SECONDS"])


def normalize(text: str) -> str:
    """The text as the repeat check compares it: its skeleton (``service.text``)."""
    return skeleton(text)


@functools.lru_cache(maxsize=4096)
def _name_skeleton(name: str) -> str:
    """An author name's skeleton: names recur from post to post, so they are cached."""
    return normalize(name)


def _check_pending(session: Session, in_thread: InThread, limit: int) -> None:
    if limit <= 0:
        return
    pending = session.execute(
        select(func.count()).select_from(Comment)
        .where(*in_thread, Comment.status == Status.PENDING)
    ).scalar_one()
    if pending >= limit:
        raise TooManyRequests(
            f"This thread has {limit} comments waiting for moderation; try again in a "
            "little while.", retry_after=FLOOD_RETRY_AFTER_SECONDS)


def _check_repeat(session: Session, in_thread: InThread, author: str, body: str,
                  window_seconds: int) -> None:
    if window_seconds <= 0:
        return
    since = utcnow() - timedelta(seconds=window_seconds)
    # Compared in Python: a name written with look-alikes matches no SQL filter. The
    # names first (short, their skeletons cached), then the texts of that name only.
    name = _name_skeleton(author)
    same_name = [comment_id for comment_id, recent_author in session.execute(
        select(Comment.id, Comment.author)
        .where(*in_thread, Comment.created_at >= since)
    ) if _name_skeleton(recent_author) == name]
    if not same_name:
        return
    text = normalize(body)
    bodies = session.scalars(select(Comment.body).where(Comment.id.in_(same_name)))
    if any(normalize(recent) == text for recent in bodies):
        raise APIError(409, "repeated_comment",
                       "You posted the same comment in this thread a moment ago; it was not "
                       "stored again.")

