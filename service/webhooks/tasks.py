"""The webhooks' jobs, run by ``workers.delivery``: fan-out of outbox events, and attempts.

Every event is written in the transaction that caused it. A session hook (after each
flush that writes ``Event`` objects) asks for the events' fan-out job after commit
(``service.queueing``); if Redis is down then, the sweeper (``workers.delivery.sweep``)
finds the events later. An event that no enabled endpoint subscribes to is marked
fanned out (with no deliveries) in the same transaction instead, at the cost of one
small query: no job, no Redis round trip. Both jobs have stable ids and are idempotent,
so a job queued twice does its work once.

The public POST writes a comment's ``comment.created`` with a Core INSERT and does no
webhook work at all. That event is fanned out with the comment's first other event
(usually the scoring job's decision, a second or so later), first in the same job,
so that a subscriber gets it before the decision; the sweeper fans out one that no
decision came for within ``SWEEP_AFTER_SECONDS``.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import cast

from flask import Flask
from sqlalchemy import Insert, Select, Table, bindparam, insert, select
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from service.comments.events import events_inserted
from service.comments.models import Event
from service.db import utcnow
from service.queueing import WEBHOOKS_QUEUE, JobRequest, enqueue_after_commit
from service.webhooks.models import WebhookEndpoint, WebhookFanOut

FAN_OUT_JOB = "workers.delivery.fan_out"
ATTEMPT_JOB = "workers.delivery.deliver"
ATTEMPT_JOB_TIMEOUT = 120
"""Seconds an attempt's job may run; longer than any request's timeouts."""
CREATED = "comment.created"
_KEEP = {"result_ttl": 3600, "failure_ttl": 7 * 24 * 3600}
NewEvent = tuple[str, str, uuid.UUID | None]
"""An event written: its id, type and comment's id."""


def init_app(app: Flask) -> None:
    """Fan out the events that each of the app's transactions writes, once it commits:
    those its flushes write, and those inserted without the unit of work."""
    sqlalchemy_event.listen(app.extensions["db"], "after_flush", _fan_out_new_events)
    events_inserted.connect(_fan_out_inserted)


def fan_out_job(event_ids: Sequence[str], *, named_after: str | None = None,
                fresh: bool = False) -> JobRequest:
    """One fan-out job for events written together, named after ``named_after`` (default:
    the first of them); it fans them out in their order.

    ``fresh``: that event is being written, so no job can have the id yet.
    """
    return JobRequest(WEBHOOKS_QUEUE, FAN_OUT_JOB, tuple(event_ids),
                      job_id=f"webhook-fan-out-{named_after or event_ids[0]}",
                      options=dict(_KEEP), fresh=fresh)


def attempt_job(delivery_id: int, attempt: int, at: datetime | None = None) -> JobRequest:
    """Attempt number ``attempt`` of a delivery, now or at ``at`` (naive UTC)."""
    return JobRequest(WEBHOOKS_QUEUE, ATTEMPT_JOB, (delivery_id, attempt),
                      job_id=f"webhook-{delivery_id}-{attempt}", at=at,
                      options={"job_timeout": ATTEMPT_JOB_TIMEOUT, **_KEEP})


def _fan_out_new_events(session: Session, _context: object) -> None:
    if new := [(obj.id, obj.type, obj.comment_id) for obj in session.new
               if isinstance(obj, Event)]:
        _fan_out(session, [(id_, type_) for id_, type_, _ in new], _created_left(session, new))


def _fan_out_inserted(session: Session, events: Sequence[NewEvent]) -> None:
    _fan_out(session, [(id_, type_) for id_, type_, _ in events], _created_left(session, events))


def _created_left(session: Session, new: Sequence[NewEvent]) -> list[tuple[str, str]]:
    """The ``comment.created`` events, never fanned out, of the comments that ``new``
    events are about (not those written with them: they are among ``new``)."""
    comments = ({comment_id for _, _, comment_id in new if comment_id is not None}
                - {comment_id for _, type_, comment_id in new if type_ == CREATED})
    if not comments:
        return []
    found = session.connection().scalars(_created_left_statement(), {"comments": list(comments)})
    return [(event_id, CREATED) for event_id in found]


def _fan_out(session: Session, new: Sequence[tuple[str, str]],
             left: Sequence[tuple[str, str]] = ()) -> None:
    """Queue the fan-out of the events a transaction writes (``new``), after those it
    leaves no more waiting (``left``: written before, which the sweeper may be fanning
    out meanwhile), or mark those nobody subscribes to as fanned out."""
    events = [*left, *new]
    if not events:
        return
    connection = session.connection()
    subscribed = {kind for kinds in connection.scalars(_subscriptions_statement())
                  for kind in kinds or ()}
    if wanted := [event_id for event_id, kind in events if kind in subscribed]:
        # Named after an event of this transaction when there is one: no job has its id.
        first_new = next((event_id for event_id, kind in new if kind in subscribed), None)
        enqueue_after_commit(session, fan_out_job(wanted, named_after=first_new,
                                                  fresh=first_new is not None))
    if unwanted := [event_id for event_id, kind in events if kind not in subscribed]:
        now = utcnow()
        connection.execute(_insert_fan_outs(connection.dialect.name), [
            {"event_id": event_id, "deliveries": 0, "created_at": now} for event_id in unwanted])


@functools.cache
def _insert_fan_outs(dialect: str) -> Insert:
    """The INSERT of "fanned out, no deliveries" rows, which skips a row a fan-out job
    wrote meanwhile (on the dialects that can)."""
    table = cast(Table, WebhookFanOut.__table__)
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    if dialect == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing()
    return insert(table)


@functools.cache
def _subscriptions_statement() -> Select[tuple[list[str]]]:
    """The events each enabled endpoint subscribes to; built once, as it runs often."""
    endpoints = WebhookEndpoint.__table__.c
    return select(endpoints.events).where(endpoints.enabled.is_(True))


@functools.cache
def _created_left_statement() -> Select[tuple[str]]:
    """The ``comment.created`` events of the comments ``:comments`` with no fan-out yet."""
    events, fan_outs = cast(Table, Event.__table__), cast(Table, WebhookFanOut.__table__)
    return (select(events.c.id)
            .select_from(events.outerjoin(fan_outs, fan_outs.c.event_id == events.c.id))
            .where(events.c.comment_id.in_(bindparam("comments", expanding=True)),
                   events.c.type == CREATED, fan_outs.c.event_id.is_(None))
            .order_by(events.c.created_at))
