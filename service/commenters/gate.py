"""Who posts a new comment: a signed-in commenter (a verified token) or an anonymous name.

Called from the POST path (``service.comments``) inside the comment's transaction.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.commenters.models import Commenter, Standing
from service.commenters.tokens import InvalidToken, bearer_token, verify
from service.db import find_or_add, utcnow
from service.errors import APIError
from service.sites.models import Site


def find_commenter(session: Session, site_id: int, sub: str) -> Commenter | None:
    """The commenter ``sub`` of the site, if they ever commented signed in."""
    return session.scalar(select(Commenter).where(Commenter.site_id == site_id,
                                                  Commenter.sub == sub))


def identify(session: Session, site: Site, authorization: str | None) -> Commenter | None:
    """The commenter that the request's ``Authorization: Bearer <JWT>`` signs in, made on
    their first comment (their name follows their latest token); None when anonymous.

    Raises:
        APIError: 401 ``invalid_token`` for a bad, expired or foreign token; 401
            ``sign_in_required`` when the site takes no anonymous comments; 403
            ``commenter_banned`` for a banned commenter.
    """
    try:
        token = bearer_token(authorization)
        identity = verify(token, site.sso_secret, site.token_max_age) if token is not None else None
    except InvalidToken as error:
        raise APIError(401, "invalid_token", f"Sign in again: {error}.") from None
    if identity is None:
        if not site.anonymous_allowed:
            raise APIError(401, "sign_in_required", "This site takes comments from signed-in "
                           "readers only: send Authorization: Bearer <token>.")
        return None
    # made once, even when their first two comments come at once
    commenter = find_or_add(
        session, lambda: find_commenter(session, site.id, identity.sub),
        lambda: Commenter(site_id=site.id, sub=identity.sub, name=identity.name))
    if commenter.status == Standing.BANNED:
        raise APIError(403, "commenter_banned", "This commenter may not comment on this site.")
    if commenter.name != identity.name:
        commenter.name, commenter.updated_at = identity.name, utcnow()
    return commenter
