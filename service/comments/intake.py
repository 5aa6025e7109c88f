"""What a new comment's POST reads before it writes: one statement, no cache.

The site (by its slug), the thread the comment joins (if it exists yet) and how many
of the thread's comments wait to be scored (counted up to the limit only) come back
in one row, in the comment's transaction: the site and thread gates and the flood
check of ``service.comments.abuse`` decide on it. Three statements cost a POST about
0.7 ms of CPU, mostly SQLAlchemy's work per statement; this one about a third of that.
Nothing is kept between requests, so a site changed or a thread closed counts from the
next POST on, in every process.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, bindparam, literal, select
from sqlalchemy.orm import Session

from service.comments.abuse import pending_count
from service.sites.models import SLUG, Site
from service.sites.services import site_not_found
from service.threads.models import Thread


@dataclass(frozen=True)
class Gate:
    """The site, its thread (None: not made yet) and the thread's pending comments
    (counted up to the limit; None when there is no limit)."""

    site: Site
    thread: Thread | None
    pending: int | None


def read_gate(session: Session, slug: str, thread_id: str, pending_limit: int) -> Gate:
    """The site ``slug``, its thread ``thread_id`` and the thread's pending count.

    Args:
        session: the request's session (the statement opens its transaction).
        slug: the site's slug, from the path.
        thread_id: a valid thread id.
        pending_limit: ``MAX_PENDING_PER_THREAD`` (0 or less: not counted).

    Raises:
        APIError: 404 ``site_not_found`` (``site_not_found()``) when no site has that slug.
    """
    row = None
    if SLUG.fullmatch(slug):
        counted = pending_limit > 0
        row = session.execute(_gate_statement(counted), {
            "slug": slug, "key": thread_id, "limit": max(pending_limit, 1)}).first()
    if row is None:
        raise site_not_found()
    return Gate(site=row[0], thread=row[1], pending=row[2] if counted else None)


@functools.cache  # built once: building costs more than running it
def _gate_statement(counted: bool) -> Select[tuple[Site, Thread, Any]]:
    pending: Any = literal(None)
    if counted:
        # The site's id by its slug again (uncorrelated: SQLite and PostgreSQL both
        # take it as a constant and use ix_comments_thread_status_created).
        site_id = select(Site.id).where(Site.slug == bindparam("slug")).scalar_subquery()
        pending = pending_count(site_id, bindparam("key")).scalar_subquery()
    return (select(Site, Thread, pending)
            .outerjoin(Thread, and_(Thread.site_id == Site.id, Thread.key == bindparam("key")))
            .where(Site.slug == bindparam("slug")))
