"""The webhooks' jobs, run by ``workers.delivery``: fan-out of outbox events, and attempts.

Every event is written in the transaction that caused it. A session hook asks for the
event's fan-out job after commit (``service.queueing``); if Redis is down then, the
sweeper (``workers.delivery.sweep``) finds the event later. Both jobs have stable ids
and are idempotent, so a job queued twice does its work once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from flask import Flask
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy.orm import Session

from service.comments.models import Event
from service.queueing import WEBHOOKS_QUEUE, JobRequest, enqueue_after_commit

FAN_OUT_JOB = "workers.delivery.fan_out"
ATTEMPT_JOB = "workers.delivery.deliver"
ATTEMPT_JOB_TIMEOUT = 120
"""Seconds an attempt's job may run; longer than any request's timeouts."""
_KEEP = {"result_ttl": 3600, "failure_ttl": 7 * 24 * 3600}


def init_app(app: Flask) -> None:
    """Fan out the events that each of the app's transactions commits."""
    sqlalchemy_event.listen(app.extensions["db"], "after_flush", _fan_out_new_events)


def fan_out_job(event_ids: Sequence[str]) -> JobRequest:
    """One fan-out job for events written together, named after the first of them."""
    return JobRequest(WEBHOOKS_QUEUE, FAN_OUT_JOB, tuple(event_ids),
                      job_id=f"webhook-fan-out-{event_ids[0]}", options=dict(_KEEP))


def attempt_job(delivery_id: int, attempt: int, at: datetime | None = None) -> JobRequest:
    """Attempt number ``attempt`` of a delivery, now or at ``at`` (naive UTC)."""
    return JobRequest(WEBHOOKS_QUEUE, ATTEMPT_JOB, (delivery_id, attempt),
                      job_id=f"webhook-{delivery_id}-{attempt}", at=at,
                      options={"job_timeout": ATTEMPT_JOB_TIMEOUT, **_KEEP})


def _fan_out_new_events(session: Session, _context: object) -> None:
    if new := [obj.id for obj in session.new if isinstance(obj, Event)]:
        enqueue_after_commit(session, fan_out_job(new))
