"""Explanations off the scoring path: the scoring job asks for one explain job per batch
that the model held comments of, and that job, run later, explains them once."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select, update

from service import db
from service.comments.models import Comment, Decision, Status
from service.comments.tasks import EXPLAIN_JOB
from service.policy import LABELS
from service.queueing import EXPLAIN_QUEUE, queue
from tests.support.accounts import HOLD_ALL, bearer
from tests.support.work import drain
from workers.scoring.explaining import explain_held
from workers.scoring.jobs import score_comment

THREAD = "/api/v1/threads/t/comments"
HOLD_NONE = {"hold": dict.fromkeys(LABELS, 1.0), "reject": dict.fromkeys(LABELS, 1.0)}
"""Thresholds under which the model approves every comment (no score reaches 1.0)."""


def post(client, count: int) -> list[str]:
    return [client.post(THREAD, json={"author": "Ana", "body": f"The bus lane number {i} "
                                      "helped my commute a lot."}).json["id"]
            for i in range(count)]


def explanations(app) -> dict[str, list[dict[str, float]] | None]:
    """Each comment's model decision's explanation, by comment id."""
    with app.app_context():
        return {str(comment_id): explanation for comment_id, explanation in db.session().execute(
            select(Decision.comment_id, Decision.explanation).where(Decision.actor == "model"))}


def scored_in_one_batch(app, client, count: int) -> list[str]:
    ids = post(client, count)
    with app.app_context():
        assert score_comment(ids[-1]) == {"claimed": count, "decided": count}
    return ids


def valid(spans: list[dict[str, float]] | None, body: str) -> bool:
    return isinstance(spans, list) and all(
        0 <= span["start"] < span["end"] <= len(body) and span["weight"] > 0 for span in spans)


def test_a_batch_that_held_comments_asks_for_one_explain_job_and_explains_nothing_itself(
        settings, request):
    settings["MODERATION_THRESHOLDS"] = HOLD_ALL
    app = request.getfixturevalue("app")
    client, redis = app.test_client(), app.extensions["redis"]

    ids = scored_in_one_batch(app, client, 3)

    [job] = queue(EXPLAIN_QUEUE, redis).get_jobs()
    assert (job.id, job.func_name, job.args) == (f"explain-{ids[0]}", EXPLAIN_JOB, tuple(ids))
    assert explanations(app) == dict.fromkeys(ids), "not explained on the scoring path"

    drain(app, (EXPLAIN_QUEUE,))

    explained = explanations(app)
    with app.app_context():
        bodies = {str(comment.id): comment.body for comment in db.session().scalars(
            select(Comment))}
    assert all(valid(explained[comment_id], bodies[comment_id]) for comment_id in ids)
    assert queue(EXPLAIN_QUEUE, redis).count == 0


@pytest.mark.parametrize(("thresholds", "explain", "outcome"), [
    (HOLD_NONE, True, Status.APPROVED),
    (HOLD_ALL, False, Status.HELD),
])
def test_no_explain_job_when_nothing_is_held_or_explain_held_is_off(
        settings, request, thresholds, explain, outcome):
    settings.update(MODERATION_THRESHOLDS=thresholds, EXPLAIN_HELD=explain)
    app = request.getfixturevalue("app")
    client = app.test_client()

    ids = scored_in_one_batch(app, client, 2)

    assert queue(EXPLAIN_QUEUE, app.extensions["redis"]).count == 0
    assert [client.get(f"/api/v1/comments/{comment_id}").json["status"]
            for comment_id in ids] == [outcome] * 2
    assert explanations(app) == dict.fromkeys(ids)


def test_the_explain_job_explains_once_and_leaves_comments_no_longer_held(settings, request):
    settings["MODERATION_THRESHOLDS"] = HOLD_ALL
    app, accounts = request.getfixturevalue("app"), request.getfixturevalue("accounts")
    client, redis = app.test_client(), app.extensions["redis"]
    ids = scored_in_one_batch(app, client, 4)
    redis.delete(queue(EXPLAIN_QUEUE, redis).key)  # the job is run here, by hand
    approved = client.post(f"/api/v1/moderation/comments/{ids[3]}/decisions",
                           json={"action": "approve", "reason": ""},
                           headers=bearer(accounts["mia"]))
    assert approved.status_code == 201
    with app.app_context(), db.transaction() as session:
        # A model that gives no toxicity score: nothing to explain, and nothing left to do.
        decision = session.scalars(select(Decision).where(
            Decision.comment_id == uuid.UUID(ids[2]), Decision.actor == "model")).one()
        session.execute(update(Decision).where(Decision.id == decision.id).values(
            scores={key: value for key, value in decision.scores.items()
                    if key != "toxicity"}))

    with app.app_context():
        assert explain_held(*ids) == 3
    first = explanations(app)
    with app.app_context():
        assert explain_held(*ids) == 0, "already explained"

    assert explanations(app) == first
    assert isinstance(first[ids[0]], list) and isinstance(first[ids[1]], list)
    assert first[ids[2]] == [], "no toxicity score: explained as nothing"
    assert first[ids[3]] is None, "approved before its explanation: left alone"


