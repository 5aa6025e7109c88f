"""From the outbox to the ``webhooks`` queue.

Every event is written in the transaction that caused it. Once that transaction
commits, a session hook queues the event's fan-out job; if Redis is down then, the
sweeper (``workers.delivery.sweep``) finds the event later. Jobs are queued by
function path (the web process never imports ``workers``), under stable ids, and
are idempotent, so a job queued twice does its work once.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from flask import Flask
from redis import Redis
from redis.exceptions import RedisError
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy.orm import Session

from service.comments.models import Event
from service.queueing import WEBHOOKS_QUEUE, queue

log = logging.getLogger(__name__)

FAN_OUT_JOB = "workers.delivery.fan_out"
ATTEMPT_JOB = "workers.delivery.deliver"
ATTEMPT_JOB_TIMEOUT = 120
"""Seconds an attempt's job may run; longer than any request's timeouts."""
_EVENT_IDS = "webhook_event_ids"
_LEAVE_ALONE = {JobStatus.QUEUED, JobStatus.STARTED}


def init_app(app: Flask) -> None:
    """Queue the fan-out of the events that each of the app's transactions commits."""
    sessions = app.extensions["db"]

    def fan_out_committed(session: Session) -> None:
        event_ids = session.info.pop(_EVENT_IDS, None)
        if event_ids:
            try:
                enqueue_fan_out(event_ids, connection=app.extensions["redis"])
            except RedisError as error:
                log.warning("webhook fan-out not queued (%s); the sweeper will queue it",
                            error.__class__.__name__)

    sqlalchemy_event.listen(sessions, "after_flush", _note_new_events)
    sqlalchemy_event.listen(sessions, "after_commit", fan_out_committed)
    sqlalchemy_event.listen(sessions, "after_rollback", _forget_events)


def fan_out_job_id(event_id: str) -> str:
    return f"webhook-fan-out-{event_id}"


def attempt_job_id(delivery_id: int, attempt: int) -> str:
    return f"webhook-{delivery_id}-{attempt}"


def enqueue_fan_out(event_ids: Sequence[str], *, connection: Redis | None = None) -> int:
    """Queue one ``workers.delivery.fan_out`` job for ``event_ids``, unless already queued.

    The events of one transaction share a job, named after the first of them.

    Returns:
        How many events were queued.

    Raises:
        RedisError: when Redis cannot be reached.
    """
    if not event_ids:
        return 0
    webhooks = queue(WEBHOOKS_QUEUE, connection)
    job_id = fan_out_job_id(event_ids[0])
    if not _replaceable(job_id, webhooks.connection):
        return 0
    webhooks.enqueue(FAN_OUT_JOB, *event_ids, job_id=job_id, result_ttl=3600,
                     failure_ttl=7 * 24 * 3600)
    return len(event_ids)


def enqueue_attempt(delivery_id: int, attempt: int, at: datetime | None = None, *,
                    connection: Redis | None = None) -> bool:
    """Queue attempt number ``attempt`` of a delivery, now or at ``at`` (naive UTC).

    A job for the same attempt that is queued or running is left alone (and False
    returned); one that is scheduled for later, or has ended, is replaced.

    Raises:
        RedisError: when Redis cannot be reached.
    """
    webhooks = queue(WEBHOOKS_QUEUE, connection)
    job_id = attempt_job_id(delivery_id, attempt)
    if not _replaceable(job_id, webhooks.connection):
        return False
    options = {"job_id": job_id, "job_timeout": ATTEMPT_JOB_TIMEOUT, "result_ttl": 3600,
               "failure_ttl": 7 * 24 * 3600}
    if at is not None and at > datetime.now(UTC).replace(tzinfo=None):
        # RQ schedules in whole seconds, rounded down: round up, so as never to run early.
        at = at.replace(microsecond=0) + timedelta(seconds=1) if at.microsecond else at
        webhooks.enqueue_at(at.replace(tzinfo=UTC), ATTEMPT_JOB, delivery_id, attempt,
                            **options)
    else:
        webhooks.enqueue(ATTEMPT_JOB, delivery_id, attempt, **options)
    return True


def _replaceable(job_id: str, connection: Redis) -> bool:
    """Delete the job unless it is queued or running; say whether to queue it anew."""
    try:
        job = Job.fetch(job_id, connection=connection)
    except NoSuchJobError:
        return True
    if job.get_status() in _LEAVE_ALONE:
        return False
    job.delete()
    return True


def _note_new_events(session: Session, _context: object) -> None:
    new = [obj.id for obj in session.new if isinstance(obj, Event)]
    if new:
        session.info.setdefault(_EVENT_IDS, []).extend(new)


def _forget_events(session: Session) -> None:
    session.info.pop(_EVENT_IDS, None)
