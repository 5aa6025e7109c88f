"""A comment's ``comment.created``: no webhook work in the POST; fanned out with the
comment's first decision (the scoring job's batch, or a moderator's), first; by the
sweeper when no decision comes. A comment decided at intake keeps its fan-out there."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import create_engine, event, insert, select

from service import db
from service.comments.events import record_decision
from service.comments.models import Comment, Event
from service.queueing import WEBHOOKS_QUEUE, queue
from service.webhooks.models import WebhookFanOut
from tests.support.webhooks import add_endpoint, deliver_webhooks, deliveries
from tests.support.work import drain
from workers.delivery import sweep

THREAD = "/api/v1/threads/t/comments"


def post(client, count: int = 1) -> list[str]:
    ids = []
    for number in range(count):
        response = client.post(THREAD, json={"author": "Ana", "body": f"Borders, {number}."})
        assert response.status_code == 202
        ids.append(response.json["id"])
    return ids


def events_of(app) -> dict[str, tuple[str, str]]:
    """Each event's (type, comment id), by event id."""
    with app.app_context():
        return {event_id: (kind, str(comment_id)) for event_id, kind, comment_id in
                db.session().execute(select(Event.id, Event.type, Event.comment_id))}


def fan_out_rows(app) -> dict[str, int]:
    """The deliveries each fanned-out event made, by event id."""
    with app.app_context():
        return dict(db.session().execute(select(WebhookFanOut.event_id,
                                                WebhookFanOut.deliveries)).tuples().all())


def fan_out_jobs(app) -> list[tuple[str, ...]]:
    with app.app_context():
        return [job.args for job in queue(WEBHOOKS_QUEUE).get_jobs()
                if job.func_name == "workers.delivery.fan_out"]


def received(receiver, count: int) -> list[tuple[str, str]]:
    """(type, comment id) of the first ``count`` deliveries, in the order they came."""
    return [(body["type"], body["data"]["comment"]["id"])
            for body in (json.loads(sent.body) for sent in receiver.wait_for(count))]


def test_the_scoring_batch_fans_out_each_comments_created_before_its_decision(
        app, client, receiver):
    add_endpoint(app, receiver.url)
    ids = post(client, 3)
    assert fan_out_jobs(app) == [] and fan_out_rows(app) == {}

    drain(app, ("scoring",))  # one job decides the three

    events = events_of(app)
    [job] = fan_out_jobs(app)  # one job for the batch's six events, the created first
    assert [events[event_id][0] for event_id in job][:3] == ["comment.created"] * 3
    assert {events[event_id][1] for event_id in job} == set(ids) and len(job) == 6
    with app.app_context():  # named after an event of its own transaction: a new id
        assert queue(WEBHOOKS_QUEUE).get_job_ids() == [f"webhook-fan-out-{job[3]}"]
    deliver_webhooks(app)
    got = received(receiver, 6)
    for comment_id in ids:
        kinds = [kind for kind, about in got if about == comment_id]
        assert kinds[0] == "comment.created" and len(kinds) == 2, got
        assert kinds[1] in {"comment.approved", "comment.held", "comment.rejected"}
    assert all(delivery.status == "succeeded" for delivery in deliveries(app))
    assert sorted(fan_out_rows(app).values()) == [1] * 6


def test_a_moderator_who_decides_before_the_model_sends_created_first(app, client, receiver):
    add_endpoint(app, receiver.url)
    [comment_id] = post(client)

    with app.app_context(), db.transaction() as session:
        record_decision(session, session.get(Comment, uuid.UUID(comment_id)),
                        outcome="approved", actor="maria", reason="fine")
    drain(app, ("scoring",))  # finds the comment decided already
    deliver_webhooks(app)

    assert received(receiver, 2) == [("comment.created", comment_id),
                                     ("comment.approved", comment_id)]
    assert len(receiver.requests) == 2


