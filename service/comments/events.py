"""Recording what happens to a comment: decisions and the events they emit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from blinker import Namespace
from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from service import metrics
from service.comments.models import (
    READERS_ACTOR,
    Comment,
    Decision,
    Event,
    Status,
    new_event_id,
)
from service.db import iso, utcnow
from service.policy import MODEL_ACTOR, RESCORING_ACTOR
from service.sites.models import DEFAULT_SITE_ID, Site

events_inserted = Namespace().signal("events-inserted")
"""Sent by ``record_model_decisions`` with the session and ``events``, the ``(id, type,
comment id)`` of each event it inserted without the unit of work (which the flush hooks
do not see): ``service.webhooks`` fans them out."""


def comment_created(db: Session, comment: Comment) -> Event:
    """Add the ``comment.created`` event of a new comment to the session."""
    return _add_event(db, "comment.created", comment, None)


def insert_new_comment(db: Session, comment: Comment) -> None:
    """Insert a new comment and its ``comment.created`` event: one Core INSERT each.

    The POST path's way to store a comment, without the unit of work: ``comment`` stays
    transient (not in the session). The columns set on it are inserted; the others
    take their defaults. Nothing else is done about the event: the webhooks fan it out
    with the comment's first decision, or the sweeper does (``service.webhooks.tasks``).
    """
    comments, connection = cast(Table, Comment.__table__), db.connection()
    connection.execute(insert(comments), {key: value for key, value in vars(comment).items()
                                           if key in comments.c})
    connection.execute(insert(cast(Table, Event.__table__)),
                       _event_row(db, "comment.created", comment, None, comment.created_at))


def record_decision(
    db: Session,
    comment: Comment,
    *,
    outcome: str,
    actor: str,
    reason: str = "",
    code: str | None = None,
    scores: dict[str, float] | None = None,
    model: str | None = None,
    thresholds: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> Decision:
    """Add a decision to the session, set the comment's status and emit its event.

    The caller commits; for the model's decision it must first have won the comment
    from ``pending`` (see ``workers.scoring.jobs``) so that it is taken once. ``now``
    (default: the current time) is the decision's time, so that a caller that has
    already written it with the status (one UPDATE for a batch) writes it once.
    """
    now = now or utcnow()
    if comment.status == Status.HELD and actor not in (MODEL_ACTOR, RESCORING_ACTOR, READERS_ACTOR):
        metrics.HUMAN_TIME_TO_DECISION.observe((now - comment.created_at).total_seconds())
    decision = Decision(
        comment=comment, outcome=outcome, actor=actor, reason=reason, code=code, scores=scores,
        model=model, thresholds=thresholds, created_at=now,
    )
    db.add(decision)
    comment.status = Status(outcome)
    comment.decided_at = now
    comment.claimed_until = None
    comment.claim_token = None
    _add_event(db, f"comment.{outcome}", comment, decision)
    metrics.DECISIONS.labels(outcome, MODEL_ACTOR if actor in (MODEL_ACTOR, RESCORING_ACTOR)
                             else "moderator").inc()
    return decision


def record_model_decisions(db: Session, decided: Sequence[tuple[Comment, Decision]]) -> None:
    """Insert the model's decisions of a batch, and their events, in one statement each.

    Each comment must already carry its new status and decision time (the scoring job
    writes them with one UPDATE for the batch); each ``Decision`` is transient, built
    alike (the columns it sets are inserted; the others take their defaults). The events
    are inserted without the unit of work too (a batch's ORM events cost about 0.05 ms
    a comment to flush), and announced with ``events_inserted``.
    """
    if not decided:
        return
    columns = {column.key for column in Decision.__table__.columns} - {"id"}
    # The ORM's bulk INSERT: it groups rows that set different columns (spam decisions
    # have no scores), which one Core executemany cannot take.
    db.execute(insert(Decision), [
        {key: value for key, value in vars(decision).items() if key in columns}
        for _, decision in decided])
    connection = db.connection()
    events = [_event_row(db, f"comment.{decision.outcome}", comment, decision,
                         decision.created_at) for comment, decision in decided]
    connection.execute(insert(cast(Table, Event.__table__)), events)
    events_inserted.send(db, events=[(event["id"], event["type"], event["comment_id"])
                                     for event in events])
    for _, decision in decided:
        metrics.DECISIONS.labels(decision.outcome, MODEL_ACTOR).inc()


def comment_event(db: Session, type_: str, comment: Comment, decision: Decision | None = None,
                  **extra: Any) -> Event:
    """Add an event about ``comment`` (a report, an appeal), with ``extra`` in its data."""
    event = _add_event(db, type_, comment, decision)
    event.payload = event.payload | extra
    return event


def _site_of(db: Session, site_id: int) -> dict[str, str] | None:
    """``{"slug", "name"}`` of the site, read once per session (a batch's events share it)."""
    known: dict[int, dict[str, str] | None] = db.info.setdefault("event_sites", {})
    if site_id not in known:
        site = db.get(Site, site_id)
        known[site_id] = {"slug": site.slug, "name": site.name} if site else None
    return known[site_id]


def _add_event(db: Session, type_: str, comment: Comment, decision: Decision | None) -> Event:
    event = Event(type=type_, comment_id=comment.id, payload=_payload(db, comment, decision))
    db.add(event)
    return event


def _event_row(db: Session, type_: str, comment: Comment, decision: Decision | None,
               at: datetime) -> dict[str, Any]:
    """An event's row, for a Core INSERT (without the unit of work)."""
    return {"id": new_event_id(), "type": type_, "comment_id": comment.id,
            "payload": _payload(db, comment, decision), "created_at": at}


def _payload(db: Session, comment: Comment, decision: Decision | None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "comment": {
            "id": str(comment.id),
            "thread_id": comment.thread_id,
            "parent_id": str(comment.parent_id) if comment.parent_id else None,
            "author": comment.author,
            "body": comment.body,
            "status": comment.status,
            "created_at": iso(comment.created_at),
        },
        "thread": {"id": comment.thread_id},
    }
    if (site := _site_of(db, comment.site_id or DEFAULT_SITE_ID)) is not None:
        data["site"] = site
    if decision is not None:
        data["decision"] = {
            "outcome": decision.outcome,
            "actor": decision.actor,
            "reason": decision.reason,
            "code": decision.code,
            "scores": decision.scores,
            "model": decision.model,
            "created_at": iso(decision.created_at),
        }
    return data
