"""A refused POST keeps nothing it began: not even the new thread it would have made
(SQLite too, where a savepoint taken before any write used to commit on release)."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from service import db
from service.threads.models import Thread


def test_a_refused_first_comment_leaves_no_thread(app, client):
    response = client.post("/api/v1/threads/new-thread/comments", json={
        "author": "Ana", "body": "Hi", "parent_id": str(uuid.uuid4())})

    assert response.status_code == 422
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(Thread)) == 0
