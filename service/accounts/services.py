"""Moderator accounts: passwords, login lockout, and API tokens.

Passwords are kept as Argon2id hashes. A name that fails to log in ``MAX_FAILURES``
times within ``FAILURE_WINDOW`` is locked for ``LOCKOUT`` (``service.accounts.lockout``),
whether or not such a moderator exists, so that the answer tells nothing about which
names are real.
Tokens are 256-bit random strings shown once; only their SHA-256 is stored.
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from service.accounts import lockout
from service.accounts.audit import Action, record
from service.accounts.lockout import FAILURE_WINDOW as FAILURE_WINDOW  # re-exported
from service.accounts.lockout import LOCKOUT as LOCKOUT
from service.accounts.lockout import MAX_FAILURES as MAX_FAILURES
from service.accounts.models import ApiToken, Moderator, Role
from service.db import iso, utcnow
from service.policy import MODEL_ACTOR, RESCORING_ACTOR
from service.sites.models import DEFAULT_SLUG
from service.sites.services import site_by_slug

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
TOKEN_PREFIX = "mod_"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,79}$")
CLI_ACTOR = "cli"
"""The actor of what is done with the ``moderation`` command."""
RESERVED_NAMES = frozenset({MODEL_ACTOR, RESCORING_ACTOR, CLI_ACTOR})
LAST_USED_GRAIN = timedelta(minutes=1)
DURATION = re.compile(r"([0-9]{1,6})([mhdw])")
DURATION_UNITS = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1),
                  "w": timedelta(weeks=1)}

_hasher = PasswordHasher()


class AccountError(ValueError):
    """A name, password or role that cannot be used; the message says why."""


@dataclass(frozen=True)
class Login:
    """The outcome of a login attempt: the moderator, or None and maybe a lock's end."""

    moderator: Moderator | None
    locked_until: datetime | None = None


def add_moderator(session: Session, name: str, password: str, role: str, *,
                  by: str = CLI_ACTOR, sites: Sequence[str] = ()) -> Moderator:
    """Add a moderator to the session, who reaches the sites named in ``sites`` (slugs;
    none given: the site ``default``). Admins reach every site, so they are given none.

    Raises:
        AccountError: for a name taken or not allowed, a short password, an unknown role,
            an unknown site, or sites named for an admin (who would reach every site all
            the same: naming some suggests otherwise).
    """
    if not NAME.fullmatch(name) or name.lower() in RESERVED_NAMES:
        raise AccountError("a name has 1 to 80 letters, digits, '.', '_', '@' or '-', and is "
                           f"not one of {', '.join(sorted(RESERVED_NAMES))}")
    if role not in set(Role):
        raise AccountError(f"role must be one of {', '.join(Role)}")
    if role == Role.ADMIN and sites:
        raise AccountError("an admin sees and decides every site, so --site does not apply; "
                           "for some sites only, add a moderator (--role moderator)")
    check_password(password)
    if session.scalar(select(Moderator.id).where(Moderator.name == name)) is not None:
        raise AccountError(f"a moderator named {name!r} exists already")
    reached = []
    for slug in dict.fromkeys(sites or [DEFAULT_SLUG]):
        site = site_by_slug(session, slug)
        if site is None:
            raise AccountError(f"no site {slug!r}; add it with `moderation sites add`")
        reached.append(site)
    moderator = Moderator(name=name, password_hash=_hasher.hash(password), role=role,
                          created_at=utcnow(), sites=reached)
    session.add(moderator)
    record(session, actor=by, action=Action.MODERATOR_ADDED, subject=name,
           details={"role": role, "sites": [site.slug for site in reached]})
    return moderator


def check_password(password: str) -> None:
    """Raises AccountError unless ``password`` is long enough to be used."""
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise AccountError(f"a password has {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} "
                           "characters")


