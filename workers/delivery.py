"""Webhook delivery jobs, on the ``webhooks`` queue.

``fan_out(*event_ids)`` makes one delivery per subscribed endpoint for each outbox
event of a transaction and queues each one's first attempt. ``deliver(delivery_id,
attempt)`` makes that attempt and, when it fails, schedules the next one with RQ's scheduler (see
``service.webhooks.retries`` for when). The database is the source of truth: a
delivery row says whether it is pending, succeeded or failed, and when it is next
due; ``sweep()`` queues again what is due but whose job was lost, and the fan-out of
events that no transaction asked for (a ``comment.created`` whose comment no worker
decided: see ``service.webhooks.tasks``).

Both jobs are idempotent. An attempt runs only if the delivery is still pending,
still waits for that attempt, is due, and no other worker holds its lease; so a
duplicate job does nothing, and a delivery that succeeded is never sent again.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta
from typing import Any, cast

from flask import current_app
from rq.timeouts import JobTimeoutException
from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service import db
from service.comments.models import Comment, Event
from service.queueing import enqueue, enqueue_after_commit
from service.webhooks.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookFanOut,
)
from service.webhooks.retries import DISABLE_AFTER, next_delay, parse_retry_after
from service.webhooks.services import disable
from service.webhooks.signing import message_body, signed_headers
from service.webhooks.tasks import ATTEMPT_JOB_TIMEOUT, attempt_job, fan_out_job
from service.webhooks.transport import Outcome, post
from service.webhooks.urls import UnsafeURL, check_url

log = logging.getLogger(__name__)

EARLY = timedelta(seconds=1)
"""How early an attempt may run, for clocks that differ a little between worker hosts."""
LEASE = timedelta(seconds=ATTEMPT_JOB_TIMEOUT + 30)
SWEEP_HORIZON = timedelta(days=7)
"""Events older than this are not fanned out by the sweeper any more."""


def fan_out(*event_ids: str) -> int:
    """Make the deliveries of outbox events and queue their first attempts.

    An endpoint gets an event if it is enabled, subscribes to its type, was
    registered before the event happened, and is for every site or the event's.
    Running this twice makes no more deliveries.

    Args:
        event_ids: the events committed together (one job for one transaction).

    Returns:
        How many deliveries were made.
    """
    return sum(_fan_out_one(event_id) for event_id in event_ids)


def _fan_out_one(event_id: str) -> int:
    session = db.session()
    try:
        with db.transaction():
            event = session.get(Event, event_id)
            if event is None or session.get(WebhookFanOut, event_id) is not None:
                return 0
            comment = session.get(Comment, event.comment_id) if event.comment_id else None
            endpoints = session.scalars(
                select(WebhookEndpoint).where(WebhookEndpoint.enabled.is_(True),
                                              WebhookEndpoint.created_at <= event.created_at,
                                              _for_site(comment.site_id if comment else None))
            ).all()
            now = db.utcnow()
            deliveries = [
                WebhookDelivery(endpoint=endpoint, event_id=event.id, event_type=event.type,
                                status=DeliveryStatus.PENDING, next_attempt_at=now)
                for endpoint in endpoints if event.type in endpoint.events
            ]
            session.add_all(deliveries)
            session.add(WebhookFanOut(event_id=event.id, deliveries=len(deliveries)))
            session.flush()
            enqueue_after_commit(session, *(attempt_job(delivery.id, 1) for delivery in deliveries))
    except IntegrityError:
        log.info("event %s was fanned out by another job", event_id)
        return 0
    return len(deliveries)


def _for_site(site_id: int | None) -> ColumnElement[bool]:
    """Endpoints of every site, and those of the site ``site_id`` (None: of none)."""
    every = WebhookEndpoint.site_id.is_(None)
    return every if site_id is None else or_(every, WebhookEndpoint.site_id == site_id)


def deliver(delivery_id: int, attempt: int) -> str:
    """Make attempt number ``attempt`` of a delivery, if it is still the one awaited.

    Returns:
        ``"skipped"`` when there was nothing to do, else the delivery's new status.
    """
    session = db.session()
    if not _claim(session, delivery_id, attempt):
        return "skipped"
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        return "skipped"
    endpoint = delivery.endpoint
    if not endpoint.enabled:
        with db.transaction():
            _give_up(delivery, f"endpoint disabled: {endpoint.disabled_reason or 'by an admin'}")
        return delivery.status
    event = session.get(Event, delivery.event_id)
    if event is None:  # the foreign key keeps it while the delivery exists
        raise LookupError(f"webhook delivery {delivery_id}: no event {delivery.event_id}")
    url, body = endpoint.url, message_body(event)
    now = db.utcnow()
    headers = signed_headers(endpoint.signing_secrets(now), event.id, int(time.time()), body)
    session.rollback()  # hold no transaction open while waiting on the receiver
    outcome = _send(url, body.encode(), headers)
    with db.transaction():
        delivery = session.get(WebhookDelivery, delivery_id, populate_existing=True)
        if delivery is None:  # its endpoint was deleted meanwhile
            return "skipped"
        _record(session, delivery, url, now, outcome)
        if delivery.status == DeliveryStatus.PENDING:
            enqueue_after_commit(session, attempt_job(delivery.id, delivery.attempts + 1,
                                                      delivery.next_attempt_at))
    log.info("webhook delivery %s attempt %d: %s", delivery_id, attempt,
             outcome.status_code or outcome.error)
    return delivery.status


def sweep(limit: int = 500) -> dict[str, int]:
    """Queue what the database says is due but Redis may have lost; return how many.

    That is the fan-out of events older than ``SWEEP_AFTER_SECONDS`` (and younger than
    ``SWEEP_HORIZON``) that never had one: Redis was down at commit, or a comment's
    ``comment.created`` waits for a decision that has not come (the POST leaves its
    fan-out to the decision); and attempts overdue by ``SWEEP_AFTER_SECONDS`` whose
    delivery no worker holds.

    Raises:
        RedisError: when Redis cannot be reached.
    """
    session, now = db.session(), db.utcnow()
    overdue_by = timedelta(seconds=current_app.config["SWEEP_AFTER_SECONDS"])
    events = session.scalars(
        select(Event.id)
        .outerjoin(WebhookFanOut, WebhookFanOut.event_id == Event.id)
        .where(WebhookFanOut.event_id.is_(None), Event.created_at < now - overdue_by,
               Event.created_at > now - SWEEP_HORIZON)
        .order_by(Event.created_at).limit(limit)
    ).all()
    attempts = session.execute(
        select(WebhookDelivery.id, WebhookDelivery.attempts)
        .where(WebhookDelivery.status == DeliveryStatus.PENDING,
               WebhookDelivery.next_attempt_at < now - overdue_by,
               or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until < now))
        .order_by(WebhookDelivery.next_attempt_at).limit(limit)
    ).all()
    session.rollback()
    queued = {
        "fan_outs": len(events) if events and enqueue([fan_out_job(events)]) else 0,
        "attempts": enqueue(attempt_job(delivery_id, attempts_made + 1)
                            for delivery_id, attempts_made in attempts),
    }
    if any(queued.values()):
        log.info("sweeper queued %(fan_outs)d webhook fan-outs and %(attempts)d overdue "
                 "attempts", queued)
    return queued


def _claim(session: Session, delivery_id: int, attempt: int) -> bool:
    """Take the lease on a delivery that is pending, due, and awaits this attempt."""
    now = db.utcnow()
    with db.transaction():
        # cast: an UPDATE gives a CursorResult, which Session.execute types as Result.
        won = cast("CursorResult[Any]", session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == delivery_id,
                   WebhookDelivery.status == DeliveryStatus.PENDING,
                   WebhookDelivery.attempts == attempt - 1,
                   WebhookDelivery.next_attempt_at <= now + EARLY,
                   or_(WebhookDelivery.claimed_until.is_(None),
                       WebhookDelivery.claimed_until < now))
            .values(claimed_until=now + LEASE)
            .execution_options(synchronize_session=False)
        )).rowcount
    return won == 1


def _send(url: str, body: bytes, headers: dict[str, str]) -> Outcome:
    """POST once, unless the URL has become unsafe (checked again: DNS may have changed)."""
    allow_private = current_app.config["WEBHOOK_ALLOW_PRIVATE_URLS"]
    try:
        check_url(url, allow_private=allow_private)
    except UnsafeURL as error:
        return Outcome(None, 0, error=f"refused: the URL {error}")
    try:
        return post(url, body, headers, timeout=current_app.config["WEBHOOK_TIMEOUT_SECONDS"],
                    allow_private=allow_private)
    except JobTimeoutException:  # a receiver that trickles its answer byte by byte
        return Outcome(None, ATTEMPT_JOB_TIMEOUT * 1000,
                       error=f"no full answer within {ATTEMPT_JOB_TIMEOUT} s")


def _record(session: Session, delivery: WebhookDelivery, url: str, attempted_at: datetime,
            outcome: Outcome) -> None:
    """Log the attempt, and move the delivery (and maybe its endpoint) on from it."""
    endpoint, now = delivery.endpoint, db.utcnow()
    delivery.attempts += 1
    delivery.round_attempts += 1
    delivery.claimed_until = None
    delivery.last_status_code = outcome.status_code
    delivery.last_error = outcome.error or (
        None if outcome.ok else f"the receiver answered {outcome.status_code}")
    session.add(WebhookAttempt(
        delivery=delivery, number=delivery.attempts, attempted_at=attempted_at, url=url,
        status_code=outcome.status_code, latency_ms=outcome.latency_ms,
        response_excerpt=outcome.excerpt, error=outcome.error, succeeded=outcome.ok,
    ))
    if outcome.ok:
        delivery.status, delivery.finished_at, delivery.next_attempt_at = (
            DeliveryStatus.SUCCEEDED, now, None)
        endpoint.failing_since = None
        return
    if delivery.status != DeliveryStatus.PENDING:  # failed while in flight: endpoint disabled
        return
    if outcome.status_code == 410:
        disable(session, endpoint, f"The endpoint answered 410 Gone on {_when(now)}.")
        return
    endpoint.failing_since = endpoint.failing_since or now
    if now - endpoint.failing_since >= DISABLE_AFTER:
        disable(session, endpoint, f"Every delivery failed from {_when(endpoint.failing_since)} "
                f"to {_when(now)}; the last: {delivery.last_error}.")
        return
    delay = next_delay(delivery.round_attempts, scale=current_app.config["WEBHOOK_RETRY_SCALE"],
                       retry_after=parse_retry_after(outcome.retry_after))
    if delay is None:
        _give_up(delivery, delivery.last_error)
    else:
        delivery.next_attempt_at = now + timedelta(seconds=delay)


def _give_up(delivery: WebhookDelivery, error: str | None) -> None:
    delivery.status, delivery.finished_at = DeliveryStatus.FAILED, db.utcnow()
    delivery.next_attempt_at, delivery.claimed_until = None, None
    delivery.last_error = error


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")
