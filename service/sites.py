"""The site's settings in force: the policy, and the origins that may embed the widget.

The environment gives the defaults (``MODERATION_THRESHOLDS``, ``CORS_ALLOWED_ORIGINS``);
the admins' settings, saved from the dashboard in the single ``site_settings`` row,
take precedence over them from the next comment scored on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from service.db import Base, utcnow
from service.policy import Policy

SITE_ID = 1


class SiteSettings(Base):
    """The admins' settings: the site has one row, ``id`` 1."""

    __tablename__ = "site_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    policy: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """Overrides in the shape of ``Policy.from_overrides``'s argument."""
    allowed_origins: Mapped[list[str] | None] = mapped_column(JSON)
    """None: the configured origins."""
    spam: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """The spam rules (``service.comments.spam.SpamSettings``); None: the defaults."""
    readers: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """Reports and appeals (``service.comments.readers.ReaderSettings``); None: defaults."""
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(80), default="")


def current_policy(session: Session, config: Mapping[str, Any]) -> Policy:
    """The policy for the next comment scored: the admins' settings over the configured ones."""
    saved = session.get(SiteSettings, SITE_ID)
    return Policy.from_overrides(_merged(config["MODERATION_THRESHOLDS"],
                                         saved.policy if saved else {}))


def allowed_origins(session: Session, config: Mapping[str, Any]) -> list[str]:
    """Origins whose pages may call the public API from the widget."""
    saved = session.get(SiteSettings, SITE_ID)
    if saved is not None and saved.allowed_origins is not None:
        return list(saved.allowed_origins)
    return list(config["CORS_ALLOWED_ORIGINS"])


def save_settings(session: Session, *, policy: Policy, origins: Iterable[str],
                  by: str) -> SiteSettings:
    """Keep ``policy`` and ``origins`` as the site's settings (the caller commits)."""
    saved = session.get(SiteSettings, SITE_ID) or SiteSettings(id=SITE_ID)
    recorded = policy.as_dict()
    if policy.target is not None:  # the target's thresholds follow the target
        recorded = {k: v for k, v in recorded.items() if k not in {"hold", "reject"}}
    saved.policy = recorded | {"banned_words": list(policy.banned_words),
                               "suspect_words": list(policy.suspect_words)}
    saved.allowed_origins = list(origins)
    saved.updated_at, saved.updated_by = utcnow(), by
    session.add(saved)
    return saved


def check_origin(origin: str) -> str:
    """``origin`` as ``scheme://host[:port]``.

    Raises:
        ValueError: unless it is an http(s) origin, with no path, query or user.
    """
    parts = urlsplit(origin.strip())
    if (parts.scheme not in {"http", "https"} or not parts.hostname or parts.username
            or parts.path not in {"", "/"} or parts.query or parts.fragment):
        raise ValueError(f"{origin!r} is not an origin like https://news.example.com")
    return f"{parts.scheme}://{parts.netloc.lower()}"


def _merged(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    if "target" in override:  # a chosen target replaces the configured thresholds
        merged = {k: v for k, v in merged.items() if k not in {"hold", "reject"}}
    for key, value in override.items():
        if key in {"hold", "reject"}:
            merged[key] = {**(base.get(key) or {}), **value}
        else:
            merged[key] = value
    return merged
