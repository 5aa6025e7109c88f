"""Helpers for webhook tests: endpoints, events, and running the delivery worker."""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence

from flask import Flask
from sqlalchemy import func, select

from service import db
from service.comments.events import comment_created, record_decision
from service.comments.models import Comment, Status
from service.queueing import WEBHOOKS_QUEUE, queue
from service.webhooks import services
from service.webhooks.models import EVENT_TYPES, DeliveryStatus, WebhookDelivery, WebhookEndpoint
from workers.worker import ModerationWorker

FAST = {
    "WEBHOOK_ALLOW_PRIVATE_URLS": True,
    "WEBHOOK_RETRY_SCALE": 0.0001,  # 5 s -> 0.5 ms, 5 min -> 30 ms, 30 min -> 0.18 s, ...
    "WEBHOOK_TIMEOUT_SECONDS": 2.0,
}
"""Settings under which deliveries go to 127.0.0.1 and retries come within a second."""


def add_endpoint(app: Flask, url: str, events: Sequence[str] = EVENT_TYPES) -> WebhookEndpoint:
    """Register an endpoint as an admin would, bypassing the URL check's setting."""
    with app.app_context(), db.transaction() as session:
        return services.create(session, by="admin", url=url, events=events, allow_private=True)


def add_comment(app: Flask, outcome: str | None = None, actor: str = "model") -> uuid.UUID:
    """Store a comment (its ``comment.created`` event) and maybe a decision on it, then commit.

    Committing runs the outbox hook, which queues the fan-out, as a decision's
    transaction does (the public POST leaves its event to the comment's decision).
    """
    with app.app_context(), db.transaction() as session:
        comment = Comment(id=uuid.uuid4(), thread_id="t", author="Ana", body="Borders matter.",
                          status=Status.PENDING, created_at=db.utcnow())
        session.add(comment)
        comment_created(session, comment)
        if outcome:
            record_decision(session, comment, outcome=outcome, actor=actor, reason="because",
                            scores={"toxicity": 0.5}, model="tiny" if actor == "model" else None)
        return comment.id


def run_webhook_worker(app: Flask) -> None:
    """Run the webhooks worker once in burst mode, with RQ's scheduler."""
    connection = app.extensions["redis"]
    worker = ModerationWorker([queue(WEBHOOKS_QUEUE, connection)], app=app,
                              connection=connection)
    worker.work(burst=True, with_scheduler=True)


def deliver_webhooks(app: Flask, timeout: float = 15.0) -> None:
    """Run the webhooks worker until no delivery is pending (retries come when due)."""
    deadline = time.monotonic() + timeout
    while True:
        run_webhook_worker(app)
        with app.app_context():
            due = db.session().scalar(select(func.min(WebhookDelivery.next_attempt_at)).where(
                WebhookDelivery.status == DeliveryStatus.PENDING))
            wait = (due - db.utcnow()).total_seconds() if due else None
        if wait is None:
            return
        assert time.monotonic() < deadline, "deliveries still pending"
        time.sleep(min(max(wait, 0.05), 0.5))


def deliveries(app: Flask) -> list[WebhookDelivery]:
    """Every delivery, with its endpoint and attempt log loaded, oldest first."""
    with app.app_context():
        found = db.session().scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()
        for delivery in found:
            _ = delivery.endpoint, delivery.attempt_log
        return list(found)