def test_with_no_scoring_the_sweeper_fans_out_created_and_the_decision_follows_once(
        app, client, receiver):
    add_endpoint(app, receiver.url)
    [comment_id] = post(client)  # and no worker scores it
    with app.app_context():
        assert sweep() == {"fan_outs": 0, "attempts": 0}, "too recent: its decision may come"
        app.config["SWEEP_AFTER_SECONDS"] = 0
        assert sweep() == {"fan_outs": 1, "attempts": 0}
    deliver_webhooks(app)
    assert received(receiver, 1) == [("comment.created", comment_id)]

    drain(app, ("scoring",))  # the worker is back
    deliver_webhooks(app)

    assert received(receiver, 2)[0][0] == "comment.created"
    assert len(receiver.requests) == 2, "comment.created is not sent twice"
    with app.app_context():
        assert sweep() == {"fan_outs": 0, "attempts": 0}


def test_a_comment_link_rules_decide_at_intake_is_fanned_out_by_its_post(app, client,
                                                                         receiver):
    add_endpoint(app, receiver.url)
    response = client.post(THREAD, json={"author": "Ana",
                                         "body": "https://watches.example.com/deal"})
    assert response.json["status"] == "held"  # the link-only rule, no scoring job

    [job] = fan_out_jobs(app)
    events = events_of(app)
    assert [events[event_id][0] for event_id in job] == ["comment.created", "comment.held"]
    deliver_webhooks(app)
    assert received(receiver, 2) == [("comment.created", response.json["id"]),
                                     ("comment.held", response.json["id"])]


@pytest.mark.parametrize("subscribed", [[], ["comment.reported"]])
def test_events_nobody_wants_are_marked_fanned_out_by_the_batch(app, client, subscribed):
    if subscribed:
        add_endpoint(app, "http://127.0.0.1:9/hook", events=subscribed)
    post(client, 2)
    assert fan_out_rows(app) == {}, "the POST leaves them to the batch"

    drain(app, ("scoring",))

    rows, events = fan_out_rows(app), events_of(app)
    assert set(rows) == set(events) and len(events) == 4
    assert set(rows.values()) == {0}
    assert fan_out_jobs(app) == []
    with app.app_context():
        app.config["SWEEP_AFTER_SECONDS"] = 0
        assert sweep() == {"fan_outs": 0, "attempts": 0}


def test_an_endpoint_for_created_only_gets_it_from_the_batch(app, client, receiver):
    add_endpoint(app, receiver.url, events=["comment.created"])
    [comment_id] = post(client)

    drain(app, ("scoring",))

    events = events_of(app)
    [job] = fan_out_jobs(app)
    assert [events[event_id][0] for event_id in job] == ["comment.created"]
    assert list(fan_out_rows(app).values()) == [0]  # the decision's: nobody wants it
    deliver_webhooks(app)
    assert received(receiver, 1) == [("comment.created", comment_id)]


def test_a_created_event_fanned_out_meanwhile_does_not_fail_the_batch(app, client):
    """The sweeper's fan-out job may mark a created event between the batch's look and its
    INSERT (PostgreSQL lets another transaction commit there; SQLite's lock does not)."""
    url = app.config["DATABASE_URL"]
    if url.startswith("sqlite"):
        pytest.skip("SQLite's write lock keeps others out of the batch's transaction")
    [comment_id] = post(client)
    [created] = events_of(app)
    other = create_engine(url)

    def meanwhile(conn, cursor, statement, parameters, context, executemany) -> None:
        if "FROM events LEFT OUTER JOIN webhook_fan_outs" in statement:
            with other.begin() as connection:
                connection.execute(insert(WebhookFanOut).values(
                    event_id=created, deliveries=0, created_at=db.utcnow()))

    with app.app_context():
        engine = db.session().get_bind()
    event.listen(engine, "after_cursor_execute", meanwhile)
    try:
        drain(app, ("scoring",))
    finally:
        event.remove(engine, "after_cursor_execute", meanwhile)
        other.dispose()

    with app.app_context():
        assert db.session().get(Comment, uuid.UUID(comment_id)).decided_at is not None
    assert sorted(fan_out_rows(app).values()) == [0, 0]
