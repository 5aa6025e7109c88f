"""Recording what happens to a comment: decisions and the events they emit."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from service import metrics
from service.comments.models import Comment, Decision, Event, Status
from service.db import iso, utcnow
from service.policy import MODEL_ACTOR


def comment_created(db: Session, comment: Comment) -> Event:
    """Add the ``comment.created`` event of a new comment to the session."""
    return _add_event(db, "comment.created", comment, None)


def record_decision(
    db: Session,
    comment: Comment,
    *,
    outcome: str,
    actor: str,
    reason: str = "",
    scores: dict[str, float] | None = None,
    model: str | None = None,
    thresholds: dict[str, Any] | None = None,
) -> Decision:
    """Add a decision to the session, set the comment's status and emit its event.

    The caller commits; for the model's decision it must first have won the comment
    from ``pending`` (see ``workers.scoring.jobs``) so that it is taken once.
    """
    now = utcnow()
    decision = Decision(
        comment=comment, outcome=outcome, actor=actor, reason=reason, scores=scores,
        model=model, thresholds=thresholds, created_at=now,
    )
    db.add(decision)
    comment.status = Status(outcome)
    comment.decided_at = now
    comment.claimed_until = None
    comment.claim_token = None
    _add_event(db, f"comment.{outcome}", comment, decision)
    metrics.DECISIONS.labels(outcome, MODEL_ACTOR if actor == MODEL_ACTOR else "moderator").inc()
    return decision


def _add_event(db: Session, type_: str, comment: Comment, decision: Decision | None) -> Event:
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
    if decision is not None:
        data["decision"] = {
            "outcome": decision.outcome,
            "actor": decision.actor,
            "reason": decision.reason,
            "scores": decision.scores,
            "model": decision.model,
            "created_at": iso(decision.created_at),
        }
    event = Event(type=type_, comment_id=comment.id, payload=data)
    db.add(event)
    return event
