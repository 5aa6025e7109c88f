"""Comments, the decisions taken on them, and the events they emit."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.comments import names
from service.db import Base, iso, utcnow
from service.sites.models import DEFAULT_SITE_ID, Site

READERS_ACTOR = "readers"
"""The actor of a hold that readers' reports caused."""


class Status(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    HELD = "held"
    REJECTED = "rejected"


def _key_of_author(context: Any) -> str:
    """``author_key``'s default: the key of the row's author (``names.author_key``)."""
    return names.author_key(context.get_current_parameters()["author"])


class Comment(Base):
    """A reader's comment on a thread; ``status`` is the latest decision's outcome."""

    __tablename__ = "comments"
    __table_args__ = (
        Index("ix_comments_site_thread_status_created", "site_id", "thread_id", "status",
              "created_at", "id"),
        Index("ix_comments_status_created", "status", "created_at"),
        Index("ix_comments_created", "created_at"),
        Index("ix_comments_author_key_created", "author_key", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), default=DEFAULT_SITE_ID,
                                         server_default=str(DEFAULT_SITE_ID))
    thread_id: Mapped[str] = mapped_column(String(200))
    """The thread's key within its site (``service.threads``: the ``threads`` row)."""
    commenter_id: Mapped[int | None] = mapped_column(ForeignKey("commenters.id"), index=True)
    """The signed-in commenter who wrote it (``service.commenters``); None: anonymous."""
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("comments.id"))
    author: Mapped[str] = mapped_column(String(80))
    author_key: Mapped[str | None] = mapped_column(String(32), default=_key_of_author)
    """A hash of the author name's skeleton (``names.author_key``): the name as the repeat
    and flood checks compare it, look-alike letters and case folded, indexed."""
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=Status.PENDING)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    # A scoring worker's lease on the comment; others leave it alone until it expires.
    claimed_until: Mapped[datetime | None]
    claim_token: Mapped[str | None] = mapped_column(String(36))
    # What the spam stage compares (``service.comments.spam``): the keyed hash of the
    # client's address, the text's MinHash fingerprint, the sites it links to.
    client: Mapped[str | None] = mapped_column(String(32), index=True)
    fingerprint: Mapped[bytes | None] = mapped_column(LargeBinary)
    link_sites: Mapped[str | None] = mapped_column(String(400))
    """The domains linked, space-separated with a space at each end; None: no link."""
    # The SHA-256 of the token that the POST gave the author, to show them their comment.
    author_token_hash: Mapped[str | None] = mapped_column(String(64))

    site: Mapped[Site] = relationship()
    decisions: Mapped[list[Decision]] = relationship(
        back_populates="comment", order_by="Decision.id", cascade="all, delete-orphan"
    )

    def public_dict(self) -> dict[str, Any]:
        """What anyone may see: the text only once the comment is published."""
        data: dict[str, Any] = {
            "id": str(self.id),
            "thread_id": self.thread_id,
            "parent_id": str(self.parent_id) if self.parent_id else None,
            "status": self.status,
            "created_at": iso(self.created_at),
            "decided_at": iso(self.decided_at),
        }
        if self.status == Status.APPROVED:
            data |= {"author": self.author, "body": self.body}
        return data


