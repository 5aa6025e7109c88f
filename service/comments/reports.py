"""Readers' reports of published comments, and the hold that enough of them cause."""

from __future__ import annotations

import ipaddress
import uuid
from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.comments.events import comment_event, record_decision
from service.comments.models import READERS_ACTOR, Comment, Report, Status
from service.comments.readers import reader_settings
from service.comments.reasons import REPORTED
from service.comments.schemas import NewReport
from service.errors import APIError


def reporter_of(address: str | None, sub: str | None, site_id: int) -> str:
    """Who a report counts as: the signed-in commenter ``sub`` of the site, else the
    network of ``address`` (its /24 for IPv4, /64 for IPv6, as one host or one household
    has), so that one reader with many addresses counts once. Not yet hashed."""
    if sub is not None:
        return f"commenter:{site_id}:{sub}"
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return f"address:{address or 'unknown'}"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 64
    return f"network:{ipaddress.ip_network(f'{ip}/{prefix}', strict=False)}"


def report_comment(session: Session, comment: Comment, new: NewReport,
                   reporter: str) -> tuple[bool, bool]:
    """Record a reader's report of a published comment (the caller commits).

    A second report from the same reporter (``reporter_of``, hashed) counts once. At the site's
    ``reports_to_hold`` distinct reporters the comment goes back to ``held`` with the
    reason "reported by readers", and leaves the thread.

    Returns:
        Whether this report counted, and whether the comment is now held.

    Raises:
        APIError: 409 when the comment is not published.
    """
    if comment.status != Status.APPROVED:
        raise APIError(409, "not_published", "Only published comments can be reported.")
    if session.scalar(select(Report.id).where(Report.comment_id == comment.id,
                                              Report.reporter == reporter)) is not None:
        return False, False
    report = Report(comment_id=comment.id, reporter=reporter, reason=new.reason,
                    note=new.note)
    try:
        with session.begin_nested():
            session.add(report)
    except IntegrityError:  # the same reader's report, sent twice at once
        return False, False
    comment_event(session, "comment.reported", comment, report=report.as_dict())
    active = active_reports(session, comment)
    if len(active) < reader_settings(session, comment.site_id).reports_to_hold:
        return True, False
    reasons = Counter(report.reason for report in active)
    summary = ", ".join(f"{reason.replace('_', ' ')} x{count}"
                        for reason, count in reasons.most_common())
    record_decision(session, comment, outcome=Status.HELD, actor=READERS_ACTOR,
                    reason=f"reported by readers: {summary}", code=REPORTED)
    return True, True


def active_reports(session: Session, comment: Comment) -> list[Report]:
    """The reports on ``comment`` that no moderator dismissed, oldest first."""
    return list(session.scalars(select(Report).where(
        Report.comment_id == comment.id, Report.dismissed_at.is_(None)).order_by(Report.id)))


def report_counts(session: Session,
                  comment_ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, int]]:
    """``{comment_id: {reason: count}}`` of the active reports on those comments."""
    counts: dict[uuid.UUID, dict[str, int]] = {}
    for comment_id, reason, count in session.execute(
            select(Report.comment_id, Report.reason, func.count())
            .where(Report.comment_id.in_(comment_ids), Report.dismissed_at.is_(None))
            .group_by(Report.comment_id, Report.reason)):
        counts.setdefault(comment_id, {})[reason] = count
    return counts
