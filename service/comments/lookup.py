"""Finding a comment by the id in a URL, for every API that names one."""

from __future__ import annotations

import uuid

from service import db
from service.comments.models import Comment
from service.errors import APIError


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
