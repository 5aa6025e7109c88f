"""Commenters for moderators: their standing, history and counts, and their data (GDPR).

Every change is audited under the subject ``commenter:<id>`` (never their ``sub`` or
name), so that an erasure leaves the audit log an anonymised trace.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from service.accounts import audit
from service.accounts.models import AuditEntry
from service.commenters.models import Commenter
from service.commenters.schemas import StandingChange
from service.comments.models import Appeal, Comment, Decision, Event, Report
from service.db import iso, utcnow
from service.sites.models import Site
from service.threads.models import Thread

STANDING_CHANGED = "commenter.status"
ERASED = "commenter.erased"
ERASED_AUTHOR = "[erased]"
"""The name shown on an erased commenter's comments."""
ERASED_NOTE = "erased"
"""What stays of the moderators' notes about an erased commenter, in the audit log."""
HISTORY_LIMIT = 200


def audit_subject(commenter: Commenter) -> str:
    return f"commenter:{commenter.id}"


def change_standing(session: Session, commenter: Commenter, change: StandingChange,
                    actor: str) -> Commenter:
    """Set the commenter's status and note, audited; the caller commits."""
    before = {"status": commenter.status, "note": commenter.note}
    if change.status is not None:
        commenter.status = change.status
    if change.note is not None:
        commenter.note = change.note
    commenter.updated_at, commenter.updated_by = utcnow(), actor
    audit.record(session, actor=actor, action=STANDING_CHANGED,
                 subject=audit_subject(commenter), reason=commenter.note, details={
                     "site_id": commenter.site_id, "from": before["status"],
                     "to": commenter.status})
    return commenter


def counts(session: Session, commenter: Commenter) -> dict[str, int]:
    """The commenter's comments per status, reports received and moderators' decisions."""
    by_status: dict[str, int] = {status: number for status, number in session.execute(
        select(Comment.status, func.count()).where(Comment.commenter_id == commenter.id)
        .group_by(Comment.status))}
    reports = session.scalar(select(func.count()).select_from(Report).join(Comment)
                             .where(Comment.commenter_id == commenter.id)) or 0
    decisions = session.scalar(select(func.count()).select_from(Decision).join(Comment)
                               .where(Comment.commenter_id == commenter.id)) or 0
    return {"comments": sum(by_status.values()), **{status: by_status.get(status, 0) for status
                                                     in ("pending", "approved", "held",
                                                         "rejected")},
            "reports": reports, "decisions": decisions}


def history(session: Session, commenter: Commenter, limit: int = HISTORY_LIMIT
            ) -> list[dict[str, Any]]:
    """The commenter's comments, newest first, each with its decisions and reports."""
    comments = list(session.scalars(
        select(Comment).where(Comment.commenter_id == commenter.id)
        .order_by(Comment.created_at.desc(), Comment.id.desc()).limit(limit)))
    reports: dict[Any, list[Report]] = {}
    for report in session.scalars(select(Report).where(
            Report.comment_id.in_([comment.id for comment in comments]))):
        reports.setdefault(report.comment_id, []).append(report)
    titles = _titles(session, comments)
    return [comment.public_dict() | {
        "author": comment.author, "body": comment.body,
        "thread": {"id": comment.thread_id, "title": titles.get(comment.thread_id)},
        "decisions": [decision.as_dict() for decision in comment.decisions],
        "reports": [report.as_dict() for report in reports.get(comment.id, [])],
    } for comment in comments]


def notes(session: Session, commenter: Commenter) -> list[dict[str, Any]]:
    """The moderators' changes of the commenter's standing, newest first, with their notes."""
    entries = session.scalars(select(AuditEntry).where(
        AuditEntry.subject == audit_subject(commenter)).order_by(AuditEntry.id.desc()))
    return [{"action": entry.action, "actor": entry.actor, "note": entry.reason,
             "details": entry.details, "created_at": iso(entry.created_at)}
            for entry in entries]


