"""The moderation API: the review queue and decisions, for holders of a bearer token."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request, url_for

from service import db
from service.accounts.auth import current_moderator, require_token
from service.accounts.models import Moderator
from service.commenters.services import subs_of
from service.comments.models import Comment
from service.cursors import InvalidCursor
from service.errors import APIError, json_object
from service.moderation.schemas import BulkDecisionRequest, DecisionRequest, QueueQuery
from service.moderation.scope import api_scope, comment_in_reach
from service.moderation.services import (
    OwnDecisionUnderAppeal,
    QueueItem,
    UnknownComments,
    model_decision,
    moderate,
    parent_of,
    review_queue,
)
from service.threads.services import headlines

bp = Blueprint("moderation_api", __name__, url_prefix="/api/v1/moderation")


@bp.get("/queue")
@require_token()
def queue() -> Response:
    """A page of the queue: held comments (or another status), filtered and ordered."""
    query = QueueQuery.model_validate(request.args.to_dict())
    session = db.session()
    scope = api_scope(session, _moderator(), query.site)
    try:
        page = review_queue(session, query, scope)
    except InvalidCursor as error:
        raise APIError(400, "invalid_cursor", f"cursor: {error}.") from None
    return jsonify({
        "comments": _with_threads([_item_dict(item) for item in page.items],
                                  [item.comment for item in page.items]),
        "total": page.total,
        "next_cursor": page.next_cursor,
    })


@bp.get("/comments/<comment_id>")
@require_token()
def comment(comment_id: str) -> Response:
    """A comment in full, with every decision on it, oldest first, and what drove the
    model's score of a comment it held."""
    found = comment_in_reach(comment_id, _moderator())
    session = db.session()
    item = QueueItem(found, model_decision(found), parent_of(session, found))
    [data] = _with_threads([_item_dict(item)], [found])
    return jsonify(data | {
        "explanation": item.explanation,
        "decisions": [decision.as_dict() for decision in found.decisions],
    })


@bp.post("/comments/<comment_id>/decisions")
@require_token()
def decide(comment_id: str) -> tuple[Response, int, dict[str, str]]:
    """Approve or reject a comment, or reverse an earlier decision (201)."""
    found = comment_in_reach(comment_id, _moderator())
    body = DecisionRequest.model_validate(json_object())
    with db.transaction() as session:
        try:
            decided, unchanged = moderate(session, [found.id], body, _moderator())
        except OwnDecisionUnderAppeal:
            raise APIError(403, "own_decision", "You took the decision under appeal; another "
                           "moderator decides the appeal, and so this comment.") from None
        if unchanged:
            raise APIError(409, "already_decided", f"The comment is {found.status} already.",
                           comment_status=found.status)
    location = url_for(".comment", comment_id=found.id)
    return jsonify(decided[0].as_dict() | {"comment_id": str(found.id)}), 201, {
        "Location": location}


@bp.post("/decisions")
@require_token()
def decide_many() -> Response:
    """One decision on many comments; those already in that status are left alone."""
    body = BulkDecisionRequest.model_validate(json_object())
    try:
        with db.transaction() as session:
            decided, unchanged = moderate(session, body.comment_ids, body, _moderator())
    except UnknownComments as error:
        message = f"no such comment: {error}"
        raise APIError(422, "invalid_input", f"comment_ids: {message}",
                       fields={"comment_ids": message}) from None
    except OwnDecisionUnderAppeal as error:
        raise APIError(403, "own_decision", f"You took the decisions under appeal of {error}; "
                       "another moderator decides them. Nothing was decided.") from None
    return jsonify({
        "decisions": [decision.as_dict() | {"comment_id": str(decision.comment_id)}
                      for decision in decided],
        "unchanged": [str(comment.id) for comment in unchanged],
    })


def _with_threads(items: list[dict[str, Any]], comments: list[Comment]
                  ) -> list[dict[str, Any]]:
    """The items with their thread's headline, link and counts, and their commenter's sub."""
    session = db.session()
    found, subs = headlines(session, comments), subs_of(session, comments)
    for data, comment in zip(items, comments, strict=True):
        headline = found[(comment.site_id, comment.thread_id)]
        data["thread"] = {"id": comment.thread_id, "title": headline.title,
                          "url": headline.url, "closed": headline.closed,
                          "counts": headline.counts}
        data["commenter"] = subs.get(comment.commenter_id) if comment.commenter_id else None
    return items


def _item_dict(item: QueueItem) -> dict[str, Any]:
    comment = item.comment
    data = comment.public_dict() | {"author": comment.author, "body": comment.body,
                                    "site": comment.site.slug}
    data["scores"] = item.scores
    data["flagged"] = item.flagged
    data["parent"] = ({"id": str(item.parent.id), "author": item.parent.author,
                       "body": item.parent.body, "status": item.parent.status}
                      if item.parent else None)
    return data




def _moderator() -> Moderator:
    moderator = current_moderator()
    assert moderator is not None, "require_token sets the moderator"
    return moderator
