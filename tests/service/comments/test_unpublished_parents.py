"""A reply waits out of the thread until the comment it answers is published (issue 14.8)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import update

from service import db
from service.comments.models import Comment, Status

THREAD = "/api/v1/threads/t1/comments"


def post(client, body: str, parent_id: str | None = None) -> str:
    payload = {"author": "Ana", "body": body} | ({"parent_id": parent_id} if parent_id else {})
    response = client.post(THREAD, json=payload)
    assert response.status_code == 202, response.json
    return response.json["id"]


def set_status(app, comment_id: str, status: Status) -> None:
    with app.app_context(), db.transaction() as session:
        session.execute(update(Comment).where(Comment.id == uuid.UUID(comment_id))
                        .values(status=status, decided_at=db.utcnow()))


@pytest.mark.parametrize("parent_status", [Status.PENDING, Status.HELD, Status.REJECTED])
def test_a_published_reply_to_an_unpublished_comment_is_held_back(app, client, parent_status):
    parent = post(client, "The first comment.")
    reply = post(client, "A reply to it.", parent_id=parent)
    set_status(app, parent, parent_status)
    set_status(app, reply, Status.APPROVED)

    listed = [comment["id"] for comment in client.get(THREAD).json["comments"]]
    assert reply not in listed

    own = client.get(f"/api/v1/comments/{reply}").json
    assert own["status"] == "approved" and own["listed"] is False
    assert "once the comment it answers is published" in own["listing_note"]

    set_status(app, parent, Status.APPROVED)
    assert [c["id"] for c in client.get(THREAD).json["comments"]] == [parent, reply]
    assert client.get(f"/api/v1/comments/{reply}").json["listed"] is True
