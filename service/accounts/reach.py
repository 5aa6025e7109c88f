"""Which sites a moderator reaches: admins every site, moderators the sites they are given.

A comment, appeal, report or thread of a site out of reach is answered as if it did not
exist (404), in the API and the dashboard alike.
"""

from __future__ import annotations

from flask import session as flask_session
from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session

from service.accounts.models import Moderator
from service.sites.models import Site
from service.sites.services import site_by_slug, site_not_found


def reachable_site_ids(moderator: Moderator) -> set[int] | None:
    """The ids of the sites ``moderator`` sees; None: every site (an admin)."""
    if moderator.is_admin:
        return None
    return {site.id for site in moderator.sites}


def reaches(moderator: Moderator, site_id: int) -> bool:
    """Whether ``moderator`` sees and decides the site ``site_id``."""
    reachable = reachable_site_ids(moderator)
    return reachable is None or site_id in reachable


def in_reach(moderator: Moderator, column: InstrumentedAttribute[int]) -> ColumnElement[bool]:
    """A WHERE clause keeping the rows whose site (``column``) ``moderator`` reaches."""
    reachable = reachable_site_ids(moderator)
    return true() if reachable is None else column.in_(sorted(reachable))


def site_in_reach(session: Session, moderator: Moderator, slug: str) -> Site:
    """The site named ``slug``, if ``moderator`` reaches it.

    Raises:
        APIError: 404 ``site_not_found`` when there is no such site, or it is out of reach.
    """
    site = site_by_slug(session, slug)
    if site is None or not reaches(moderator, site.id):
        raise site_not_found()
    return site


CHOSEN_SITE = "dashboard_site"
"""The dashboard session's key of the site chosen with the site switcher ("": all)."""


def sites_in_reach(session: Session, moderator: Moderator) -> list[Site]:
    """The sites ``moderator`` reaches, by slug."""
    reachable = reachable_site_ids(moderator)
    query = select(Site).order_by(Site.slug)
    if reachable is not None:
        query = query.where(Site.id.in_(sorted(reachable)))
    return list(session.scalars(query))


def chosen_site(session: Session, moderator: Moderator) -> Site | None:
    """The site chosen with the dashboard's switcher, if still in reach; None: all sites."""
    slug = flask_session.get(CHOSEN_SITE) or ""
    site = site_by_slug(session, slug) if slug else None
    if site is None or not reaches(moderator, site.id):
        return None
    return site


def choose_site(session: Session, moderator: Moderator, slug: str) -> Site | None:
    """Keep ``slug`` ("": all sites) as the dashboard's chosen site.

    Raises:
        APIError: 404 when the site does not exist or is out of reach.
    """
    site = site_in_reach(session, moderator, slug) if slug else None
    flask_session[CHOSEN_SITE] = site.slug if site else ""
    return site
