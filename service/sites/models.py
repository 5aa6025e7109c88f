"""Sites: a publisher's properties, each with its own policy, origins, locale and moderators."""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base, iso, utcnow

DEFAULT_SLUG = "default"
DEFAULT_SITE_ID = 1
"""The site ``default`` always exists, with this id: the old public paths mean it."""
DEFAULT_TOKEN_MAX_AGE = 24 * 3600
"""A commenter token's longest life by default: a day."""
SLUG = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?")
"""A site's slug: 1 to 64 lowercase letters, digits and inner hyphens."""


def new_sso_secret() -> str:
    """A fresh SSO secret: 256 random bits, URL-safe (43 characters)."""
    return secrets.token_urlsafe(32)


moderator_sites = Table(
    "moderator_sites",
    Base.metadata,
    Column("moderator_id", ForeignKey("moderators.id"), primary_key=True),
    Column("site_id", ForeignKey("sites.id"), primary_key=True),
)
"""Which sites a moderator (not an admin: admins see every site) sees and decides."""


class Site(Base):
    """One publisher property; ``slug`` names it in URLs and on the command line."""

    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    origins: Mapped[list[str] | None] = mapped_column(JSON)
    """Origins whose pages may embed the widget; None: the configured ``CORS_ALLOWED_ORIGINS``."""
    locale: Mapped[str] = mapped_column(String(16), default="en")
    anonymous_allowed: Mapped[bool] = mapped_column(Boolean, default=True)
    policy: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """Overrides in the shape of ``Policy.from_overrides``'s argument, plus
    ``new_commenter_premoderation`` (the first N comments of a commenter are held)."""
    spam: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """The spam rules (``service.comments.spam.SpamSettings``); None: the defaults."""
    readers: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """Reports and appeals (``service.comments.readers.ReaderSettings``); None: defaults."""
    sso_secret: Mapped[str] = mapped_column(String(64), default=new_sso_secret)
    """Signs the commenters' tokens (HS256), so it is kept in clear; rotatable."""
    token_max_age: Mapped[int] = mapped_column(default=DEFAULT_TOKEN_MAX_AGE,
                                               server_default=str(DEFAULT_TOKEN_MAX_AGE))
    """The longest life of a commenter's token, in seconds: one issued (``iat``) longer
    ago, or valid (``exp``) for longer from now, is refused."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(80), default="")

    @property
    def new_commenter_premoderation(self) -> int:
        """How many first comments of a commenter are held (0: none)."""
        return int((self.policy or {}).get("new_commenter_premoderation") or 0)

    def public_dict(self) -> dict[str, Any]:
        """What the public listing shows of the site."""
        return {"slug": self.slug, "locale": self.locale,
                "anonymous_allowed": self.anonymous_allowed}

    def summary(self) -> dict[str, Any]:
        """The site as lists show it: never its secret."""
        return {"slug": self.slug, "name": self.name, "origins": self.origins,
                "locale": self.locale, "anonymous_allowed": self.anonymous_allowed,
                "token_max_age": self.token_max_age, "created_at": iso(self.created_at),
                "updated_at": iso(self.updated_at), "updated_by": self.updated_by}
