"""A thread: the article (or any page) a site's comments answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base, iso, utcnow


class Thread(Base):
    """One site's article; ``key`` is the thread id of the URLs and of ``comments.thread_id``.

    Made by its first comment (with the headline and link the widget gave, from an
    allowed origin), or by the migration for the comments that came before threads.
    """

    __tablename__ = "threads"
    __table_args__ = (UniqueConstraint("site_id", "key", name="uq_threads_site_id_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    key: Mapped[str] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(String(2000))
    closed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    """A closed thread takes no new comments (``403 thread_closed``)."""
    premoderation: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    """Every comment of the thread is held for a moderator."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    headline_checked_at: Mapped[datetime | None]
    """When the service last asked for the article's page for its headline and link."""

    def public_dict(self) -> dict[str, Any]:
        """What the public listing shows of the thread."""
        return {"id": self.key, "title": self.title, "url": self.url, "closed": self.closed}

    def as_dict(self) -> dict[str, Any]:
        """The thread as the moderation API shows it."""
        return self.public_dict() | {"premoderation": self.premoderation,
                                     "created_at": iso(self.created_at)}
