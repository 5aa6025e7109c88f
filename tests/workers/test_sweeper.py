"""The sweeper queues again only comments that waited too long and are not held, and the
explanations of held comments that Redis lost."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select, update

from cli import redis_server
from service import db
from service.app import create_app
from service.comments.models import Comment, Decision
from service.queueing import EXPLAIN_QUEUE, queue
from tests.support.accounts import HOLD_ALL
from tests.support.work import drain
from workers.scoring.jobs import claim, score_comment
from workers.sweeper import sweep, sweep_explanations

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


def held_in_one_batch(app, count: int, name: str, scoring_app=None) -> list[str]:
    """Comments the model held, decided by one scoring job (run in ``scoring_app``, else
    ``app``); their explain job not run."""
    client = app.test_client()
    ids = [client.post(THREAD, json={"author": "Ana", "body": f"{name} number {i}"}).json["id"]
           for i in range(count)]
    app.extensions["redis"].delete("rq:queue:scoring")
    with (scoring_app or app).app_context():
        assert score_comment(ids[-1]) == {"claimed": count, "decided": count}
    return ids


def age_decisions(app, seconds: int) -> None:
    with app.app_context(), db.transaction() as session:
        session.execute(update(Decision).values(
            created_at=db.utcnow() - timedelta(seconds=seconds)))


def explanations(app) -> list[list | None]:
    with app.app_context():
        return list(db.session().scalars(select(Decision.explanation)
                                         .order_by(Decision.created_at, Decision.id)))


def test_an_explain_job_lost_with_redis_is_queued_again_by_the_sweeper(settings, request):
    settings["MODERATION_THRESHOLDS"] = HOLD_ALL
    app = request.getfixturevalue("app")
    redis = app.extensions["redis"]
    down = create_app(settings | {"REDIS_URL": f"redis://127.0.0.1:{redis_server.free_port()}/0"})

    ids = held_in_one_batch(app, 3, "Lost", scoring_app=down)  # Redis down at their commit

    assert redis.llen("rq:queue:explain") == 0
    with app.app_context():
        assert sweep_explanations() == 0, "too recent: its job may still be on its way"
    age_decisions(app, 3600)
    with app.app_context():
        assert sweep_explanations() == 1
        assert sweep_explanations() == 0, "its job waits"
    [job] = queue(EXPLAIN_QUEUE, redis).get_jobs()
    assert job.args == tuple(ids)

    drain(app, (EXPLAIN_QUEUE,))

    assert all(isinstance(explanation, list) for explanation in explanations(app))
    with app.app_context():
        assert sweep_explanations() == 0, "nothing left to explain"
    down.extensions["db"].kw["bind"].dispose()


def test_the_sweeper_explains_only_the_last_days_holds_when_the_explain_queue_is_idle(
        settings, request):
    settings["MODERATION_THRESHOLDS"] = HOLD_ALL
    settings["SCORING_BATCH_SIZE"] = 2
    app = request.getfixturevalue("app")
    redis = app.extensions["redis"]
    held_in_one_batch(app, 2, "First")
    held_in_one_batch(app, 1, "Second")
    age_decisions(app, 3600)

    with app.app_context():
        assert redis.llen("rq:queue:explain") == 2, "one job per scoring batch"
        assert sweep_explanations() == 0, "explain jobs wait: the sweeper waits too"
        redis.delete("rq:queue:explain")
        app.config["EXPLAIN_HELD"] = False
        assert sweep_explanations() == 0
        app.config["EXPLAIN_HELD"] = True
    age_decisions(app, 25 * 3600)
    with app.app_context():
        assert sweep_explanations() == 0, "older than a day"
    age_decisions(app, 3600)
    with app.app_context():
        assert sweep_explanations() == 2, "SCORING_BATCH_SIZE comments a job"
    assert explanations(app) == [None] * 3
