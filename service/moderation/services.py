"""The review queue, and the decisions moderators take on comments.

Shared by the dashboard and the moderation API, so that both show the same queue
and record decisions the same way: a ``Decision`` row, its outbox event and an
audit entry, in the caller's transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Float, Select, and_, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.expression import FunctionElement

from service.accounts import audit
from service.accounts.models import Moderator
from service.accounts.reach import reachable_site_ids
from service.comments.events import record_decision
from service.comments.models import Appeal, AppealStatus, Comment, Decision
from service.cursors import InvalidCursor, decode_cursor, encode_cursor
from service.moderation.readers import AppealDecision, decide_appeal
from service.moderation.schemas import DecisionRequest, QueueQuery
from service.moderation.scope import Scope, in_scope
from service.policy import LABELS, MODEL_ACTOR


class UnknownComments(LookupError):
    """Some comment ids name no comment."""

    def __init__(self, ids: Sequence[uuid.UUID]) -> None:
        super().__init__(", ".join(str(comment_id) for comment_id in ids))
        self.ids = list(ids)


class OwnDecisionUnderAppeal(PermissionError):
    """The moderator took the decision that the comment's author appeals: another one
    decides the appeal, and so the comment."""

    def __init__(self, ids: Sequence[uuid.UUID]) -> None:
        super().__init__(", ".join(str(comment_id) for comment_id in ids))
        self.ids = list(ids)


@dataclass(frozen=True)
class QueueItem:
    """A comment in the queue, with the model's decision and the comment it answers."""

    comment: Comment
    model_decision: Decision | None
    parent: Comment | None = None

    @property
    def scores(self) -> dict[str, float]:
        return dict(self.model_decision.scores or {}) if self.model_decision else {}

    @property
    def flagged(self) -> dict[str, str]:
        """Labels whose score reached a threshold recorded with the model's decision."""
        return flagged_labels(self.model_decision) if self.model_decision else {}

    @property
    def top_score(self) -> float | None:
        return max(self.scores.values(), default=None)

    @property
    def explanation(self) -> list[dict[str, float]]:
        """The spans of the body that drove the model's score, strongest first."""
        return list(self.model_decision.explanation or []) if self.model_decision else []

    def body_parts(self) -> list[tuple[str, float | None]]:
        """The body cut at the explained spans: ``(text, weight or None)``, in order."""
        body, parts, at = self.comment.body, [], 0
        for span in sorted(self.explanation, key=lambda span: span["start"]):
            start, end = int(span["start"]), int(span["end"])
            if not at <= start < end <= len(body):
                continue
            parts += [(body[at:start], None), (body[start:end], float(span["weight"]))]
            at = end
        return [part for part in [*parts, (body[at:], None)] if part[0]]


@dataclass(frozen=True)
class QueuePage:
    items: list[QueueItem]
    total: int
    """How many comments match the filters, on every page."""
    next_cursor: str | None = None
    filters: dict[str, Any] = field(default_factory=dict)


def flagged_labels(decision: Decision) -> dict[str, str]:
    """``{label: "reject" | "hold"}`` for each score that reached the decision's thresholds."""
    thresholds = decision.thresholds or {}
    reject, hold = thresholds.get("reject") or {}, thresholds.get("hold") or {}
    flagged: dict[str, str] = {}
    for label, score in (decision.scores or {}).items():
        if label in reject and score >= reject[label]:
            flagged[label] = "reject"
        elif label in hold and score >= hold[label]:
            flagged[label] = "hold"
    return flagged


def review_queue(session: Session, query: QueueQuery, scope: Scope = None) -> QueuePage:
    """One page of the queue: the comments of ``query.status`` on the sites of ``scope``
    (None: every site) that match its filters.

    Raises:
        InvalidCursor: for a cursor this function did not make for this order.
    """
    model = aliased(Decision, name="model_decision")
    top = _greatest(*(func.coalesce(model.scores[label].as_float(), 0.0) for label in LABELS))
    base = (
        select(Comment, model, top.label("top"))
        .outerjoin(model, and_(model.comment_id == Comment.id, model.actor == MODEL_ACTOR))
        .where(Comment.status == query.status, in_scope(Comment.site_id, scope))
    )
    if query.thread:
        base = base.where(Comment.thread_id == query.thread)
    if query.label:
        base = base.where(model.scores[query.label].as_float()
                          >= model.thresholds[("hold", query.label)].as_float())
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    page = _ordered(base, query, top).limit(query.limit + 1)
    rows = session.execute(page).all()
    items = [QueueItem(comment, decision) for comment, decision, _ in rows[:query.limit]]
    next_cursor = None
    if len(rows) > query.limit:
        last = rows[query.limit - 1]
        next_cursor = encode_cursor(query.sort, last[2], last[0].created_at, last[0].id)
    return QueuePage(_with_parents(session, items), total, next_cursor,
                     query.model_dump(exclude={"cursor", "limit"}, exclude_none=True))


def model_decision(comment: Comment) -> Decision | None:
    """The model's decision on ``comment``, if it was scored."""
    return next((decision for decision in comment.decisions if decision.actor == MODEL_ACTOR),
                None)


