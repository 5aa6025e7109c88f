"""The comments' rules and transactions: posting, finding and listing comments."""

from __future__ import annotations

import hashlib
import operator
import secrets
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, aliased

from service import db, metrics
from service.comments.abuse import check_new_comment
from service.comments.events import comment_created, insert_new_comment, record_decision
from service.comments.links import find_links, sites_linked
from service.comments.models import Comment, Status
from service.comments.names import author_key
from service.comments.schemas import NewComment
from service.comments.similarity import fingerprint
from service.comments.spam import (
    SPAM_ACTOR_MODEL,
    Candidate,
    check_links,
    client_key,
    spam_settings,
)
from service.comments.tasks import scoring_job
from service.cursors import decode_cursor, encode_cursor
from service.errors import APIError
from service.policy import MODEL_ACTOR
from service.queueing import enqueue_after_commit
from service.sites.models import DEFAULT_SITE_ID, Site


def post_comment(session: Session, thread_id: str, new: NewComment,
                 config: Mapping[str, Any], client: str | None = None,
                 site: Site | None = None,
                 commenter_id: int | None = None,
                 pending: int | None = None) -> tuple[Comment, str]:
    """Store a new comment with its ``comment.created`` event, and queue its scoring.

    The comment and its event are one transaction; the scoring job is queued after it
    commits (when Redis is down, the sweeper queues it later). The event's webhook
    fan-out is left to the comment's decision (``service.webhooks.tasks``). A comment
    that breaks a link rule of the spam stage (``service.comments.spam``) is decided in
    that transaction instead, with the rule's reason, and never reaches the model; the
    stage's other rules are met by the scoring worker (``service.comments.campaigns``).

    Args:
        session: the request's database session.
        thread_id: the thread, already checked.
        new: the comment.
        config: the app's settings.
        client: the client's address, kept only as a keyed hash.
        site: the site the thread is on (None: the site ``default``).
        commenter_id: the signed-in commenter who wrote it (``service.commenters``).
        pending: the thread's pending comments, counted in this transaction already
            (``service.comments.intake``); None: counted here.

    Returns:
        The comment, and the token that shows the author their comment (kept hashed).

    Raises:
        APIError: when the comment breaks a posting rule or names a parent elsewhere.
    """
    site_id = site.id if site is not None else DEFAULT_SITE_ID
    author = new.author
    if author is None:  # only a signed-in commenter's comment goes without (their name)
        raise APIError(422, "invalid_input", "author: is required",
                       fields={"author": "is required"})
    check_new_comment(session, thread_id, author, new.body, config, site_id, pending)
    comments = Comment.__table__.c
    if new.parent_id is not None and session.connection().execute(
            select(comments.thread_id, comments.site_id).where(comments.id == new.parent_id)
    ).first() != (thread_id, site_id):
        raise APIError(422, "invalid_input", "parent_id: no such comment in this thread",
                       fields={"parent_id": "no such comment in this thread"})
    token = secrets.token_urlsafe(24)
    links = find_links(new.body)
    comment = Comment(
        id=uuid.uuid4(), site_id=site_id, thread_id=thread_id, parent_id=new.parent_id,
        author=author, author_key=author_key(author), commenter_id=commenter_id,
        body=new.body, status=Status.PENDING, created_at=db.utcnow(),
        client=client_key(client, config["SECRET_KEY"]), link_sites=sites_linked(links),
        author_token_hash=author_token_hash(token),
    )
    with db.transaction() as session:
        verdict = check_links(session, Candidate(author, new.body, comment.client, links),
                              spam_settings(session, site_id)) if links else None
        if verdict is None:
            # The usual case: two Core INSERTs, no unit of work; the near-duplicate and
            # flood rules are met by the scoring worker, before the model.
            insert_new_comment(session, comment)
            enqueue_after_commit(session, scoring_job(comment.id, fresh=True))
        else:
            comment.fingerprint = fingerprint(new.body)  # later near-duplicates compare with it
            session.add(comment)
            comment_created(session, comment)
            record_decision(session, comment, outcome=verdict.outcome, actor=MODEL_ACTOR,
                            reason=verdict.reason, code=verdict.code, model=SPAM_ACTOR_MODEL)
    metrics.COMMENTS_RECEIVED.inc()
    return comment, token


def author_token_hash(token: str) -> str:
    """How a comment keeps its author's token: SHA-256, hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def find_comment(comment_id: str) -> Comment:
    """The comment with that id.

    Raises:
        APIError: 404 when the id is malformed or names no comment.
    """
    try:
        key = uuid.UUID(comment_id)
    except ValueError:
        raise APIError(404, "not_found", "No comment has that id.") from None
    comment = db.session().get(Comment, key)
    if comment is None:
        raise APIError(404, "not_found", "No comment has that id.")
    return comment


def public_view(session: Session, comment: Comment) -> dict[str, Any]:
    """What anyone may see of ``comment``; a published reply whose parent is not
    published says that it is held back from the thread (``listed``)."""
    data = comment.public_dict()
    if comment.status == Status.APPROVED:
        parent = session.get(Comment, comment.parent_id) if comment.parent_id else None
        data["listed"] = parent is None or parent.status == Status.APPROVED
        if not data["listed"]:
            data["listing_note"] = ("Published, and shown in the thread once the comment it "
                                    "answers is published.")
    return data


def thread_page(session: Session, thread_id: str, *, limit: int, newest: bool,
                cursor: str | None, site_id: int = DEFAULT_SITE_ID,
                ) -> tuple[list[Comment], str | None]:
    """One page of a thread's published comments on the site ``site_id``, and the cursor
    of the next page.

    A reply is listed only once the comment it answers is published too.

    Raises:
        InvalidCursor: for a cursor this function did not make.
    """
    beyond = operator.lt if newest else operator.gt
    parent = aliased(Comment)
    published_parent = (select(parent.id)
                        .where(parent.id == Comment.parent_id, parent.status == Status.APPROVED)
                        .exists())
    query = (
        select(Comment)
        .where(Comment.site_id == site_id, Comment.thread_id == thread_id,
               Comment.status == Status.APPROVED,
               or_(Comment.parent_id.is_(None), published_parent))
        .order_by(*((Comment.created_at.desc(), Comment.id.desc()) if newest
                    else (Comment.created_at, Comment.id)))
        .limit(limit + 1)
    )
    if cursor:
        created_at, last_id = decode_cursor(cursor, datetime.fromisoformat, uuid.UUID)
        query = query.where(or_(
            beyond(Comment.created_at, created_at),
            and_(Comment.created_at == created_at, beyond(Comment.id, last_id)),
        ))
    comments = list(session.scalars(query))
    page = comments[:limit]
    more = len(comments) > limit
    return page, encode_cursor(page[-1].created_at, page[-1].id) if more else None
