"""The sweeper queues again only comments that waited too long and are not held."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import update

from service import db
from service.comments.models import Comment
from workers.scoring.jobs import claim
from workers.sweeper import sweep

THREAD = "/api/v1/threads/t/comments"


def age(app, seconds: int) -> None:
    with app.app_context(), db.transaction() as session:
        session.execute(update(Comment).values(
            created_at=db.utcnow() - timedelta(seconds=seconds)))


def test_recent_comments_are_left_to_their_jobs(app, client, redis):
    client.post(THREAD, json={"author": "Ana", "body": "Fresh"})
    redis.delete("rq:queue:scoring")

    with app.app_context():
        assert sweep() == 0


def test_old_pending_comments_are_queued_once_while_their_job_waits(app, client, redis):
    client.post(THREAD, json={"author": "Ana", "body": "Old"})
    age(app, 3600)

    with app.app_context():
        assert sweep() == 0, "its job still waits in the queue"
        redis.delete("rq:queue:scoring")  # Redis lost the queue
        assert sweep() == 1
        assert sweep() == 0, "queued again once, not twice"
    assert redis.llen("rq:queue:scoring") == 1


def test_a_comment_under_a_live_lease_is_not_swept(app, client, redis):
    created = client.post(THREAD, json={"author": "Ana", "body": "Busy"}).json
    redis.delete("rq:queue:scoring")
    age(app, 3600)

    with app.app_context():
        claim(db.session(), uuid.UUID(created["id"]), "worker", 32, 120)
        assert sweep() == 0
