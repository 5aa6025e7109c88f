"""The webhooks' jobs, run by ``workers.delivery``: fan-out of outbox events, and attempts.

Every event is written in the transaction that caused it. A session hook asks for the
event's fan-out job after commit (``service.queueing``); if Redis is down then, the
sweeper (``workers.delivery.sweep``) finds the event later. An event that no enabled
endpoint subscribes to is marked fanned out (with no deliveries) in its own transaction
instead, at the cost of one small query: no job, no Redis round trip. Both jobs have stable ids
and are idempotent, so a job queued twice does its work once.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime
from typing import cast

from flask import Flask
from sqlalchemy import Select, Table, insert, select
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy.orm import Session

from service.comments.events import INSERTED_EVENTS
from service.comments.models import Event
from service.db import utcnow
from service.queueing import WEBHOOKS_QUEUE, JobRequest, enqueue_after_commit
from service.webhooks.models import WebhookEndpoint, WebhookFanOut

FAN_OUT_JOB = "workers.delivery.fan_out"
ATTEMPT_JOB = "workers.delivery.deliver"
ATTEMPT_JOB_TIMEOUT = 120
"""Seconds an attempt's job may run; longer than any request's timeouts."""
_KEEP = {"result_ttl": 3600, "failure_ttl": 7 * 24 * 3600}


def init_app(app: Flask) -> None:
    """Fan out the events that each of the app's transactions commits."""
    sessions = app.extensions["db"]
    sqlalchemy_event.listen(sessions, "after_flush", _fan_out_new_events)
    sqlalchemy_event.listen(sessions, "before_commit", _fan_out_inserted_events)
    sqlalchemy_event.listen(sessions, "after_rollback",
                            lambda session: session.info.pop(INSERTED_EVENTS, None))


def fan_out_job(event_ids: Sequence[str], *, fresh: bool = False) -> JobRequest:
    """One fan-out job for events written together, named after the first of them.

    ``fresh``: the events are being written, so no job can have the id yet.
    """
    return JobRequest(WEBHOOKS_QUEUE, FAN_OUT_JOB, tuple(event_ids),
                      job_id=f"webhook-fan-out-{event_ids[0]}", options=dict(_KEEP),
                      fresh=fresh)


def attempt_job(delivery_id: int, attempt: int, at: datetime | None = None) -> JobRequest:
    """Attempt number ``attempt`` of a delivery, now or at ``at`` (naive UTC)."""
    return JobRequest(WEBHOOKS_QUEUE, ATTEMPT_JOB, (delivery_id, attempt),
                      job_id=f"webhook-{delivery_id}-{attempt}", at=at,
                      options={"job_timeout": ATTEMPT_JOB_TIMEOUT, **_KEEP})


def _fan_out_new_events(session: Session, _context: object) -> None:
    _fan_out(session, [(obj.id, obj.type) for obj in session.new if isinstance(obj, Event)])


def _fan_out_inserted_events(session: Session) -> None:
    """The events a Core INSERT wrote (``comments.events.insert_new_comment``)."""
    _fan_out(session, session.info.pop(INSERTED_EVENTS, []))


def _fan_out(session: Session, new: Sequence[tuple[str, str]]) -> None:
    if not new:
        return
    connection = session.connection()
    subscribed = {kind for events in connection.scalars(_subscriptions_statement())
                  for kind in events or ()}
    if wanted := [event_id for event_id, kind in new if kind in subscribed]:
        enqueue_after_commit(session, fan_out_job(wanted, fresh=True))
    if unwanted := [event_id for event_id, kind in new if kind not in subscribed]:
        now = utcnow()
        connection.execute(insert(cast(Table, WebhookFanOut.__table__)), [
            {"event_id": event_id, "deliveries": 0, "created_at": now} for event_id in unwanted])


@functools.cache
def _subscriptions_statement() -> Select[tuple[list[str]]]:
    """The events each enabled endpoint subscribes to; built once, as every POST runs it."""
    endpoints = WebhookEndpoint.__table__.c
    return select(endpoints.events).where(endpoints.enabled.is_(True))
