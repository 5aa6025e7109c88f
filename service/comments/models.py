"""Comments, the decisions taken on them, and the events they emit."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db import Base, iso, utcnow


class Status(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    HELD = "held"
    REJECTED = "rejected"


class Comment(Base):
    """A reader's comment on a thread; ``status`` is the latest decision's outcome."""

    __tablename__ = "comments"
    __table_args__ = (
        Index("ix_comments_thread_status_created", "thread_id", "status", "created_at", "id"),
        Index("ix_comments_status_created", "status", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    thread_id: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("comments.id"))
    author: Mapped[str] = mapped_column(String(80))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=Status.PENDING)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    # A scoring worker's lease on the comment; others leave it alone until it expires.
    claimed_until: Mapped[datetime | None]
    claim_token: Mapped[str | None] = mapped_column(String(36))

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
    scores: Mapped[dict[str, float] | None] = mapped_column(JSON)
    model: Mapped[str | None] = mapped_column(String(200))
    thresholds: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    comment: Mapped[Comment] = relationship(back_populates="decisions")

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "outcome": self.outcome,
            "actor": self.actor,
            "reason": self.reason,
            "scores": self.scores,
            "model": self.model,
            "thresholds": self.thresholds,
            "created_at": iso(self.created_at),
        }


class Event(Base):
    """The outbox: a moderation event, written in the transaction that caused it.

    Webhook delivery reads events from here, so that none is lost between the
    database commit and Redis.
    """

    __tablename__ = "events"

    id: Mapped[str] = mapped_column(String(40), primary_key=True,
                                    default=lambda: f"msg_{uuid.uuid4().hex}")
    type: Mapped[str] = mapped_column(String(40))
    comment_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("comments.id"), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
