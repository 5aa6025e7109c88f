"""The public API that the widget and other readers' clients use."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request, url_for

from service import db
from service.comments.schemas import NewComment, valid_thread_id
from service.comments.services import find_comment, post_comment, public_view, thread_page
from service.cursors import InvalidCursor
from service.errors import APIError, json_object, whole_number
from service.limits import limiter, posting_limit

bp = Blueprint("comments", __name__, url_prefix="/api/v1")

MAX_PAGE_SIZE = 100


@bp.post("/threads/<thread_id>/comments")
@limiter.limit(posting_limit, methods=["POST"])
def create_comment(thread_id: str) -> tuple[Response, int, dict[str, str]]:
    """Store a new comment as pending and queue it for scoring (202)."""
    _check_thread_id(thread_id)
    new = NewComment.model_validate(json_object())
    comment = post_comment(db.session(), thread_id, new, current_app.config)
    location = url_for(".get_comment", comment_id=comment.id)
    return jsonify(comment.public_dict()), 202, {"Location": location}


@bp.get("/comments/<comment_id>")
def get_comment(comment_id: str) -> Response:
    """A comment's status; its text too once it is published, and whether it is listed."""
    return jsonify(public_view(db.session(), find_comment(comment_id)))


@bp.get("/threads/<thread_id>/comments")
def list_comments(thread_id: str) -> Response:
    """The thread's published comments, oldest first (``order=newest``: newest first),
    a page at a time."""
    _check_thread_id(thread_id)
    try:
        page, next_cursor = thread_page(db.session(), thread_id, limit=_limit(),
                                        newest=_newest_first(), cursor=request.args.get("cursor"))
    except InvalidCursor:
        raise APIError(400, "invalid_cursor", "cursor is not one this API gave out.") from None
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
    return whole_number("limit", raw, 1, MAX_PAGE_SIZE)


def _newest_first() -> bool:
    order = request.args.get("order", "oldest")
    if order not in ("oldest", "newest"):
        raise APIError(400, "invalid_order", "order must be 'oldest' or 'newest'.")
    return order == "newest"
