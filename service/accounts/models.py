"""Moderators, their API tokens, and the audit log of what they did."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db import Base, utcnow
from service.sites.models import Site, moderator_sites


class Role(StrEnum):
    """What a moderator may do: moderators decide comments, admins also change settings."""

    MODERATOR = "moderator"
    ADMIN = "admin"


class Moderator(UserMixin, Base):
    """A person who decides held comments; ``name`` is the actor of their decisions."""

    __tablename__ = "moderators"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16), default=Role.MODERATOR)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    """Kept in each dashboard session; raising it ends every session of the moderator."""
    disabled_at: Mapped[datetime | None]
    """A disabled moderator cannot log in, and their sessions and tokens stop working."""

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="moderator",
                                                  order_by="ApiToken.id")
    sites: Mapped[list[Site]] = relationship(secondary=moderator_sites, order_by=Site.slug)
    """The sites a moderator sees and decides; an admin sees every site whatever this holds."""

    def has_role(self, role: str) -> bool:
        """Whether this moderator may act as ``role`` (an admin may act as anyone)."""
        return self.role == Role.ADMIN or self.role == role

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_active(self) -> bool:
        return self.disabled_at is None

    def get_id(self) -> str:
        """The session's key: the id and the generation, so that old sessions stop matching."""
        return f"{self.id}:{self.session_generation}"


class ApiToken(Base):
    """A bearer token of the moderation API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    moderator_id: Mapped[int] = mapped_column(ForeignKey("moderators.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hint: Mapped[str] = mapped_column(String(16))
    """The token's first characters, to tell tokens apart in lists."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    """None: the token works until it is revoked."""
    last_used_at: Mapped[datetime | None]
    """When it last opened the API (updated at most once a minute)."""

    moderator: Mapped[Moderator] = relationship(back_populates="tokens")

    @property
    def active(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None
                                            or self.expires_at > utcnow())


class AuditEntry(Base):
    """One thing a person did (or tried): a decision, a login, a settings change, ...

    Never updated. ``actor`` is the moderator's name, or the name typed at a failed
    login; ``details`` holds what the action needs to be understood later, such as
    the scores at the time of a decision or the settings before and after a change.
    """

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_actor_action_created", "actor", "action", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str | None] = mapped_column(String(80))
    reason: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
