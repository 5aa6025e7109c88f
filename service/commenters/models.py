"""A commenter: a reader the publisher signed in, known by their ``sub`` on one site."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base, iso, utcnow


class Standing(StrEnum):
    """What a moderator decided about a commenter."""

    NORMAL = "normal"
    PREMODERATED = "premoderated"
    """Every comment is held for a moderator."""
    TRUSTED = "trusted"
    """Skips the site's new-commenter pre-moderation."""
    BANNED = "banned"
    """May not comment (``403 commenter_banned``)."""


class Commenter(Base):
    """A signed-in reader of one site; made by their first comment with a token."""

    __tablename__ = "commenters"
    __table_args__ = (UniqueConstraint("site_id", "sub", name="uq_commenters_site_id_sub"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    sub: Mapped[str] = mapped_column(String(200))
    """The publisher's user id (the token's ``sub`` claim)."""
    name: Mapped[str] = mapped_column(String(80))
    """The name of their latest token; erased to "" on a GDPR erasure."""
    status: Mapped[str] = mapped_column(String(16), default=Standing.NORMAL,
                                        server_default=Standing.NORMAL.value)
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    """The moderators' note about them."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(80), default="", server_default="")
    erased_at: Mapped[datetime | None]
    """When their data was erased at their request (their comments' text and their name)."""

    def as_dict(self) -> dict[str, Any]:
        """The commenter as the moderation API shows them."""
        return {"sub": self.sub, "name": self.name, "status": self.status, "note": self.note,
                "created_at": iso(self.created_at), "updated_at": iso(self.updated_at),
                "updated_by": self.updated_by, "erased_at": iso(self.erased_at)}
