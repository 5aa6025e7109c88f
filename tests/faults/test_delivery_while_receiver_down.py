"""A webhook receiver that is down for a while: afterwards every event reaches it, signed.

Deliveries are at-least-once with a stable id (the event's): a receiver may see an
event twice, never not at all, and each request carries a valid signature.

(The file's name sorts before ``test_nothing_lost.py`` so that this test runs first:
the longer run leaves thousands of fan-out jobs for the one webhooks worker.)
"""

from __future__ import annotations

import time
from collections import Counter

import pytest
from sqlalchemy import select

from service.comments.models import Comment, Event
from service.webhooks.models import DeliveryStatus, WebhookDelivery
from service.webhooks.verify import InvalidWebhook, verify_webhook
from tests.faults.conftest import Stack
from tests.faults.stream import Ledger, Stream
from tests.support.processes import http_json, wait_until
from tests.support.receiver import Receiver, Reply

pytestmark = [pytest.mark.faults, pytest.mark.slow]

DOWN_SECONDS = 6
PASSWORD = "correct horse battery staple"


def pending_deliveries(engine, events: set[str]) -> int:
    with engine.connect() as connection:
        return len(connection.scalars(
            select(WebhookDelivery.id).where(WebhookDelivery.event_id.in_(events),
                                             WebhookDelivery.status == DeliveryStatus.PENDING)
        ).all())


def admin_token(stack: Stack) -> str:
    """An admin's API token, made with the ``moderation`` command as an operator would."""
    stack.moderation("moderators", "add", "faults-admin", "--role", "admin", stdin=PASSWORD + "\n")
    return stack.moderation("tokens", "create", "faults-admin").strip().splitlines()[-1]


@pytest.mark.timeout(240)
def test_events_sent_while_the_receiver_was_down_all_arrive_signed(stack, report):
    engine = stack.engine()
    backlog = stack.redis.client()
    waited = time.monotonic()
    wait_until(lambda: backlog.llen("rq:queue:webhooks") == 0, 180,
               "the webhooks queue left by earlier tests emptied", interval=0.5)
    waited = time.monotonic() - waited
    token = admin_token(stack)
    auth = {"Authorization": f"Bearer {token}"}
    with Receiver() as receiver:
        status, endpoint = http_json("POST", f"{stack.base_url}/api/v1/webhooks",
                                     {"url": receiver.url, "events": ["comment.created",
                                      "comment.approved", "comment.held", "comment.rejected"]},
                                     headers=auth)
        assert status == 201, endpoint
        stream = Stream(stack.base_url, rate=10)
        stream.start()
        try:
            time.sleep(5)
            receiver.default = Reply(503, b"down for maintenance")
            before = len(receiver.requests)
            time.sleep(DOWN_SECONDS)
            after = len(receiver.requests)
            receiver.default = Reply(200)
            time.sleep(5)
        finally:
            stream.stop()
        drain_seconds = Ledger(stream, engine).wait_drained(60)
        with engine.connect() as connection:
            events = set(connection.scalars(
                select(Event.id).join(Comment, Comment.id == Event.comment_id)
                .where(Comment.thread_id == stream.thread_id)))

        def delivered() -> set[str]:
            return {r.headers.get("webhook-id") for r in receiver.requests[:]} & events

        started = time.monotonic()
        try:
            try:
                wait_until(lambda: delivered() >= events, 90, "delivery", interval=0.5)
            except TimeoutError:
                raise AssertionError(f"{len(delivered())} of {len(events)} events delivered "
                                     "90 s after the stream stopped") from None
            wait_until(lambda: pending_deliveries(engine, events) == 0, 30,
                       "deliveries recorded", interval=0.2)
            with engine.connect() as connection:
                statuses = Counter(connection.scalars(
                    select(WebhookDelivery.status).where(WebhookDelivery.event_id.in_(events))))
        finally:
            http_json("DELETE", f"{stack.base_url}/api/v1/webhooks/{endpoint['id']}",
                      headers=auth)
        delivery_seconds = time.monotonic() - started
        requests = receiver.requests[:]

    invalid, answered_ok = 0, Counter()
    for index, received in enumerate(requests):
        try:
            event = verify_webhook(endpoint["secret"], received.headers, received.body)
        except InvalidWebhook:
            invalid += 1
            continue
        assert event["type"] in {"comment.created", "comment.approved", "comment.held",
                                 "comment.rejected"}
        if not before <= index < after:  # outside the outage: answered 200
            answered_ok[received.headers["webhook-id"]] += 1
    report({"comments": len(stream.accepted()), "events": len(events),
            "requests": len(requests), "requests_while_down": after - before,
            "delivered": len(set(answered_ok) & events),
            "delivered_twice": sum(1 for count in answered_ok.values() if count > 1),
            "bad_signatures": invalid, "deliveries": dict(statuses),
            "drain_s": round(drain_seconds, 1), "delivery_tail_s": round(delivery_seconds, 1),
            "backlog_wait_s": round(waited, 1)})
    assert after - before > 0, "no delivery was tried while the receiver was down"
    assert set(answered_ok) >= events
    assert invalid == 0
    assert statuses[DeliveryStatus.SUCCEEDED] == len(events)
    engine.dispose()
