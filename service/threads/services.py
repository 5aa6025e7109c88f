"""Threads for moderators: their rules (closed, pre-moderated), headlines and counts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select, tuple_
from sqlalchemy.orm import Session

from service.accounts import audit
from service.comments.models import Comment
from service.sites.models import Site
from service.threads.gate import find_thread
from service.threads.models import Thread
from service.threads.schemas import ThreadChange

THREAD_UPDATED = "thread.updated"
"""The audit log's action of a thread's change."""
FIELDS = ("title", "url", "closed", "premoderation")


def update_thread(session: Session, site: Site, key: str, change: ThreadChange,
                  actor: str) -> Thread:
    """Apply ``change`` to the site's thread ``key`` (made if it has no comment yet, so that
    a thread can be closed or pre-moderated in advance), audited; the caller commits."""
    thread = find_thread(session, site.id, key)
    if thread is None:
        thread = Thread(site_id=site.id, key=key, closed=False, premoderation=False)
        session.add(thread)
    before = {name: getattr(thread, name) for name in FIELDS}
    for name in change.model_fields_set:
        setattr(thread, name, getattr(change, name))
    after = {name: getattr(thread, name) for name in FIELDS}
    session.flush()
    audit.record(session, actor=actor, action=THREAD_UPDATED, subject=f"thread:{thread.id}",
                 details={"site": site.slug, "thread_id": key, "before": before,
                          "after": after})
    return thread


def status_counts(session: Session, site_id: int, key: str) -> dict[str, int]:
    """How many of the thread's comments are in each status."""
    counts = counts_by_thread(session, [(site_id, key)])
    return counts.get((site_id, key), {})


def counts_by_thread(session: Session, threads: Iterable[tuple[int, str]]
                     ) -> dict[tuple[int, str], dict[str, int]]:
    """``{(site_id, key): {status: n}}`` for the threads named, in one query."""
    wanted = list(set(threads))
    if not wanted:
        return {}
    rows = session.execute(
        select(Comment.site_id, Comment.thread_id, Comment.status, func.count())
        .where(tuple_(Comment.site_id, Comment.thread_id).in_(wanted))
        .group_by(Comment.site_id, Comment.thread_id, Comment.status))
    counts: dict[tuple[int, str], dict[str, int]] = {}
    for site_id, key, status, number in rows:
        counts.setdefault((site_id, key), {})[status] = number
    return counts


def threads_by_key(session: Session, threads: Iterable[tuple[int, str]]
                   ) -> dict[tuple[int, str], Thread]:
    """The threads named by ``(site_id, key)``, in one query (missing ones left out)."""
    wanted = list(set(threads))
    if not wanted:
        return {}
    return {(thread.site_id, thread.key): thread for thread in session.scalars(
        select(Thread).where(tuple_(Thread.site_id, Thread.key).in_(wanted)))}


def thread_view(session: Session, site: Site, key: str) -> dict[str, Any]:
    """The thread as the moderation API shows it, with its comments' counts per status."""
    thread = find_thread(session, site.id, key)
    data = (thread.as_dict() if thread is not None else
            {"id": key, "title": None, "url": None, "closed": False, "premoderation": False,
             "created_at": None})
    return data | {"site": site.slug, "counts": status_counts(session, site.id, key)}


@dataclass(frozen=True)
class Headline:
    """What the queue shows of a comment's thread: its headline, link and counts."""

    site: str
    key: str
    title: str | None
    url: str | None
    closed: bool
    counts: dict[str, int]


def headlines(session: Session, comments: Iterable[Comment]
              ) -> dict[tuple[int, str], Headline]:
    """``{(site_id, key): Headline}`` of the comments' threads, in three queries."""
    return headlines_of(session, {(comment.site_id, comment.thread_id) for comment in comments})


def headlines_of(session: Session, keys: Iterable[tuple[int, str]]
                 ) -> dict[tuple[int, str], Headline]:
    """``{(site_id, key): Headline}`` of the threads named, in three queries."""
    keys = set(keys)
    if not keys:
        return {}
    threads = threads_by_key(session, keys)
    counts = counts_by_thread(session, keys)
    slugs = dict(session.execute(select(Site.id, Site.slug).where(
        Site.id.in_({site_id for site_id, _ in keys}))).tuples().all())
    found = {}
    for site_id, key in keys:
        thread = threads.get((site_id, key))
        found[(site_id, key)] = Headline(
            slugs.get(site_id, ""), key, thread.title if thread else None,
            thread.url if thread else None, bool(thread and thread.closed),
            counts.get((site_id, key), {}))
    return found


THREAD_LIST_LIMIT = 100


def busiest_threads(session: Session, site_ids: set[int] | None,
                    limit: int = THREAD_LIST_LIMIT) -> list[tuple[Headline, Thread | None]]:
    """The threads of ``site_ids`` (None: every site) with comments, those with the most
    held comments first, then the newest; each with its headline and counts."""
    held = func.sum(case((Comment.status == "held", 1), else_=0))
    query = (select(Comment.site_id, Comment.thread_id)
             .group_by(Comment.site_id, Comment.thread_id)
             .order_by(held.desc(), func.max(Comment.created_at).desc()).limit(limit))
    if site_ids is not None:
        query = query.where(Comment.site_id.in_(sorted(site_ids)))
    keys = [(site_id, key) for site_id, key in session.execute(query)]
    found = headlines_of(session, keys)
    threads = threads_by_key(session, keys)
    return [(found[key], threads.get(key)) for key in keys]
