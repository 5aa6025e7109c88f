"""Abuse checks on a new comment, before it is stored.

Two cheap checks that need only the database:

- a *repeat post*: the same text from the same author in the same thread within
  ``REPEAT_WINDOW_SECONDS`` is refused with 409 (compared as skeletons: case,
  invisible characters and look-alike letters are ignored; the name through its
  stored, indexed ``author_key``);
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

from sqlalchemy import ColumnElement, Select, bindparam, func, select
from sqlalchemy.orm import Session
from werkzeug.exceptions import TooManyRequests

from service.comments.models import Comment, Status
from service.comments.names import author_key
from service.db import utcnow
from service.errors import APIError
from service.sites.models import DEFAULT_SITE_ID
from service.text import skeleton

FLOOD_RETRY_AFTER_SECONDS = 30


def check_new_comment(session: Session, thread_id: str, author: str, body: str,
                      config: Mapping[str, Any], site_id: int = DEFAULT_SITE_ID,
                      pending: int | None = None) -> None:
    """Refuse a comment that floods its thread or repeats one just posted.

    Args:
        session: the request's database session.
        thread_id: the thread the comment is posted to.
        author: the author's name, already validated.
        body: the comment's text, already validated and trimmed.
        config: the app's settings (``MAX_PENDING_PER_THREAD``, ``REPEAT_WINDOW_SECONDS``).
        site_id: the site the thread is on.
        pending: the thread's pending comments, when the caller counted them in this
            transaction (``service.comments.intake``); else they are counted here.

    Raises:
        TooManyRequests: 429 with ``Retry-After``, when the thread has too many pending.
        APIError: 409, when the comment repeats one just posted.
    """
    thread = {"site_id": site_id, "thread_id": thread_id}
    _check_pending(session, thread, config["MAX_PENDING_PER_THREAD"], pending)
    _check_repeat(session, thread, author, body, config["REPEAT_WINDOW_SECONDS"])


def normalize(text: str) -> str:
    """The text as the repeat check compares it: its skeleton (``service.text``)."""
    return skeleton(text)


def _check_pending(session: Session, thread: dict[str, Any], limit: int,
                   pending: int | None) -> None:
    if limit <= 0:
        return
    if pending is None:
        pending = session.connection().execute(
            _pending_statement(), thread | {"limit": limit}).scalar_one()
    if pending >= limit:
        raise TooManyRequests(
            f"This thread has {limit} comments waiting for moderation; try again in a "
            "little while.", retry_after=FLOOD_RETRY_AFTER_SECONDS)


def _check_repeat(session: Session, thread: dict[str, Any], author: str, body: str,
                  window_seconds: int) -> None:
    if window_seconds <= 0:
        return
    # The name by its indexed key; the texts of that name in this thread, in Python (a
    # text written with look-alikes matches no SQL filter): usually none or a few.
    bodies = session.connection().execute(_repeat_statement(), thread | {
        "key": author_key(author),
        "since": utcnow() - timedelta(seconds=window_seconds)}).scalars()
    text = None
    for recent in bodies:
        text = text if text is not None else normalize(body)
        if normalize(recent) == text:
            raise APIError(409, "repeated_comment",
                           "You posted the same comment in this thread a moment ago; it was "
                           "not stored again.")


# The POST path's statements are built once: building one costs more than running it.
@functools.cache
def _pending_statement() -> Select[tuple[int]]:
    return pending_count(bindparam("site_id"), bindparam("thread_id"))


def pending_count(site_id: ColumnElement[int], thread_id: ColumnElement[str]
                  ) -> Select[tuple[int]]:
    """How many comments of a thread are pending, counted up to the ``limit`` parameter
    only (a full thread costs no more than a quiet one); also a part of the POST's one
    statement (``service.comments.intake``)."""
    comments = Comment.__table__.c
    waiting = (select(comments.id)
               .where(comments.site_id == site_id, comments.thread_id == thread_id,
                      comments.status == Status.PENDING)
               .limit(bindparam("limit")).subquery())
    return select(func.count()).select_from(waiting)


@functools.cache
def _repeat_statement() -> Select[tuple[str]]:
    """The texts of one name in one thread since a time (``ix_comments_author_key_created``)."""
    comments = Comment.__table__.c
    return select(comments.body).where(
        comments.author_key == bindparam("key"), comments.created_at >= bindparam("since"),
        comments.site_id == bindparam("site_id"), comments.thread_id == bindparam("thread_id"))
