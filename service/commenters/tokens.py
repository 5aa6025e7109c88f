"""Commenters' tokens: JWTs the publisher signs (HS256, the site's SSO secret) for a reader.

A token carries ``sub`` (the publisher's user id), ``name`` (shown with the comments)
and ``exp``. PyJWT checks the signature, the algorithm and the expiry; this module
checks the claims' shapes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import jwt

from service.text import is_blank, strip_invisible

ALGORITHM = "HS256"
REQUIRED_CLAIMS = ("sub", "name", "exp")
MAX_SUB = 200
MAX_NAME = 80
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
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


def verify(token: str, secret: str) -> Identity:
    """The identity in ``token``, once its signature (HS256 with ``secret``) and expiry hold.

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
    sub, name = claims.get("sub"), claims.get("name")
    if not isinstance(sub, str) or not 1 <= len(sub) <= MAX_SUB or is_blank(sub):
        raise InvalidToken(f"the claim 'sub' must be text of 1 to {MAX_SUB} characters")
    if not isinstance(name, str):
        raise InvalidToken("the claim 'name' must be text")
    if _CONTROL.search(name):
        raise InvalidToken("the claim 'name' must not contain control characters")
    name = " ".join(strip_invisible(name).split())
    if not 1 <= len(name) <= MAX_NAME or is_blank(name):
        raise InvalidToken(f"the claim 'name' must be 1 to {MAX_NAME} visible characters")
    return Identity(sub, name)
