"""Perspective API keys, the analyses kept for calibration, and suggested-score labels."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db import Base, utcnow
from service.sites.models import DEFAULT_SITE_ID, DEFAULT_SLUG, Site

DEFAULT_SITE = DEFAULT_SLUG


class PerspectiveKey(Base):
    """An API key of the Perspective-compatible endpoint; only its SHA-256 is stored.

    ``site_id`` is the site the key scores for; ``site`` its slug.
    """

    __tablename__ = "perspective_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), default=DEFAULT_SITE_ID,
                                         server_default=str(DEFAULT_SITE_ID))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hint: Mapped[str] = mapped_column(String(16))
    """The key's first characters, to tell keys apart in lists."""
    quota_per_second: Mapped[int] = mapped_column(default=10)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    site_row: Mapped[Site] = relationship()

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @property
    def site(self) -> str:
        """The slug of the site the key scores for."""
        return self.site_row.slug


class PerspectiveAnalysis(Base):
    """A scored text kept for calibration: only from requests without ``doNotStore``."""

    __tablename__ = "perspective_analyses"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_id: Mapped[int] = mapped_column(ForeignKey("perspective_keys.id"), index=True)
    site: Mapped[str] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(Text)
    scores: Mapped[dict[str, float]] = mapped_column(JSON)
    model: Mapped[str] = mapped_column(String(200))
    client_token: Mapped[str | None] = mapped_column(String(200))
    community_id: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SuggestedScore(Base):
    """A label sent with ``comments:suggestscore``: a moderator's verdict on a text.

    ``value`` is 0 for acceptable and 1 for not (Coral sends ``APPROVED`` or
    ``DELETED``), or the score a client suggests for ``label``; the calibration
    report and the learning from moderators read these.
    """

    __tablename__ = "perspective_labels"
    __table_args__ = (Index("ix_perspective_labels_site_created", "site", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key_id: Mapped[int] = mapped_column(ForeignKey("perspective_keys.id"), index=True)
    site: Mapped[str] = mapped_column(String(80))
    attribute: Mapped[str] = mapped_column(String(40))
    """The attribute as sent: ``TOXICITY``, ``APPROVED``, ``DELETED``, ..."""
    label: Mapped[str] = mapped_column(String(40))
    """The model's label it speaks of (``toxicity`` for Coral's statuses)."""
    value: Mapped[float]
    text: Mapped[str] = mapped_column(Text)
    client_token: Mapped[str | None] = mapped_column(String(200), index=True)
    community_id: Mapped[str | None] = mapped_column(String(200))
    context: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
