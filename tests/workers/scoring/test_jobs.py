"""The scoring job: one model decision per comment, however often and wherever it runs."""

from __future__ import annotations

import uuid
from datetime import timedelta

from rq.job import Job
from sqlalchemy import func, select

from service import db
from service.comments.models import Comment, Decision, Event, Status
from service.queueing import SCORING_QUEUE, drop_waiting, queue, redis
from tests.support.databases import recorded_statements
from tests.support.work import drain
from workers.scoring.jobs import claim, score_comment

THREAD = "/api/v1/threads/t/comments"


def post_many(client, count: int) -> list[str]:
    return [client.post(THREAD, json={"author": "Ana", "body": f"Comment number {i}"}).json["id"]
            for i in range(count)]


def test_a_job_run_twice_leaves_one_decision(app, client):
    [comment_id] = post_many(client, 1)

    with app.app_context():
        first = score_comment(comment_id)
    with app.app_context():
        second = score_comment(comment_id)

    assert first == {"claimed": 1, "decided": 1}
    assert second == {"claimed": 0, "decided": 0}
    with app.app_context():
        decisions = db.session().scalars(select(Decision)).all()
        assert len(decisions) == 1
        assert decisions[0].actor == "model"
        assert decisions[0].model.startswith("checkpoint@")
        assert set(decisions[0].scores) == {"toxicity", "severe_toxicity", "obscene", "threat",
                                            "insult", "identity_attack"}
        assert decisions[0].thresholds["hold"]["toxicity"] > 0
        types = sorted(db.session().scalars(select(Event.type)))
        assert types == sorted(["comment.created", f"comment.{decisions[0].outcome}"])


def test_waiting_comments_are_scored_in_one_batch(app, client):
    ids = post_many(client, 7)

    with app.app_context():
        result = score_comment(ids[-1])

    assert result == {"claimed": 7, "decided": 7}
    with app.app_context():
        # The six other jobs left the queue: no worker need run them to find nothing to do.
        assert queue(SCORING_QUEUE).job_ids == [f"score-{ids[-1]}"]
        assert not any(Job.exists(f"score-{id_}", connection=redis()) for id_ in ids[:-1])
    drain(app)  # the last one's job, which this test ran by hand, finds nothing to do
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(Decision)) == 7
        pending = db.session().scalar(
            select(func.count()).select_from(Comment).where(Comment.status == Status.PENDING))
        assert pending == 0


def test_a_claimed_comment_is_left_to_the_worker_holding_it(app, client):
    [comment_id] = post_many(client, 1)

    with app.app_context():
        held = claim(db.session(), uuid.UUID(comment_id), "other-worker", 32, 120)
        assert [str(comment.id) for comment in held] == [comment_id]
    with app.app_context():
        assert score_comment(comment_id) == {"claimed": 0, "decided": 0}


def test_a_job_taken_by_a_worker_is_not_dropped_with_the_waiting_ones(app, client):
    ids = post_many(client, 3)

    with app.app_context():
        connection = redis()
        connection.lrem(queue(SCORING_QUEUE).key, 1, f"score-{ids[0]}")  # a worker took it
        dropped = drop_waiting(SCORING_QUEUE, [f"score-{id_}" for id_ in ids])

        assert dropped == 2
        assert queue(SCORING_QUEUE).job_ids == []
        assert Job.exists(f"score-{ids[0]}", connection=connection)
        assert not Job.exists(f"score-{ids[1]}", connection=connection)


def store_pending(app, count: int) -> list[str]:
    """``count`` pending comments, a second apart, in threads and names of their own."""
    with app.app_context(), db.transaction() as session:
        start = db.utcnow() - timedelta(minutes=1)
        comments = [Comment(thread_id=f"t{number}", author=f"Reader {number}", body="Fine.",
                            created_at=start + timedelta(seconds=number))
                    for number in range(count)]
        session.add_all(comments)
        session.flush()
        return [str(comment.id) for comment in comments]


def test_batches_grow_while_the_queue_is_long_and_shrink_as_it_empties(app):
    ids = store_pending(app, 20)

    sizes: list[int] = []
    with app.app_context():
        for number in range(4):  # each time for the oldest comment not leased yet
            oldest = uuid.UUID(ids[sum(sizes)])
            sizes.append(len(claim(db.session(), oldest, f"worker-{number}", 4, 120, 8)))

    # Half of those waiting, from the batch size (4) to the largest batch (8).
    assert sizes == [8, 6, 4, 2]
    more = store_pending(app, 9)
    with app.app_context():  # without a largest batch: the batch size
        assert len(claim(db.session(), uuid.UUID(more[0]), "worker", 4, 120)) == 4


def test_an_expired_lease_may_be_taken_over(app, client):
    [comment_id] = post_many(client, 1)

    with app.app_context():
        claim(db.session(), uuid.UUID(comment_id), "dead-worker", 32, -1)
    with app.app_context():
        assert score_comment(comment_id) == {"claimed": 1, "decided": 1}


def statements_of_one_job(app, client, count: int) -> tuple[int, list[str]]:
    ids = [client.post(THREAD, json={"author": "Ana", "body": f"Batch of {count}, number {i}"})
           .json["id"] for i in range(count)]
    with recorded_statements(app) as executed, app.app_context():
        assert score_comment(ids[-1]) == {"claimed": count, "decided": count}
    return len(executed), executed


def test_a_batch_costs_the_same_statements_whatever_its_size(app, client):
    small, _ = statements_of_one_job(app, client, 2)
    large, executed = statements_of_one_job(app, client, 9)

    assert large == small, "\n".join(statement[:100] for statement in executed)
    # Three UPDATEs: the lease, winning the batch from pending (one executemany: a
    # statement whatever the batch's size), and the end of the lease of those won.
    assert [statement.split()[0] for statement in executed].count("UPDATE") == 3
    with app.app_context():
        session = db.session()
        for comment in session.scalars(select(Comment)):
            [decision] = comment.decisions
            assert comment.status == decision.outcome != Status.PENDING
            assert comment.decided_at == decision.created_at
            assert comment.claim_token is None and comment.claimed_until is None
        events = session.scalars(select(Event.type).where(Event.type != "comment.created"))
        assert len(list(events)) == 11