def parent_of(session: Session, comment: Comment) -> Comment | None:
    return session.get(Comment, comment.parent_id) if comment.parent_id else None


def moderate(session: Session, comment_ids: Sequence[uuid.UUID], request: DecisionRequest,
             moderator: Moderator) -> tuple[list[Decision], list[Comment]]:
    """Approve or reject comments as ``moderator``; the caller commits.

    Each decision carries the scores of the model's decision ("the scores at the
    time") and is audited. A comment whose status is already the outcome asked for
    is left alone.

    A comment whose rejection is under appeal is the appeal's to decide: publishing it
    decides the appeal too (overturned, with this reason, as ``decide_appeal`` would, so
    that the author gets an answer and the appeals queue no stale item), and its rules
    hold: the moderator who took the rejection may not reverse it.

    Returns:
        The decisions taken, and the comments left alone.

    Raises:
        UnknownComments: when an id names no comment, or one of a site out of the
            moderator's reach (nothing is decided).
        OwnDecisionUnderAppeal: when the moderator would reverse their own decision
            that is under appeal (nothing is decided).
    """
    wanted = list(dict.fromkeys(comment_ids))
    found = {comment.id: comment for comment in session.scalars(
        select(Comment).where(Comment.id.in_(wanted),
                              in_scope(Comment.site_id, reachable_site_ids(moderator)))
        .with_for_update())}
    if missing := [comment_id for comment_id in wanted if comment_id not in found]:
        raise UnknownComments(missing)
    scored = {decision.comment_id: decision for decision in session.scalars(
        select(Decision).where(Decision.comment_id.in_(wanted), Decision.actor == MODEL_ACTOR))}
    outcome = request.outcome
    appealed = {appeal.comment_id: appeal for appeal in session.scalars(
        select(Appeal).where(Appeal.comment_id.in_(wanted), Appeal.status == AppealStatus.OPEN))
        if found[appeal.comment_id].status != outcome}
    if own := [comment_id for comment_id, appeal in appealed.items()
               if appeal.decision.actor == moderator.name]:
        raise OwnDecisionUnderAppeal(own)
    decided: list[tuple[Decision, str]] = []
    unchanged: list[Comment] = []
    settled: list[Decision] = []
    for comment in (found[comment_id] for comment_id in wanted):
        if comment.status == outcome:
            unchanged.append(comment)
            continue
        if comment.id in appealed:
            decide_appeal(session, appealed[comment.id], AppealDecision(
                action="overturn", reason=request.reason or "published by a moderator"),
                moderator)
            settled.append(comment.decisions[-1])
            continue
        previous = comment.status
        by_model = scored.get(comment.id)
        decision = record_decision(
            session, comment, outcome=outcome, actor=moderator.name, reason=request.reason,
            scores=by_model.scores if by_model else None,
        )
        decided.append((decision, previous))
    session.flush()
    for decision, previous in decided:
        audit.record(session, actor=moderator.name, action=f"comment.{outcome}",
                     subject=str(decision.comment_id), reason=request.reason, details={
                         "from": previous, "decision_id": decision.id,
                         "thread_id": decision.comment.thread_id, "scores": decision.scores,
                         "site": decision.comment.site.slug,
                     })
    return [decision for decision, _ in decided] + settled, unchanged


def _ordered(base: Select[Any], query: QueueQuery, top: Any) -> Select[Any]:
    comment_id = Comment.id
    if query.sort == "score":
        ordered = base.order_by(top.desc(), Comment.created_at, comment_id)
    else:
        ordered = base.order_by(Comment.created_at, comment_id)
    if not query.cursor:
        return ordered
    sort, score, created_at, last_id = decode_cursor(query.cursor, str, float,
                                                     datetime.fromisoformat, uuid.UUID)
    if sort != query.sort:
        raise InvalidCursor("the cursor belongs to another order")
    after = or_(Comment.created_at > created_at,
                and_(Comment.created_at == created_at, comment_id > last_id))
    if query.sort == "score":
        after = or_(top < score, and_(top == score, after))
    return ordered.where(after)


def _with_parents(session: Session, items: list[QueueItem]) -> list[QueueItem]:
    parent_ids = {item.comment.parent_id for item in items if item.comment.parent_id}
    if not parent_ids:
        return items
    parents = {parent.id: parent for parent in
               session.scalars(select(Comment).where(Comment.id.in_(parent_ids)))}
    return [QueueItem(item.comment, item.model_decision, parents.get(item.comment.parent_id))
            if item.comment.parent_id else item for item in items]


class _greatest(FunctionElement[float]):
    """The largest of its arguments: GREATEST in PostgreSQL, multi-argument MAX in SQLite."""

    type = Float()
    name = "greatest"
    inherit_cache = True


@compiles(_greatest)
def _compile_greatest(element: _greatest, compiler: Any, **kw: Any) -> str:
    return f"greatest({compiler.process(element.clauses, **kw)})"


@compiles(_greatest, "sqlite")
def _compile_greatest_sqlite(element: _greatest, compiler: Any, **kw: Any) -> str:
    return f"max({compiler.process(element.clauses, **kw)})"