def profile(session: Session, site: Site, commenter: Commenter) -> dict[str, Any]:
    """``GET .../commenters/<sub>``: who they are, their counts, history and notes."""
    return commenter.as_dict() | {"site": site.slug, "counts": counts(session, commenter),
                                  "comments": history(session, commenter),
                                  "notes": notes(session, commenter)}


def export(session: Session, site: Site, commenter: Commenter) -> dict[str, Any]:
    """The GDPR export: everything kept about the commenter, their comments (every one)
    and the decisions taken on them."""
    data = profile(session, site, commenter)
    data["comments"] = history(session, commenter, limit=1_000_000)
    data["exported_at"] = iso(utcnow())
    return data


def erase(session: Session, commenter: Commenter, actor: str) -> int:
    """Erase the commenter at their request (GDPR Art. 17); the caller commits.

    Every copy goes: their comments' text, name, name key, address hash, fingerprint and
    links; their appeals' messages; the notes of readers' reports on their comments (which
    may quote them); the copies of all these in the outbox events' payloads; the
    moderators' notes about them, in their row and in the audit log (kept as "erased");
    and their name and ``sub``. The comments, decisions and audit entries stay, naming
    no one.

    Returns:
        How many comments were erased.
    """
    mine = select(Comment.id).where(Comment.commenter_id == commenter.id)
    erased = session.scalar(select(func.count()).select_from(Comment)
                            .where(Comment.commenter_id == commenter.id)) or 0
    session.execute(
        update(Comment).where(Comment.commenter_id == commenter.id)
        .values(body="", author=ERASED_AUTHOR, author_key=None, client=None, fingerprint=None,
                link_sites=None, author_token_hash=None)
        .execution_options(synchronize_session=False))
    session.execute(update(Appeal).where(Appeal.comment_id.in_(mine)).values(message="")
                    .execution_options(synchronize_session=False))
    session.execute(update(Report).where(Report.comment_id.in_(mine)).values(note="")
                    .execution_options(synchronize_session=False))
    for event in session.scalars(select(Event).where(Event.comment_id.in_(mine))):
        event.payload = _erased_payload(event.payload)
    session.execute(update(AuditEntry).where(AuditEntry.subject == audit_subject(commenter),
                                             AuditEntry.reason != "")
                    .values(reason=ERASED_NOTE).execution_options(synchronize_session=False))
    commenter.name, commenter.note = "", ""
    commenter.sub = f"erased:{commenter.id}"
    commenter.erased_at = commenter.updated_at = utcnow()
    commenter.updated_by = actor
    audit.record(session, actor=actor, action=ERASED, subject=audit_subject(commenter),
                 details={"site_id": commenter.site_id, "comments": erased})
    session.flush()
    session.expire_all()  # the comments loaded before the UPDATEs
    return erased


def _erased_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """An outbox event's payload without the erased commenter's words and name."""
    erased = dict(payload)
    erased["comment"] = dict(payload.get("comment") or {}) | {"author": ERASED_AUTHOR,
                                                               "body": ""}
    if isinstance(payload.get("appeal"), dict):
        erased["appeal"] = payload["appeal"] | {"message": ""}
    if isinstance(payload.get("report"), dict):
        erased["report"] = payload["report"] | {"note": ""}
    return erased


def subs_of(session: Session, comments: Iterable[Comment]) -> dict[int, str]:
    """``{commenter id: sub}`` of the signed-in commenters among ``comments``'s authors
    (erased ones left out), for links to their pages."""
    ids = {comment.commenter_id for comment in comments if comment.commenter_id}
    if not ids:
        return {}
    return dict(session.execute(select(Commenter.id, Commenter.sub).where(
        Commenter.id.in_(ids), Commenter.erased_at.is_(None))).tuples().all())


def _titles(session: Session, comments: list[Comment]) -> dict[str, str | None]:
    keys = {(comment.site_id, comment.thread_id) for comment in comments}
    if not keys:
        return {}
    site_id = next(iter(keys))[0]
    return {thread.key: thread.title for thread in session.scalars(
        select(Thread).where(Thread.site_id == site_id,
                             Thread.key.in_([key for _, key in keys])))}
