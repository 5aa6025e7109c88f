"""The audit log: who did what, when and why."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from service.accounts.models import AuditEntry
from service.db import utcnow


class Action(StrEnum):
    APPROVED = "comment.approved"
    REJECTED = "comment.rejected"
    LOGIN = "login"
    LOGIN_ATTEMPT = "login.attempt"
    LOGIN_FAILED = "login.failed"
    LOCKOUT = "login.lockout"
    LOGIN_REFUSED = "login.refused"
    LOGOUT = "logout"
    MODERATOR_ADDED = "moderator.added"
    MODERATOR_DISABLED = "moderator.disabled"
    MODERATOR_ENABLED = "moderator.enabled"
    PASSWORD_CHANGED = "password.changed"
    TOKEN_CREATED = "token.created"
    TOKEN_REVOKED = "token.revoked"
    SETTINGS_CHANGED = "settings.changed"


def record(session: Session, *, actor: str, action: str, subject: str | None = None,
           reason: str = "", details: dict[str, Any] | None = None) -> AuditEntry:
    """Add an entry to the session; the caller commits it with the action itself."""
    entry = AuditEntry(actor=actor[:80], action=action, subject=subject, reason=reason,
                       details=details, created_at=utcnow())
    session.add(entry)
    return entry
