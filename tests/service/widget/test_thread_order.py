"""The order the widget's sort toggle asks for: GET .../comments?order=newest|oldest."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from service import db
from service.comments.models import Comment, Status

THREAD = "/api/v1/threads/ordered/comments"


def publish(app, count: int) -> list[str]:
    """``count`` published comments a minute apart, oldest first; returns their ids."""
    start = datetime(2026, 1, 1, 12, 0)
    comments = [
        Comment(id=uuid.uuid4(), thread_id="ordered", author=f"Reader {n}", body=f"Point {n}",
                status=Status.APPROVED, created_at=start + timedelta(minutes=n))
        for n in range(count)
    ]
    with app.app_context(), db.transaction() as session:
        session.add_all(comments)
    return [str(comment.id) for comment in comments]


def read_all(client, order: str, limit: int) -> list[str]:
    ids, cursor = [], None
    while True:
        query = {"order": order, "limit": limit} | ({"cursor": cursor} if cursor else {})
        page = client.get(THREAD, query_string=query).json
        ids += [comment["id"] for comment in page["comments"]]
        if not (cursor := page["next_cursor"]):
            return ids


def test_newest_first_pages_through_every_comment_once(app, client):
    ids = publish(app, 7)

    assert read_all(client, "newest", 3) == ids[::-1]
    assert read_all(client, "oldest", 3) == ids


def test_oldest_first_is_the_default(app, client):
    ids = publish(app, 3)

    assert [c["id"] for c in client.get(THREAD).json["comments"]] == ids


def test_an_unknown_order_is_refused(client):
    response = client.get(THREAD, query_string={"order": "random"})

    assert response.status_code == 400
    assert response.json == {"error": "invalid_order",
                             "message": "order must be 'oldest' or 'newest'."}