class Decision(Base):
    """One decision on a comment, by the model or a moderator; never updated."""

    __tablename__ = "decisions"
    __table_args__ = (
        # One model decision per comment, however often its scoring job runs.
        Index("uq_decisions_model_once", "comment_id", unique=True,
              sqlite_where=text("actor = 'model'"), postgresql_where=text("actor = 'model'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("comments.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(80))
    reason: Mapped[str] = mapped_column(Text, default="")
    code: Mapped[str | None] = mapped_column(String(40))
    """The reason's code when a rule decided (``spam.links``, ...); see ``reasons``."""
    scores: Mapped[dict[str, float] | None] = mapped_column(JSON)
    model: Mapped[str | None] = mapped_column(String(200))
    thresholds: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    explanation: Mapped[list[dict[str, float]] | None] = mapped_column(JSON(none_as_null=True))
    """For a comment the model held: ``[{"start", "end", "weight"}]``, the character
    spans of the body that drove its toxicity, strongest first (``workers.scoring.explain``),
    written by a job of the explain queue after the decision; NULL until then (None is
    stored as SQL NULL, never as JSON ``null``)."""
    language: Mapped[str | None] = mapped_column(String(16))
    """The comment's language as the scoring worker detected it (``und`` when too short or
    unsure to tell); NULL for decisions of moderators and rules."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    comment: Mapped[Comment] = relationship(back_populates="decisions")

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "outcome": self.outcome,
            "actor": self.actor,
            "reason": self.reason,
            "code": self.code,
            "scores": self.scores,
            "model": self.model,
            "thresholds": self.thresholds,
            "language": self.language,
            "created_at": iso(self.created_at),
        }


def new_event_id() -> str:
    """A new event's id (``msg_`` and 32 hex digits)."""
    return f"msg_{uuid.uuid4().hex}"


class Event(Base):
    """The outbox: a moderation event, written in the transaction that caused it.

    Webhook delivery reads events from here, so that none is lost between the
    database commit and Redis.
    """

    __tablename__ = "events"

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=new_event_id)
    type: Mapped[str] = mapped_column(String(40))
    comment_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("comments.id"), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class ReportReason(StrEnum):
    ABUSIVE = "abusive"
    SPAM = "spam"
    OFF_TOPIC = "off_topic"
    OTHER = "other"


class Report(Base):
    """A reader's report of a published comment; one per client per comment counts."""

    __tablename__ = "reports"
    __table_args__ = (
        Index("uq_reports_comment_reporter", "comment_id", "reporter", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("comments.id"), index=True)
    reporter: Mapped[str] = mapped_column(String(32))
    """The keyed hash of the reporting client's address (``spam.client_key``)."""
    reason: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    dismissed_at: Mapped[datetime | None]
    """When a moderator dismissed it: it no longer counts towards a hold."""
    dismissed_by: Mapped[str | None] = mapped_column(String(80))

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "reason": self.reason, "note": self.note,
                "created_at": iso(self.created_at), "dismissed_at": iso(self.dismissed_at),
                "dismissed_by": self.dismissed_by}


class AppealStatus(StrEnum):
    OPEN = "open"
    UPHELD = "upheld"
    OVERTURNED = "overturned"


class Appeal(Base):
    """An author's appeal of the decision that rejected their comment; one per decision."""

    __tablename__ = "appeals"
    __table_args__ = (Index("ix_appeals_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("comments.id"), index=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id"), unique=True)
    """The decision under appeal."""
    message: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=AppealStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(80))
    reason: Mapped[str] = mapped_column(Text, default="")
    """The deciding moderator's reason, told to the author."""

    comment: Mapped[Comment] = relationship()
    decision: Mapped[Decision] = relationship()

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "comment_id": str(self.comment_id),
                "decision_id": self.decision_id, "message": self.message,
                "status": self.status, "created_at": iso(self.created_at),
                "decided_at": iso(self.decided_at), "decided_by": self.decided_by,
                "reason": self.reason}


class NudgeOutcome(StrEnum):
    """What the writer did after a nudge (``service.comments.nudge``)."""

    REVISED = "revised"
    POSTED_ANYWAY = "posted_anyway"
    ABANDONED = "abandoned"


class Nudge(Base):
    """A nudge shown to a writer before posting, and what they did next: never the text."""

    __tablename__ = "nudges"
    __table_args__ = (Index("ix_nudges_outcome_created", "outcome", "created_at"),
                      Index("ix_nudges_created", "created_at"))

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    outcome: Mapped[str | None] = mapped_column(String(16))
    """A ``NudgeOutcome``; None until the writer's next POST, or until the sweeper calls it
    abandoned."""
    settled_at: Mapped[datetime | None]
