"""Authors' appeals of the decisions that rejected their comments."""

from __future__ import annotations

import hmac

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.comments.events import comment_event
from service.comments.models import Appeal, AppealStatus, Comment, Status
from service.comments.reasons import appeal_window
from service.comments.schemas import NewAppeal
from service.db import utcnow
from service.errors import APIError


def check_author(comment: Comment, token: str | None, token_hash: str) -> None:
    """Let only the comment's author through.

    Args:
        comment: the comment.
        token: the ``X-Author-Token`` header, if sent.
        token_hash: the token's hash (``services.author_token_hash``).

    Raises:
        APIError: 401 without a token, 403 with another one.
    """
    if not token:
        raise APIError(401, "author_token_required",
                       "Send the author_token that posting the comment gave, in X-Author-Token.")
    if comment.author_token_hash is None or not hmac.compare_digest(
            comment.author_token_hash, token_hash):
        raise APIError(403, "not_the_author", "That author token is not this comment's.")


def appeal_rejection(session: Session, comment: Comment, new: NewAppeal) -> Appeal:
    """Open an appeal of the decision that rejected ``comment`` (the caller commits).

    Raises:
        APIError: 409 when the comment is not rejected, its decision was already
            appealed, or the time to appeal is over.
    """
    if comment.status != Status.REJECTED or not comment.decisions:
        raise APIError(409, "not_rejected", "Only a comment that was not published can be "
                       "appealed.")
    rejection = comment.decisions[-1]
    if session.scalar(select(Appeal.id).where(Appeal.decision_id == rejection.id)) is not None:
        raise APIError(409, "already_appealed", "This decision was appealed already.")
    if not appeal_window(session, rejection)["open"]:
        raise APIError(409, "appeal_closed", "The time to appeal this decision is over.")
    appeal = Appeal(comment=comment, decision=rejection, message=new.message,
                    status=AppealStatus.OPEN, created_at=utcnow())
    try:
        with session.begin_nested():
            session.add(appeal)
    except IntegrityError:  # the same appeal, sent twice at once
        raise APIError(409, "already_appealed", "This decision was appealed already.") from None
    comment_event(session, "comment.appealed", comment, rejection, appeal=appeal.as_dict())
    return appeal
