"""Nothing lost: the sweeper finds events and deliveries whose jobs Redis never had."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from cli import redis_server
from service import db
from service.app import create_app
from service.comments.models import Event
from service.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookFanOut
from tests.support.webhooks import add_comment, add_endpoint, deliver_webhooks, deliveries
from workers.delivery import fan_out, sweep


def make_old(app, model, column, seconds: int = 3600) -> None:
    with app.app_context(), db.transaction() as session:
        session.execute(update(model).values({column: db.utcnow() - timedelta(seconds=seconds)}))


def test_an_event_committed_while_redis_was_down_is_delivered_after_a_sweep(
        settings, app, redis, receiver):
    add_endpoint(app, receiver.url)
    down = create_app(settings | {"REDIS_URL": f"redis://127.0.0.1:{redis_server.free_port()}/0"})

    response = down.test_client().post("/api/v1/threads/t/comments",
                                       json={"author": "Ana", "body": "Still here?"})

    assert response.status_code == 202
    assert redis.llen("rq:queue:webhooks") == 0
    with app.app_context():
        assert sweep() == {"fan_outs": 0, "attempts": 0}, "too recent: a decision may fan it out"
    make_old(app, WebhookEndpoint, "created_at", 7200)
    make_old(app, Event, "created_at", 3600)
    with app.app_context():
        assert sweep() == {"fan_outs": 1, "attempts": 0}
    deliver_webhooks(app)
    assert len(receiver.wait_for(1)) == 1
    with app.app_context():
        assert sweep() == {"fan_outs": 0, "attempts": 0}


def test_a_due_delivery_whose_job_was_lost_is_queued_again_once(app, redis, receiver):
    add_endpoint(app, receiver.url, events=["comment.created"])
    add_comment(app)
    with app.app_context():
        assert fan_out(db.session().scalar(select(Event.id))) == 1
    redis.flushdb()  # Redis lost the attempt's job

    with app.app_context():
        assert sweep()["attempts"] == 0, "not overdue yet"
    make_old(app, WebhookDelivery, "next_attempt_at")
    with app.app_context():
        assert sweep()["attempts"] == 1
        assert sweep()["attempts"] == 0, "its job waits in the queue"
    deliver_webhooks(app)

    assert len(receiver.wait_for(1)) == 1
    [delivery] = deliveries(app)
    assert delivery.status == "succeeded"
    with app.app_context():
        assert sweep()["attempts"] == 0


def test_a_delivery_under_a_live_lease_is_not_swept(app, redis, receiver):
    add_endpoint(app, receiver.url, events=["comment.created"])
    add_comment(app)
    with app.app_context():
        fan_out(db.session().scalar(select(Event.id)))
    redis.flushdb()
    make_old(app, WebhookDelivery, "next_attempt_at")
    with app.app_context(), db.transaction() as session:
        session.execute(update(WebhookDelivery).values(
            claimed_until=db.utcnow() + timedelta(minutes=1)))

    with app.app_context():
        assert sweep()["attempts"] == 0


def test_fan_out_twice_makes_one_delivery_per_endpoint(app, receiver):
    add_endpoint(app, receiver.url, events=["comment.created"])
    add_comment(app)

    with app.app_context():
        event_id = db.session().scalar(select(Event.id))
        assert fan_out(event_id) == 1
        assert fan_out(event_id) == 0
        assert db.session().scalar(select(func.count()).select_from(WebhookDelivery)) == 1
        assert db.session().get(WebhookFanOut, event_id).deliveries == 1


def test_a_fan_out_lost_in_a_partial_redis_loss_is_queued_again(app, redis, receiver):
    add_endpoint(app, receiver.url)
    make_old(app, WebhookEndpoint, "created_at", 7200)
    add_comment(app)
    [job_id] = [key.decode().removeprefix("rq:job:") for key in redis.keys("rq:job:webhook-*")]
    assert redis.lrange("rq:queue:webhooks", 0, -1) == [job_id.encode()]

    redis.delete("rq:queue:webhooks")  # the queue is lost; the job's hash still says queued
    make_old(app, Event, "created_at", 3600)
    with app.app_context():
        assert sweep() == {"fan_outs": 1, "attempts": 0}

    deliver_webhooks(app)
    assert len(receiver.wait_for(1)) == 1
    assert [delivery.status for delivery in deliveries(app)] == ["succeeded"]
