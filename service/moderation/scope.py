"""The sites a moderation view covers: those the moderator reaches, or the one chosen.

Admins reach every site; a moderator only the sites given to them. Whatever lies out
of reach is answered as if it did not exist: 404 in the API and on the dashboard.
"""

from __future__ import annotations

import uuid

from flask import abort
from sqlalchemy import ColumnElement, true
from sqlalchemy.orm import InstrumentedAttribute, Session

from service.accounts.models import Moderator
from service.accounts.reach import chosen_site, reachable_site_ids, reaches, site_in_reach
from service.comments.models import Comment
from service.comments.services import find_comment
from service.errors import APIError

Scope = set[int] | None
"""Site ids; None: every site."""


def api_scope(session: Session, moderator: Moderator, slug: str | None) -> Scope:
    """The sites an API request covers: the site ``slug`` (``?site=``), else all in reach.

    Raises:
        APIError: 404 ``site_not_found`` for a site that does not exist or is out of reach.
    """
    if slug:
        return {site_in_reach(session, moderator, slug).id}
    return reachable_site_ids(moderator)


def dashboard_scope(session: Session, moderator: Moderator) -> Scope:
    """The sites a dashboard page covers: the site chosen with the switcher, else all
    the moderator reaches."""
    site = chosen_site(session, moderator)
    return {site.id} if site is not None else reachable_site_ids(moderator)


def in_scope(column: InstrumentedAttribute[int], scope: Scope) -> ColumnElement[bool]:
    """A WHERE clause keeping the rows whose site (``column``) is in ``scope``."""
    return true() if scope is None else column.in_(sorted(scope))


def comment_in_reach(comment_id: str, moderator: Moderator) -> Comment:
    """The comment with that id, for the moderation API.

    Raises:
        APIError: 404 when there is none, or its site is out of ``moderator``'s reach.
    """
    comment = find_comment(comment_id)
    if not reaches(moderator, comment.site_id):
        raise APIError(404, "not_found", "No comment has that id.")
    return comment


def dashboard_comment(session: Session, comment_id: uuid.UUID, moderator: Moderator) -> Comment:
    """The comment with that id, for a dashboard page; 404 when missing or out of reach."""
    comment = session.get(Comment, comment_id)
    if comment is None or not reaches(moderator, comment.site_id):
        abort(404, "No comment has that id.")
    return comment
