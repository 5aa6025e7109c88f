"""Failed deliveries are retried on schedule, with one webhook-id, and logged."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from service import db
from service.queueing import enqueue
from service.webhooks.models import WebhookEndpoint
from service.webhooks.tasks import attempt_job, fan_out_job
from service.webhooks.verify import verify_webhook
from tests.support.receiver import Reply
from tests.support.webhooks import (
    add_comment,
    add_endpoint,
    deliver_webhooks,
    deliveries,
    run_webhook_worker,
)


def test_a_receiver_that_fails_twice_gets_the_event_three_times_with_one_id(app, receiver):
    endpoint = add_endpoint(app, receiver.url, events=["comment.created"])
    receiver.reply(Reply(500, b"database locked"), Reply(503, b"busy"))

    add_comment(app)
    deliver_webhooks(app)

    sent = receiver.wait_for(3)
    assert len(sent) == 3
    assert len({request.headers["webhook-id"] for request in sent}) == 1
    assert len({request.body for request in sent}) == 1
    for request in sent:
        verify_webhook(endpoint.secret, request.headers, request.body)
    [delivery] = deliveries(app)
    assert delivery.status == "succeeded" and delivery.attempts == 3
    log = [(a.number, a.status_code, a.succeeded, a.response_excerpt)
           for a in delivery.attempt_log]
    assert log == [(1, 500, False, "database locked"), (2, 503, False, "busy"),
                   (3, 200, True, "ok")]
    assert all(a.latency_ms is not None and a.latency_ms >= 0 for a in delivery.attempt_log)
    assert delivery.endpoint.failing_since is None


def test_a_timeout_and_a_redirect_count_as_failures(app, settings, receiver):
    add_endpoint(app, receiver.url, events=["comment.created"])
    with_timeout = settings["WEBHOOK_TIMEOUT_SECONDS"]
    receiver.reply(Reply(200, delay=with_timeout + 0.5),
                   Reply(302, headers={"Location": receiver.url + "/elsewhere"}))

    add_comment(app)
    deliver_webhooks(app)

    [delivery] = deliveries(app)
    first, second, third = delivery.attempt_log
    assert first.status_code is None and "timed out" in first.error
    assert second.status_code == 302 and not second.succeeded
    assert third.succeeded
    assert [request.path for request in receiver.requests] == ["/hooks"] * 3, "no redirect"


def test_the_response_excerpt_is_kept_to_1_kb(app, receiver):
    add_endpoint(app, receiver.url, events=["comment.created"])
    receiver.reply(Reply(200, b"x" * 100_000))

    add_comment(app)
    deliver_webhooks(app)

    [attempt] = deliveries(app)[0].attempt_log
    assert attempt.response_excerpt == "x" * 1024


def test_retry_after_is_honoured(app, receiver):
    add_endpoint(app, receiver.url, events=["comment.created"])
    receiver.reply(Reply(429, headers={"Retry-After": "2"}))

    add_comment(app)
    deliver_webhooks(app)

    first, second = receiver.wait_for(2)
    assert second.at - first.at >= 2.0
    assert deliveries(app)[0].status == "succeeded"


def test_410_gone_disables_the_endpoint_and_nothing_more_is_sent(app, receiver):
    add_endpoint(app, receiver.url, events=["comment.created"])
    receiver.reply(Reply(410, b"no such hook"))

    add_comment(app)
    deliver_webhooks(app)
    add_comment(app)
    deliver_webhooks(app)

    assert len(receiver.requests) == 1
    [delivery] = deliveries(app)
    assert delivery.status == "failed" and delivery.last_status_code == 410
    assert not delivery.endpoint.enabled
    assert "410 Gone" in delivery.endpoint.disabled_reason


def test_an_endpoint_failing_for_five_days_is_disabled_with_the_reason(app, receiver):
    endpoint = add_endpoint(app, receiver.url, events=["comment.created"])
    with app.app_context(), db.transaction() as session:
        session.execute(update(WebhookEndpoint).values(
            failing_since=db.utcnow() - timedelta(days=5, minutes=1)))
    receiver.reply(Reply(500, b"still broken"))

    add_comment(app)
    deliver_webhooks(app)

    [delivery] = deliveries(app)
    assert delivery.status == "failed" and len(receiver.requests) == 1
    assert not delivery.endpoint.enabled
    assert "Every delivery failed" in delivery.endpoint.disabled_reason
    assert "500" in delivery.endpoint.disabled_reason
    assert endpoint.id == delivery.endpoint_id


def test_a_delivery_gives_up_when_the_schedule_is_spent(settings, request, receiver):
    settings["WEBHOOK_RETRY_SCALE"] = 0  # every retry at once
    app = request.getfixturevalue("app")
    receiver.default = Reply(500)
    add_endpoint(app, receiver.url, events=["comment.created"])

    add_comment(app)
    deliver_webhooks(app)

    [delivery] = deliveries(app)
    assert delivery.status == "failed" and delivery.attempts == 10
    assert len(receiver.requests) == 10
    assert delivery.endpoint.enabled, "one failed delivery does not disable an endpoint"
    assert delivery.endpoint.failing_since is not None


def test_a_duplicate_job_never_sends_a_succeeded_delivery_again(app, receiver):
    add_endpoint(app, receiver.url, events=["comment.created"])
    add_comment(app)
    deliver_webhooks(app)
    [delivery] = deliveries(app)

    with app.app_context():
        enqueue([attempt_job(delivery.id, 1), fan_out_job([delivery.event_id])])
    run_webhook_worker(app)

    assert len(receiver.requests) == 1
    assert len(deliveries(app)) == 1
