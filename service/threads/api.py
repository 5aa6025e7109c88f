"""The threads' moderation API: a thread's rules and headline, and its comments' counts."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from service import db
from service.accounts.auth import acting_moderator, require_token
from service.accounts.reach import site_in_reach
from service.apidoc import Tag
from service.comments.schemas import valid_thread_id
from service.errors import APIError, json_object
from service.threads.responses import Thread, Threads
from service.threads.schemas import ThreadChange
from service.threads.services import busiest_threads, thread_view, update_thread

bp = Blueprint("threads_api", __name__, url_prefix="/api/v1/moderation/sites/<site>/threads")
doc = Tag("threads")
NOT_FOUND = {404: "No site of yours has that slug, or the thread id is malformed."}


@bp.get("")
@doc(Threads, errors=NOT_FOUND)
@require_token()
def list_threads(site: str) -> dict[str, Any]:
    """The site's threads with comments, those with the most held first (at most 100)."""
    session = db.session()
    found = site_in_reach(session, acting_moderator(), site)
    return {"site": found.slug, "threads": [
        {"id": headline.key, "title": headline.title, "url": headline.url,
         "closed": headline.closed, "premoderation": bool(thread and thread.premoderation),
         "counts": headline.counts}
        for headline, thread in busiest_threads(session, {found.id})]}


@bp.get("/<thread_id>")
@doc(Thread, errors=NOT_FOUND)
@require_token()
def get_thread(site: str, thread_id: str) -> dict[str, Any]:
    """The thread: headline, link, closed, pre-moderation, and its comments per status."""
    found = site_in_reach(db.session(), acting_moderator(), site)
    _check(thread_id)
    return thread_view(db.session(), found, thread_id)


@bp.patch("/<thread_id>")
@doc(Thread, body=ThreadChange, errors=NOT_FOUND)
@require_token()
def patch_thread(site: str, thread_id: str) -> dict[str, Any]:
    """Change the thread's headline, link, or rules (closed, pre-moderation); audited."""
    moderator = acting_moderator()
    found = site_in_reach(db.session(), moderator, site)
    _check(thread_id)
    change = ThreadChange.model_validate(json_object())
    with db.transaction() as session:
        update_thread(session, found, thread_id, change, moderator.name)
    return thread_view(db.session(), found, thread_id)


def _check(thread_id: str) -> None:
    if not valid_thread_id(thread_id):
        raise APIError(404, "invalid_thread_id", "A thread id has 1 to 200 letters, digits, "
                       "'-', '_' or '.'.")
