"""The public API that the widget and other readers' clients use."""

from __future__ import annotations

import base64
import binascii
import operator
import uuid
from datetime import datetime

from flask import Blueprint, Response, current_app, jsonify, request, url_for
from sqlalchemy import and_, or_, select

from service import db, metrics
from service.comments.abuse import check_new_comment
from service.comments.events import comment_created
from service.comments.lookup import find_comment
from service.comments.models import Comment, Status
from service.comments.schemas import NewComment, valid_thread_id
from service.errors import APIError, json_object
from service.limits import limiter, posting_limit
from service.queueing import try_enqueue_scoring

bp = Blueprint("comments", __name__, url_prefix="/api/v1")

MAX_PAGE_SIZE = 100


@bp.post("/threads/<thread_id>/comments")
@limiter.limit(posting_limit, methods=["POST"])
def create_comment(thread_id: str) -> tuple[Response, int, dict[str, str]]:
    """Store a new comment as pending and queue it for scoring (202)."""
    _check_thread_id(thread_id)
    new = NewComment.model_validate(json_object())
    session = db.session()
    check_new_comment(session, thread_id, new.author, new.body, current_app.config)
    if new.parent_id is not None:
        parent = session.get(Comment, new.parent_id)
        if parent is None or parent.thread_id != thread_id:
            raise APIError(422, "invalid_input", "parent_id: no such comment in this thread",
                           fields={"parent_id": "no such comment in this thread"})
    comment = Comment(
        id=uuid.uuid4(), thread_id=thread_id, parent_id=new.parent_id, author=new.author,
        body=new.body, status=Status.PENDING, created_at=db.utcnow(),
    )
    with db.transaction() as session:
        session.add(comment)
        comment_created(session, comment)
    metrics.COMMENTS_RECEIVED.inc()
    try_enqueue_scoring([comment.id])
    location = url_for(".get_comment", comment_id=comment.id)
    return jsonify(comment.public_dict()), 202, {"Location": location}


@bp.get("/comments/<comment_id>")
def get_comment(comment_id: str) -> Response:
    """A comment's status; its text too once it is published."""
    return jsonify(find_comment(comment_id).public_dict())


@bp.get("/threads/<thread_id>/comments")
def list_comments(thread_id: str) -> Response:
    """The thread's published comments, oldest first (``order=newest``: newest first),
    a page at a time."""
    _check_thread_id(thread_id)
    limit = _limit()
    newest = _newest_first()
    beyond = operator.lt if newest else operator.gt
    query = (
        select(Comment)
        .where(Comment.thread_id == thread_id, Comment.status == Status.APPROVED)
        .order_by(*((Comment.created_at.desc(), Comment.id.desc()) if newest
                    else (Comment.created_at, Comment.id)))
        .limit(limit + 1)
    )
    if cursor := request.args.get("cursor"):
        created_at, last_id = _decode_cursor(cursor)
        query = query.where(or_(
            beyond(Comment.created_at, created_at),
            and_(Comment.created_at == created_at, beyond(Comment.id, last_id)),
        ))
    comments = list(db.session().scalars(query))
    page = comments[:limit]
    next_cursor = _encode_cursor(page[-1]) if len(comments) > limit else None
    return jsonify({
        "thread_id": thread_id,
        "comments": [comment.public_dict() for comment in page],
        "next_cursor": next_cursor,
    })



def _check_thread_id(thread_id: str) -> None:
    if not valid_thread_id(thread_id):
        raise APIError(404, "invalid_thread_id", "A thread id has 1 to 200 letters, digits, "
                       "'-', '_' or '.'.")



def _limit() -> int:
    raw = request.args.get("limit", "")
    if not raw:
        return min(current_app.config["PAGE_SIZE"], MAX_PAGE_SIZE)
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE_SIZE:
        raise APIError(400, "invalid_limit", f"limit must be a whole number from 1 to "
                       f"{MAX_PAGE_SIZE}.")
    return int(raw)


def _newest_first() -> bool:
    order = request.args.get("order", "oldest")
    if order not in ("oldest", "newest"):
        raise APIError(400, "invalid_order", "order must be 'oldest' or 'newest'.")
    return order == "newest"


def _encode_cursor(comment: Comment) -> str:
    raw = f"{comment.created_at.isoformat()}|{comment.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        created_at, last_id = raw.split("|")
        return datetime.fromisoformat(created_at), uuid.UUID(last_id)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise APIError(400, "invalid_cursor", "cursor is not one this API gave out.") from None
