"""The tables of learning from moderators: candidates, their shadow decisions, rescoring runs."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base, iso, utcnow

DEFAULT_SITE = "default"


class CandidateStatus(StrEnum):
    CANDIDATE = "candidate"
    """Built and evaluated on held-back decisions; not scoring."""
    SHADOW = "shadow"
    """Scores new comments beside the live policy, without acting."""
    PROMOTED = "promoted"
    """Decides new comments (one per site at most)."""
    RETIRED = "retired"


class Candidate(Base):
    """A head fitted on a site's moderator decisions (``learning.head.Head``'s parameters)."""

    __tablename__ = "candidates"
    __table_args__ = (Index("ix_candidates_site_status", "site", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    site: Mapped[str] = mapped_column(String(80), default=DEFAULT_SITE)
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=CandidateStatus.CANDIDATE)
    report: Mapped[dict[str, Any]] = mapped_column(JSON)
    """The evaluation on the held-back decisions, made when it was built."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(80))
    shadow_since: Mapped[datetime | None]
    promoted_at: Mapped[datetime | None]
    promoted_by: Mapped[str | None] = mapped_column(String(80))
    promoted_report: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """The report the promotion was based on, as the admin saw it."""

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "site": self.site, "status": self.status,
                "created_at": iso(self.created_at), "created_by": self.created_by,
                "shadow_since": iso(self.shadow_since), "promoted_at": iso(self.promoted_at),
                "promoted_by": self.promoted_by}


class ShadowDecision(Base):
    """What a candidate in shadow would have decided on a comment the live policy decided."""

    __tablename__ = "shadow_decisions"
    __table_args__ = (
        Index("uq_shadow_decisions_candidate_comment", "candidate_id", "comment_id",
              unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    comment_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("comments.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(16))
    live_outcome: Mapped[str] = mapped_column(String(16))
    probability: Mapped[float]
    """The head's probability that a moderator would reject the comment."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RescoreStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class RescoreRun(Base):
    """One bulk rescoring of a site's pending and held comments, with its progress."""

    __tablename__ = "rescore_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    site: Mapped[str] = mapped_column(String(80), default=DEFAULT_SITE)
    status: Mapped[str] = mapped_column(String(16), default=RescoreStatus.QUEUED)
    total: Mapped[int] = mapped_column(default=0)
    rescored: Mapped[int] = mapped_column(default=0)
    skipped: Mapped[int] = mapped_column(default=0)
    changed: Mapped[int] = mapped_column(default=0)
    """Rescored comments whose outcome changed."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(80))
    finished_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(String(400))

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "site": self.site, "status": self.status, "total": self.total,
                "rescored": self.rescored, "skipped": self.skipped, "changed": self.changed,
                "created_at": iso(self.created_at), "created_by": self.created_by,
                "finished_at": iso(self.finished_at), "error": self.error}
