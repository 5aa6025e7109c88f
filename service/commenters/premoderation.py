"""Why a comment is held whatever its scores: the facts that the scoring job passes to
the (pure) policy, ``service.policy.decide(..., hold=reason)``.

A comment is pre-moderated when its thread is, when its commenter is, or when it is
one of a commenter's first ``new_commenter_premoderation`` comments on their site
(a trusted commenter skips that one).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import and_, func, or_, select, tuple_
from sqlalchemy.orm import Session, aliased

from service.commenters.models import Commenter, Standing
from service.comments.models import Comment
from service.sites.models import Site
from service.threads.models import Thread

THREAD_HELD = "pre-moderation: every comment on this thread is held"
COMMENTER_HELD = "pre-moderation: this commenter's comments are held"


def new_commenter_reason(first: int) -> str:
    return f"pre-moderation: a new commenter's first {first} comments are held"


def hold_reasons(session: Session, comments: Sequence[Comment]) -> dict[uuid.UUID, str]:
    """``{comment id: reason}`` for each of ``comments`` that pre-moderation holds.

    A few queries for the whole batch: the threads, the commenters, their sites, and how
    many comments each new commenter wrote before.
    """
    if not comments:
        return {}
    keys = {(comment.site_id, comment.thread_id) for comment in comments}
    held_threads = set(session.execute(
        select(Thread.site_id, Thread.key)
        .where(tuple_(Thread.site_id, Thread.key).in_(list(keys)), Thread.premoderation)).all())
    commenter_ids = {comment.commenter_id for comment in comments if comment.commenter_id}
    commenters = {commenter.id: commenter for commenter in session.scalars(
        select(Commenter).where(Commenter.id.in_(commenter_ids)))} if commenter_ids else {}
    firsts = {site.id: site.new_commenter_premoderation for site in session.scalars(
        select(Site).where(Site.id.in_({comment.site_id for comment in comments})))}
    reasons: dict[uuid.UUID, str] = {}
    newcomers: list[Comment] = []
    for comment in comments:
        commenter = commenters.get(comment.commenter_id) if comment.commenter_id else None
        if (comment.site_id, comment.thread_id) in held_threads:
            reasons[comment.id] = THREAD_HELD
        elif commenter is not None and commenter.status == Standing.PREMODERATED:
            reasons[comment.id] = COMMENTER_HELD
        elif (commenter is not None and firsts.get(comment.site_id, 0) > 0
              and commenter.status != Standing.TRUSTED):
            newcomers.append(comment)
    earlier = _earlier_comments(session, newcomers)
    for comment in newcomers:
        first = firsts[comment.site_id]
        if earlier.get(comment.id, 0) < first:
            reasons[comment.id] = new_commenter_reason(first)
    return reasons


def _earlier_comments(session: Session, comments: Sequence[Comment]) -> dict[uuid.UUID, int]:
    """How many comments each commenter wrote before each of ``comments``, in one query."""
    if not comments:
        return {}
    earlier = aliased(Comment)
    rows = session.execute(
        select(Comment.id, func.count(earlier.id))
        .join(earlier, and_(earlier.commenter_id == Comment.commenter_id,
                            or_(earlier.created_at < Comment.created_at,
                                and_(earlier.created_at == Comment.created_at,
                                     earlier.id < Comment.id))))
        .where(Comment.id.in_([comment.id for comment in comments]))
        .group_by(Comment.id))
    return {comment_id: number for comment_id, number in rows}
