"""Commenters' tokens: JWTs the publisher signs (HS256, the site's SSO secret) for a reader.

A token carries ``sub`` (the publisher's user id), ``name`` (shown with the comments)
and ``exp``, and may carry ``iat``. PyJWT checks the signature, the algorithm and the
expiry; this module checks the claims' shapes (``service.textcheck`` for the texts) and
the token's age: a token issued more than the site's ``token_max_age`` ago, or valid
for longer than that from now, is refused, so that a leaked token does not live forever.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import jwt

from service.sites.models import DEFAULT_TOKEN_MAX_AGE
from service.text import is_blank, strip_invisible
from service.textcheck import problem

ALGORITHM = "HS256"
REQUIRED_CLAIMS = ("sub", "name", "exp")
MAX_SUB = 200
MAX_NAME = 80
LEEWAY_SECONDS = 30
"""Clock skew allowed between the publisher's servers and this one."""


class InvalidToken(ValueError):
    """The token is malformed, expired, signed with another secret, or lacks a claim."""


@dataclass(frozen=True)
class Identity:
    """Who a valid token says the reader is."""

    sub: str
    name: str


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header; None without the header.

    Raises:
        InvalidToken: for a header of another scheme or with no token.
    """
    if authorization is None:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidToken("Authorization must be 'Bearer <token>'")
    return token.strip()


def verify(token: str, secret: str, max_age: int = DEFAULT_TOKEN_MAX_AGE) -> Identity:
    """The identity in ``token``, once its signature (HS256 with ``secret``), its expiry
    and its age (at most ``max_age`` seconds, judged by ``iat`` and ``exp``) hold.

    Raises:
        InvalidToken: saying what is wrong, in words fit for the API's answer.
    """
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], leeway=LEEWAY_SECONDS,
                            options={"require": list(REQUIRED_CLAIMS)})
    except jwt.ExpiredSignatureError:
        raise InvalidToken("the token has expired") from None
    except jwt.MissingRequiredClaimError as error:
        raise InvalidToken(f"the token lacks the claim {error.claim!r}") from None
    except jwt.InvalidSignatureError:
        raise InvalidToken("the token's signature does not match this site's secret") from None
    except jwt.InvalidTokenError:
        raise InvalidToken("the token is not a valid HS256 JWT") from None
    _check_age(claims, max_age)
    sub, name = claims.get("sub"), claims.get("name")
    if not isinstance(sub, str) or not 1 <= len(sub) <= MAX_SUB or is_blank(sub):
        raise InvalidToken(f"the claim 'sub' must be text of 1 to {MAX_SUB} characters")
    if found := problem(sub, max_length=MAX_SUB):
        raise InvalidToken(f"the claim 'sub' {found}")
    if not isinstance(name, str):
        raise InvalidToken("the claim 'name' must be text")
    if found := problem(name, max_length=4 * MAX_NAME):
        raise InvalidToken(f"the claim 'name' {found}")
    name = " ".join(strip_invisible(name).split())
    if not 1 <= len(name) <= MAX_NAME or is_blank(name):
        raise InvalidToken(f"the claim 'name' must be 1 to {MAX_NAME} visible characters")
    return Identity(sub, name)


def _check_age(claims: dict[str, object], max_age: int) -> None:
    """Refuse a token older than ``max_age`` seconds, or good for longer than that.

    Raises:
        InvalidToken: for a non-numeric ``exp`` or ``iat`` (PyJWT takes "9999999999"), an
            ``iat`` in the future or too long ago, or an ``exp`` too far ahead.
    """
    now = time.time()
    for claim in ("exp", "iat"):
        value = claims.get(claim)
        if claim in claims and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise InvalidToken(f"the claim {claim!r} must be a number of seconds since 1970")
    exp = claims["exp"]
    if isinstance(exp, int | float) and exp - now > max_age + LEEWAY_SECONDS:
        raise InvalidToken(f"the token is valid for longer than this site allows ({max_age} s)")
    iat = claims.get("iat")
    if isinstance(iat, int | float):
        if iat - now > LEEWAY_SECONDS:
            raise InvalidToken("the token was issued in the future")
        if now - iat > max_age + LEEWAY_SECONDS:
            raise InvalidToken(f"the token is older than this site allows ({max_age} s)")
