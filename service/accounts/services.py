"""Moderator accounts: passwords, login lockout, and API tokens.

Passwords are kept as Argon2id hashes. A name that fails to log in ``MAX_FAILURES``
times within ``FAILURE_WINDOW`` is locked for ``LOCKOUT``, whether or not such a
moderator exists, so that the answer tells nothing about which names are real.
Tokens are 256-bit random strings shown once; only their SHA-256 is stored.
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.accounts.audit import Action, record
from service.accounts.models import ApiToken, AuditEntry, Moderator, Role
from service.db import iso, utcnow
from service.policy import MODEL_ACTOR

MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
TOKEN_PREFIX = "mod_"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,79}$")
CLI_ACTOR = "cli"
"""The actor of what is done with the ``moderation`` command."""
RESERVED_NAMES = frozenset({MODEL_ACTOR, CLI_ACTOR})

_hasher = PasswordHasher()


class AccountError(ValueError):
    """A name, password or role that cannot be used; the message says why."""


@dataclass(frozen=True)
class Login:
    """The outcome of a login attempt: the moderator, or None and maybe a lock's end."""

    moderator: Moderator | None
    locked_until: datetime | None = None


def add_moderator(session: Session, name: str, password: str, role: str, *,
                  by: str = CLI_ACTOR) -> Moderator:
    """Add a moderator to the session.

    Raises:
        AccountError: for a name taken or not allowed, a short password or an unknown role.
    """
    if not NAME.fullmatch(name) or name.lower() in RESERVED_NAMES:
        raise AccountError("a name has 1 to 80 letters, digits, '.', '_', '@' or '-', and is "
                           f"not one of {', '.join(sorted(RESERVED_NAMES))}")
    if role not in set(Role):
        raise AccountError(f"role must be one of {', '.join(Role)}")
    check_password(password)
    if session.scalar(select(Moderator.id).where(Moderator.name == name)) is not None:
        raise AccountError(f"a moderator named {name!r} exists already")
    moderator = Moderator(name=name, password_hash=_hasher.hash(password), role=role,
                          created_at=utcnow())
    session.add(moderator)
    record(session, actor=by, action=Action.MODERATOR_ADDED, subject=name,
           details={"role": role})
    return moderator


def check_password(password: str) -> None:
    """Raises AccountError unless ``password`` is long enough to be used."""
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise AccountError(f"a password has {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} "
                           "characters")


def authenticate(session: Session, name: str, password: str) -> Login:
    """Check a name and password; the attempt is audited in the session (commit it).

    A locked name is refused without looking at the password.
    """
    now = utcnow()
    if until := locked_until(session, name, now):
        record(session, actor=name, action=Action.LOGIN_REFUSED, reason="locked")
        return Login(None, until)
    moderator = session.scalar(select(Moderator).where(Moderator.name == name))
    try:
        _hasher.verify(moderator.password_hash if moderator else _decoy_hash(), password)
    except (VerificationError, InvalidHashError):
        moderator = None
    if moderator is None:
        return Login(None, _count_failure(session, name, now))
    if _hasher.check_needs_rehash(moderator.password_hash):
        moderator.password_hash = _hasher.hash(password)
    record(session, actor=name, action=Action.LOGIN)
    return Login(moderator)


def locked_until(session: Session, name: str, now: datetime) -> datetime | None:
    """When the lock on ``name`` ends, or None when it is not locked."""
    locked_at = session.scalar(
        select(func.max(AuditEntry.created_at))
        .where(AuditEntry.actor == name[:80], AuditEntry.action == Action.LOCKOUT,
               AuditEntry.created_at > now - LOCKOUT)
    )
    return locked_at + LOCKOUT if locked_at else None


def _count_failure(session: Session, name: str, now: datetime) -> datetime | None:
    """Record a failed login; lock the name at the last failure allowed."""
    record(session, actor=name, action=Action.LOGIN_FAILED)
    session.flush()
    since = session.scalar(
        select(func.max(AuditEntry.created_at))
        .where(AuditEntry.actor == name[:80],
               AuditEntry.action.in_([Action.LOGIN, Action.LOCKOUT]))
    )
    start = max(since, now - FAILURE_WINDOW) if since else now - FAILURE_WINDOW
    failures = session.execute(
        select(func.count()).select_from(AuditEntry)
        .where(AuditEntry.actor == name[:80], AuditEntry.action == Action.LOGIN_FAILED,
               AuditEntry.created_at > start)
    ).scalar_one()
    if failures < MAX_FAILURES:
        return None
    until = now + LOCKOUT
    record(session, actor=name, action=Action.LOCKOUT,
           reason=f"{failures} failed logins within {FAILURE_WINDOW.seconds // 60} minutes",
           details={"until": iso(until)})
    return until


@functools.cache
def _decoy_hash() -> str:
    """A hash checked when the name is unknown, so that it takes as long as a known one."""
    return _hasher.hash(secrets.token_hex(16))


def create_token(session: Session, moderator: Moderator, *, by: str) -> tuple[ApiToken, str]:
    """Make an API token for ``moderator``; return it and its secret (shown only once)."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(moderator=moderator, token_hash=_digest(secret), hint=secret[:10],
                     created_at=utcnow())
    session.add(token)
    session.flush()
    record(session, actor=by, action=Action.TOKEN_CREATED, subject=str(token.id),
           details={"moderator": moderator.name, "hint": token.hint})
    return token, secret


def revoke_token(session: Session, token: ApiToken, *, by: str) -> bool:
    """Revoke ``token`` at once; return False when it was revoked already."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    record(session, actor=by, action=Action.TOKEN_REVOKED, subject=str(token.id),
           details={"moderator": token.moderator.name, "hint": token.hint})
    return True


def token_owner(session: Session, secret: str) -> Moderator | None:
    """The moderator whose active token ``secret`` is, else None."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    return session.scalar(
        select(Moderator).join(ApiToken)
        .where(ApiToken.token_hash == _digest(secret), ApiToken.revoked_at.is_(None))
    )


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
