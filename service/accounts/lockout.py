"""Login lockout, counted in the audit log and decided atomically per name.

Every attempt is written as ``login.attempt`` *before* its password is checked, in a
transaction that holds a per-name lock (PostgreSQL: an advisory lock; SQLite: the
write lock its insert takes), and counted there: of 30 parallel guesses, only the
first ``MAX_FAILURES`` are checked. The row then becomes ``login``, ``login.failed``
or ``login.refused``.

A name is locked for the address that failed (``MAX_FAILURES`` in ``FAILURE_WINDOW``),
so that nobody locks a moderator out from their own address; and for everyone after
``MAX_FAILURES_PER_NAME`` failures from anywhere. Per-address request limits
(``RATE_LIMIT_LOGIN``) are applied in front of this by the login view.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, text
from sqlalchemy.orm import Session

from service.accounts.audit import Action, record
from service.accounts.models import AuditEntry
from service.db import iso

MAX_FAILURES = 5
MAX_FAILURES_PER_NAME = 50
FAILURE_WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)
EVERYWHERE = "*"
"""The subject of a lockout that holds for every address."""
COUNTED = (Action.LOGIN_ATTEMPT, Action.LOGIN_FAILED)


def reserve(session: Session, name: str, address: str,
            now: datetime) -> tuple[AuditEntry, datetime | None]:
    """Record an attempt and decide whether its password may be checked; commits.

    Returns:
        The attempt's audit entry (``finish`` it), and when the lock ends if the name
        is locked for this address (the password must then not be checked).
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:name))"),
                        {"name": name[:80]})
    entry = record(session, actor=name, action=Action.LOGIN_ATTEMPT, subject=address)
    session.flush()
    over = (_count(session, name, address, now, entry.id) > MAX_FAILURES
            or _count(session, name, None, now, entry.id) > MAX_FAILURES_PER_NAME)
    # After the counts: a lockout that another attempt's failure commits meanwhile (outside
    # this lock) resets the counts, so the statement after them must see it too.
    until = locked_until(session, name, address, now)
    if until is None and over:
        until = now + LOCKOUT  # others ahead of this attempt will have locked it
    session.commit()
    return entry, until


def finish(session: Session, entry: AuditEntry, action: Action, now: datetime) -> datetime | None:
    """Turn the attempt into ``action``; after a failure, lock the name when it is due.

    Returns:
        When the lock that this failure set ends, else None.
    """
    entry.action = action
    session.flush()
    if action != Action.LOGIN_FAILED:
        return None
    for address, limit in ((entry.subject, MAX_FAILURES), (None, MAX_FAILURES_PER_NAME)):
        failures = _count(session, entry.actor, address, now, entry.id)
        if failures >= limit:
            until = now + LOCKOUT
            record(session, actor=entry.actor, action=Action.LOCKOUT,
                   subject=address or EVERYWHERE,
                   reason=f"{failures} failed logins within "
                          f"{FAILURE_WINDOW.seconds // 60} minutes",
                   details={"until": iso(until), "address": address})
            return until
    return None


def locked_until(session: Session, name: str, address: str, now: datetime) -> datetime | None:
    """When the lock on ``name`` for ``address`` ends, or None when it is not locked."""
    locked_at = session.scalar(
        select(func.max(AuditEntry.created_at))
        .where(AuditEntry.actor == name[:80], AuditEntry.action == Action.LOCKOUT,
               AuditEntry.subject.in_([address, EVERYWHERE]),
               AuditEntry.created_at > now - LOCKOUT)
    )
    return locked_at + LOCKOUT if locked_at else None


def _count(session: Session, name: str, address: str | None, now: datetime,
           upto: int) -> int:
    """Attempts and failures of ``name`` (from ``address``, else from anywhere) in the
    window, since its last login or lockout, up to the entry ``upto``."""
    scope = [AuditEntry.actor == name[:80]]
    if address is not None:
        scope.append(AuditEntry.subject == address)
    resets = [Action.LOGIN, Action.LOCKOUT]
    since = session.scalar(
        select(func.max(AuditEntry.id)).where(*scope, AuditEntry.action.in_(resets),
                                              AuditEntry.id < upto,
                                              or_(AuditEntry.action == Action.LOGIN,
                                                  AuditEntry.subject == (address or EVERYWHERE)))
    ) or 0
    return session.execute(
        select(func.count()).select_from(AuditEntry)
        .where(*scope, AuditEntry.action.in_(COUNTED), AuditEntry.id > since,
               AuditEntry.id <= upto, AuditEntry.created_at > now - FAILURE_WINDOW)
    ).scalar_one()