def authenticate(session: Session, name: str, password: str, address: str = "") -> Login:
    """Check a name and password from ``address``; the attempt is audited (commit it).

    A name locked for that address is refused without looking at the password; the
    check and the count are atomic (``service.accounts.lockout``).
    """
    now = utcnow()
    attempt, until = lockout.reserve(session, name, address[:80], now)
    if until:
        lockout.finish(session, attempt, Action.LOGIN_REFUSED, now)
        attempt.reason = "locked"
        return Login(None, until)
    moderator = session.scalar(select(Moderator).where(Moderator.name == name))
    try:
        _hasher.verify(moderator.password_hash if moderator else _decoy_hash(), password)
    except (VerificationError, InvalidHashError):
        moderator = None
    if moderator is None or not moderator.is_active:
        return Login(None, lockout.finish(session, attempt, Action.LOGIN_FAILED, now))
    if _hasher.check_needs_rehash(moderator.password_hash):
        moderator.password_hash = _hasher.hash(password)
    lockout.finish(session, attempt, Action.LOGIN, now)
    return Login(moderator)


@functools.cache
def _decoy_hash() -> str:
    """A hash checked when the name is unknown, so that it takes as long as a known one."""
    return _hasher.hash(secrets.token_hex(16))


def end_sessions(session: Session, moderator: Moderator) -> None:
    """End every dashboard session of ``moderator`` (their cookies stop working)."""
    moderator.session_generation = (moderator.session_generation or 0) + 1
    session.add(moderator)


def set_password(session: Session, moderator: Moderator, password: str, *, by: str) -> None:
    """Change ``moderator``'s password and end their sessions.

    Raises:
        AccountError: for a password too short or too long.
    """
    check_password(password)
    moderator.password_hash = _hasher.hash(password)
    end_sessions(session, moderator)
    record(session, actor=by, action=Action.PASSWORD_CHANGED, subject=moderator.name)


def set_disabled(session: Session, moderator: Moderator, disabled: bool, *, by: str) -> None:
    """Disable ``moderator`` (no login, sessions and tokens refused) or enable them again."""
    moderator.disabled_at = utcnow() if disabled else None
    end_sessions(session, moderator)
    record(session, actor=by, subject=moderator.name,
           action=Action.MODERATOR_DISABLED if disabled else Action.MODERATOR_ENABLED)


def create_token(session: Session, moderator: Moderator, *, by: str,
                 expires_in: timedelta | None = None) -> tuple[ApiToken, str]:
    """Make an API token for ``moderator``; return it and its secret (shown only once).

    Args:
        expires_in: how long it works; None: until it is revoked.
    """
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(moderator=moderator, token_hash=secret_digest(secret), hint=secret[:10],
                     created_at=now, expires_at=now + expires_in if expires_in else None)
    session.add(token)
    session.flush()
    record(session, actor=by, action=Action.TOKEN_CREATED, subject=str(token.id),
           details={"moderator": moderator.name, "hint": token.hint,
                    "expires_at": iso(token.expires_at)})
    return token, secret


def parse_duration(text: str) -> timedelta:
    """``30d``, ``12h``, ``90m`` or ``2w`` as a timedelta.

    Raises:
        AccountError: for anything else.
    """
    match = DURATION.fullmatch(text.strip())
    if not match or int(match.group(1)) == 0:
        raise AccountError("a duration is a whole number and a unit: 90m, 12h, 30d or 2w")
    return int(match.group(1)) * DURATION_UNITS[match.group(2)]


def revoke_token(session: Session, token: ApiToken, *, by: str) -> bool:
    """Revoke ``token`` at once; return False when it was revoked already."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    record(session, actor=by, action=Action.TOKEN_REVOKED, subject=str(token.id),
           details={"moderator": token.moderator.name, "hint": token.hint})
    return True


def token_owner(session: Session, secret: str) -> Moderator | None:
    """The active moderator whose unexpired, unrevoked token ``secret`` is, else None.

    Notes the token's use in the session (at most once a minute): commit it.
    """
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    now = utcnow()
    token = session.scalar(
        select(ApiToken).join(Moderator)
        .where(ApiToken.token_hash == secret_digest(secret), ApiToken.revoked_at.is_(None),
               or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now),
               Moderator.disabled_at.is_(None))
    )
    if token is None:
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_GRAIN:
        token.last_used_at = now
    return token.moderator


def secret_digest(secret: str) -> str:
    """How a bearer secret (a token, an API key) is stored: its sha256, never itself."""
    return hashlib.sha256(secret.encode()).hexdigest()
