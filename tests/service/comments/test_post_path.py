"""The POST path's round trips: one Redis pipeline, and no webhook work at all."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from service import db
from service.comments.models import Event
from service.queueing import SCORING_QUEUE, WEBHOOKS_QUEUE, JobRequest, enqueue, queue
from service.webhooks.models import WebhookFanOut
from tests.support.databases import recorded_statements
from tests.support.webhooks import add_endpoint

THREAD = "/api/v1/threads/round-trips/comments"


def count_round_trips(app, monkeypatch) -> list[str]:
    """Record each Redis round trip of the app's connection: a command, or a pipeline."""
    connection = app.extensions["redis"]
    trips: list[str] = []
    execute_command, make_pipeline = connection.execute_command, connection.pipeline

    def command(*args, **options):
        trips.append(str(args[0]))
        return execute_command(*args, **options)

    def pipeline(*args, **options):
        made = make_pipeline(*args, **options)
        execute = made.execute

        def run(*run_args, **run_options):
            trips.append(f"pipeline of {len(made.command_stack)}")
            return execute(*run_args, **run_options)

        made.execute = run
        return made

    monkeypatch.setattr(connection, "execute_command", command)
    monkeypatch.setattr(connection, "pipeline", pipeline)
    return trips


def fan_outs(app, comment_id: str) -> list[int]:
    with app.app_context():
        session = db.session()
        event_ids = session.scalars(select(Event.id).where(
            Event.comment_id == uuid.UUID(comment_id))).all()
        return [row.deliveries for row in session.scalars(
            select(WebhookFanOut).where(WebhookFanOut.event_id.in_(event_ids)))]


@pytest.mark.parametrize("subscribed", [[], ["comment.created"]])
def test_a_post_costs_one_redis_round_trip_and_does_no_webhook_work(
        app, client, monkeypatch, subscribed):
    if subscribed:
        add_endpoint(app, "http://127.0.0.1:9/hook", events=subscribed)
    client.post(THREAD, json={"author": "Ana", "body": "A first comment, to warm up."})
    trips = count_round_trips(app, monkeypatch)
    with recorded_statements(app) as statements:
        response = client.post(THREAD, json={"author": "Ana", "body": "Borders matter."})

    assert response.status_code == 202
    assert len(trips) == 1 and trips[0].startswith("pipeline"), trips
    assert statements and not [s for s in statements if "webhook" in s], statements
    with app.app_context():
        assert f"score-{response.json['id']}" in queue(SCORING_QUEUE).get_job_ids()
        assert queue(WEBHOOKS_QUEUE).get_job_ids() == []
    assert fan_outs(app, response.json["id"]) == []  # left to its decision, or the sweeper


def test_a_job_already_waiting_is_not_queued_twice(app):
    request = JobRequest(SCORING_QUEUE, "workers.scoring.jobs.score_comment", ("x",),
                         job_id="score-x")
    with app.app_context():
        assert enqueue([request, request]) == 1
        assert enqueue([request]) == 0
        assert queue(SCORING_QUEUE).get_job_ids().count("score-x") == 1
