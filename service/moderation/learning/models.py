"""The tables of learning from moderators: candidates, their shadow decisions, rescoring runs,
and the sentence vectors candidates learn from."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, LargeBinary, String, Uuid
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
    space: Mapped[str | None] = mapped_column(String(200))
    """The sentence vectors' space it was fitted in (None: a head over the scores alone);
    stale, and not applied, where the workers' model gives vectors of another space."""

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "site": self.site, "status": self.status,
                "created_at": iso(self.created_at), "created_by": self.created_by,
                "shadow_since": iso(self.shadow_since), "promoted_at": iso(self.promoted_at),
                "promoted_by": self.promoted_by, "space": self.space}


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


class SentenceVector(Base):
    """A text's sentence vector and label scores from one forward pass of the model, in the
    vector space ``space`` (``workers.scoring.vectors.space``: model, version, layer).

    Either a comment's (``comment_id``, written by the scoring job beside its decision) or
    a label sent by a Perspective client (``label_id``, ``site`` and ``rejected``: the
    client's moderator's verdict; nothing of the text is kept here). The vector is int8
    with one scale (``learning.vectors``): 384 bytes for MiniLM, plus the scores.
    """

    __tablename__ = "sentence_vectors"
    __table_args__ = (
        Index("uq_sentence_vectors_comment_space", "comment_id", "space", unique=True),
        Index("uq_sentence_vectors_label_space", "label_id", "space", unique=True),
        Index("ix_sentence_vectors_site_space", "site", "space"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("comments.id"))
    label_id: Mapped[int | None] = mapped_column(ForeignKey("perspective_labels.id"))
    site: Mapped[str | None] = mapped_column(String(80))
    """A label's site (a comment's is its own)."""
    rejected: Mapped[bool | None]
    """A label's verdict: whether the client's moderator rejected the text."""
    space: Mapped[str] = mapped_column(String(200))
    scores: Mapped[dict[str, float]] = mapped_column(JSON)
    scale: Mapped[float] = mapped_column(Float)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
