"""The site of a moderation URL, as the moderator asking may see it."""

from __future__ import annotations

from sqlalchemy.orm import Session

from service.accounts.models import Moderator
from service.errors import APIError
from service.sites.models import Site
from service.sites.services import site_by_slug


def moderated_site(session: Session, moderator: Moderator, slug: str) -> Site:
    """The site ``slug``, if ``moderator`` moderates it (an admin moderates every site).

    Raises:
        APIError: 404 ``site_not_found`` for an unknown site or another moderator's, so
            that a moderator cannot learn which sites exist.
    """
    site = site_by_slug(session, slug) if len(slug) <= 64 else None
    if site is None or not (moderator.is_admin or any(
            mine.id == site.id for mine in moderator.sites)):
        raise APIError(404, "site_not_found", "No site of yours has that name.")
    return site
