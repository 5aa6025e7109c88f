"""The job that gives a thread its headline and link from its article's page.

Asked for by the POST (``service.threads.gate``) when a comment names, as a hint, an
address on one of the site's origins for a thread without them; the page is read by
``service.threads.pages``. Idempotent: a headline or link already set stays.
"""

from __future__ import annotations

import logging

from flask import current_app

from service import db
from service.sites.services import origins_of, site_by_id
from service.threads.gate import find_thread
from service.threads.pages import PageError, headline

log = logging.getLogger(__name__)


def fetch_headline(site_id: int, key: str, url: str) -> str:
    """Read the page at ``url`` and fill in the thread's headline and link.

    Returns:
        ``"set"``, ``"kept"`` (nothing was missing) or why the page did not count.
    """
    session = db.session()
    site = site_by_id(session, site_id)
    thread = find_thread(session, site_id, key)
    if thread is None or (thread.title is not None and thread.url is not None):
        return "kept"
    origins, slug, thread_id = origins_of(site, current_app.config), site.slug, thread.id
    session.rollback()  # hold no transaction open while the page loads
    try:
        title, link = headline(url, origins, site=slug, key=key,
                               timeout=current_app.config["WEBHOOK_TIMEOUT_SECONDS"],
                               allow_private=current_app.config["WEBHOOK_ALLOW_PRIVATE_URLS"])
    except PageError as error:
        log.info("thread %s: no headline (%s)", thread_id, error)
        return str(error)
    with db.transaction():
        thread = find_thread(session, site_id, key)
        if thread is None:
            return "kept"
        if thread.title is None:
            thread.title = title
        if thread.url is None:
            thread.url = link
    return "set"
