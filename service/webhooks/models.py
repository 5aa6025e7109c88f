"""Webhook endpoints, one delivery per (endpoint, event), and every attempt at it."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db import Base, iso, utcnow
from service.sites.models import Site

EVENT_TYPES = ("comment.created", "comment.approved", "comment.held", "comment.rejected",
               "comment.reported", "reports.dismissed", "comment.appealed", "appeal.decided")
MAX_DELIVERY_ID = 2**31 - 1
"""Delivery ids are SQL INTEGERs: a larger number is no delivery's."""


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    """Waiting for its next attempt (the first, or a retry at ``next_attempt_at``)."""
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    """Given up: retries ran out, or the endpoint was disabled. An admin may re-send it."""


class WebhookEndpoint(Base):
    """A URL that receives the events it subscribes to, signed with its secret."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    url: Mapped[str] = mapped_column(String(2000))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"), index=True)
    """The site whose events it receives; None: every site's."""
    description: Mapped[str] = mapped_column(Text, default="")
    events: Mapped[list[str]] = mapped_column(JSON)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    secret: Mapped[str] = mapped_column(String(200))
    # After a rotation the old secret signs too, until it expires.
    previous_secret: Mapped[str | None] = mapped_column(String(200))
    previous_secret_expires_at: Mapped[datetime | None]
    # Start of the current run of failed attempts; cleared by a success.
    failing_since: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    site: Mapped[Site | None] = relationship()
    deliveries: Mapped[list[WebhookDelivery]] = relationship(
        back_populates="endpoint", cascade="all, delete-orphan", passive_deletes=True
    )

    def signing_secrets(self, now: datetime) -> list[str]:
        """The secrets that sign a delivery made at ``now``: the current one first."""
        secrets = [self.secret]
        if self.previous_secret and self.previous_secret_expires_at and (
                now < self.previous_secret_expires_at):
            secrets.append(self.previous_secret)
        return secrets

    def as_dict(self) -> dict[str, Any]:
        """The endpoint as the API shows it: never its secrets."""
        return {
            "id": str(self.id),
            "url": self.url,
            "site": self.site.slug if self.site else None,
            "description": self.description,
            "events": self.events,
            "enabled": self.enabled,
            "disabled_reason": self.disabled_reason,
            "failing_since": iso(self.failing_since),
            "previous_secret_expires_at": iso(self.previous_secret_expires_at),
            "created_at": iso(self.created_at),
            "updated_at": iso(self.updated_at),
        }


class WebhookDelivery(Base):
    """One event on its way to one endpoint; its attempts are logged in ``attempts``."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("endpoint_id", "event_id"),
        Index("ix_webhook_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_endpoint_id_id", "endpoint_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id"), index=True)
    event_type: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    """Attempts made in all; the next one is number ``attempts + 1``."""
    round_attempts: Mapped[int] = mapped_column(Integer, default=0)
    """Attempts since the delivery was made or last re-sent: picks the retry delay."""
    next_attempt_at: Mapped[datetime | None]
    # A worker's lease while it sends; others leave the delivery alone until it expires.
    claimed_until: Mapped[datetime | None]
    last_status_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    endpoint: Mapped[WebhookEndpoint] = relationship(back_populates="deliveries")
    attempt_log: Mapped[list[WebhookAttempt]] = relationship(
        back_populates="delivery", order_by="WebhookAttempt.id", cascade="all, delete-orphan",
        passive_deletes=True,
    )

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "endpoint_id": str(self.endpoint_id),
            "event_id": self.event_id,
            "event_type": self.event_type,
            "status": self.status,
            "attempts": self.attempts,
            "next_attempt_at": iso(self.next_attempt_at)
            if self.status == DeliveryStatus.PENDING else None,
            "last_status_code": self.last_status_code,
            "last_error": self.last_error,
            "created_at": iso(self.created_at),
            "finished_at": iso(self.finished_at),
        }


class WebhookAttempt(Base):
    """One HTTP request of a delivery and what came of it; never updated."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow)
    url: Mapped[str] = mapped_column(String(2000))
    status_code: Mapped[int | None]
    latency_ms: Mapped[int | None]
    response_excerpt: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str | None] = mapped_column(Text)
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)

    delivery: Mapped[WebhookDelivery] = relationship(back_populates="attempt_log")

    def as_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "attempted_at": iso(self.attempted_at),
            "url": self.url,
            "status_code": self.status_code,
            "latency_ms": self.latency_ms,
            "response_excerpt": self.response_excerpt,
            "error": self.error,
            "succeeded": self.succeeded,
        }


class WebhookFanOut(Base):
    """Marks an outbox event whose deliveries have been made (possibly none)."""

    __tablename__ = "webhook_fan_outs"

    event_id: Mapped[str] = mapped_column(ForeignKey("events.id"), primary_key=True)
    deliveries: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
