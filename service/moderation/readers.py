"""Moderators' side of readers' reports and authors' appeals.

Shared by the dashboard and the moderation API. Dismissing a comment's reports keeps
it published (or publishes it again when the reports held it); an appeal is decided
by a moderator other than the one who took the decision under appeal, and an
overturn publishes the comment. Each is audited and sends its webhook event.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.accounts import audit
from service.accounts.models import Moderator
from service.comments.events import comment_event, record_decision
from service.comments.models import Appeal, AppealStatus, Comment, Report, Status
from service.comments.reasons import APPEAL_OVERTURNED, REPORTED
from service.comments.reports import active_reports
from service.db import utcnow
from service.errors import APIError
from service.moderation.scope import Scope, in_scope
from service.textcheck import checked

REPORTS_DISMISSED = "reports.dismissed"
APPEAL_DECIDED = "appeal.decided"


class AppealDecision(BaseModel):
    """The body of ``POST /api/v1/moderation/appeals/<id>/decisions``."""

    model_config = ConfigDict(extra="forbid")

    action: Literal["uphold", "overturn"] = Field(
        description="uphold: the comment stays unpublished; overturn: it is published.")
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                             max_length=500),
                      checked(500, multiline=True)] = Field(
        description="Why, in words the author is shown.")


class AppealQuery(BaseModel):
    """The query of the appeals queue."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["open", "upheld", "overturned"] = "open"
    limit: int = Field(default=50, ge=1, le=100)
    site: Annotated[str, checked(64)] | None = Field(default=None, max_length=64, description=(
        "Only this site's (its slug); without it, every site one reaches."))


@dataclass(frozen=True)
class ReportedItem:
    """A comment with reports that no moderator dismissed yet."""

    comment: Comment
    reports: list[Report]

    @property
    def reasons(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for report in self.reports:
            counts[report.reason] = counts.get(report.reason, 0) + 1
        return dict(sorted(counts.items(), key=lambda item: -item[1]))


def reported(session: Session, limit: int = 50, scope: Scope = None) -> list[ReportedItem]:
    """Comments with active reports on the sites of ``scope`` (None: every site), most
    reported first."""
    rows = session.execute(
        select(Report.comment_id, func.count().label("reports"))
        .join(Comment, Comment.id == Report.comment_id)
        .where(Report.dismissed_at.is_(None), in_scope(Comment.site_id, scope))
        .group_by(Report.comment_id)
        .order_by(func.count().desc(), func.min(Report.created_at)).limit(limit)).all()
    items = []
    for comment_id, _ in rows:
        comment = session.get(Comment, comment_id)
        if comment is not None:
            items.append(ReportedItem(comment, active_reports(session, comment)))
    return items


def dismiss_reports(session: Session, comment: Comment, moderator: Moderator,
                    note: str = "") -> int:
    """Dismiss the comment's reports; publish it again if they held it (caller commits).

    Returns:
        How many reports were dismissed.

    Raises:
        APIError: 409 when the comment has no report to dismiss.
    """
    reports = active_reports(session, comment)
    if not reports:
        raise APIError(409, "no_reports", "The comment has no reports to dismiss.")
    now = utcnow()
    for report in reports:
        report.dismissed_at, report.dismissed_by = now, moderator.name
    previous = comment.status
    latest = comment.decisions[-1] if comment.decisions else None
    if comment.status == Status.HELD and latest is not None and latest.code == REPORTED:
        record_decision(session, comment, outcome=Status.APPROVED, actor=moderator.name,
                        reason=f"reports dismissed{': ' + note if note else ''}")
    comment_event(session, REPORTS_DISMISSED, comment,
                  reports={"dismissed": len(reports), "by": moderator.name})
    audit.record(session, actor=moderator.name, action=REPORTS_DISMISSED,
                 subject=str(comment.id), reason=note, details={
                     "reports": len(reports), "from": previous, "to": comment.status,
                     "reasons": [report.reason for report in reports],
                     "site": comment.site.slug})
    return len(reports)


def appeals_queue(session: Session, query: AppealQuery, scope: Scope = None) -> list[Appeal]:
    """Appeals of ``query.status`` on the sites of ``scope`` (None: every site), oldest first."""
    return list(session.scalars(select(Appeal).join(Comment, Comment.id == Appeal.comment_id)
                                .where(Appeal.status == query.status,
                                       in_scope(Comment.site_id, scope))
                                .order_by(Appeal.created_at, Appeal.id).limit(query.limit)))


def find_appeal(session: Session, appeal_id: str, scope: Scope = None) -> Appeal:
    """The appeal with that id, of a comment on the sites of ``scope`` (None: any).

    Raises:
        APIError: 404 when there is none (in scope).
    """
    valid = appeal_id.isascii() and appeal_id.isdigit() and len(appeal_id) < 12
    appeal = session.get(Appeal, int(appeal_id)) if valid else None
    if appeal is None or (scope is not None and appeal.comment.site_id not in scope):
        raise APIError(404, "not_found", "No appeal has that id.")
    return appeal


def decide_appeal(session: Session, appeal: Appeal, decision: AppealDecision,
                  moderator: Moderator) -> Appeal:
    """Uphold or overturn ``appeal`` as ``moderator`` (the caller commits).

    Raises:
        APIError: 403 when ``moderator`` took the decision under appeal; 409 when the
            appeal is decided already.
    """
    if appeal.decision.actor == moderator.name:
        raise APIError(403, "own_decision", "You took the decision under appeal; another "
                       "moderator decides the appeal.")
    if appeal.status != AppealStatus.OPEN:
        raise APIError(409, "already_decided", f"The appeal is {appeal.status} already.")
    comment = appeal.comment
    appeal.status = (AppealStatus.OVERTURNED if decision.action == "overturn"
                     else AppealStatus.UPHELD)
    appeal.decided_at, appeal.decided_by, appeal.reason = utcnow(), moderator.name, decision.reason
    published = None
    if appeal.status == AppealStatus.OVERTURNED and comment.status != Status.APPROVED:
        published = record_decision(session, comment, outcome=Status.APPROVED,
                                    actor=moderator.name, code=APPEAL_OVERTURNED,
                                    reason=f"appeal overturned: {decision.reason}")
    session.flush()
    comment_event(session, APPEAL_DECIDED, comment, published, appeal=appeal.as_dict())
    audit.record(session, actor=moderator.name, action=f"appeal.{appeal.status}",
                 subject=str(comment.id), reason=decision.reason, details={
                     "appeal_id": appeal.id, "decision_id": appeal.decision_id,
                     "decision_actor": appeal.decision.actor,
                     "published_decision_id": published.id if published else None,
                     "site": comment.site.slug})
    return appeal

