"""The scheduled job that builds a candidate from a site's moderator decisions (as
``moderation model adapt`` does); the sweeper queues it (``ADAPT_EVERY_HOURS``)."""

from __future__ import annotations

import logging

from flask import current_app

from service import db
from service.moderation.learning.candidates import CandidateError, build_candidate
from service.moderation.learning.labels import site_policy
from service.moderation.learning.tasks import SCHEDULE_ACTOR
from service.sites.services import UnknownSite

log = logging.getLogger(__name__)


def adapt_site(site: str, by: str = SCHEDULE_ACTOR) -> str | None:
    """Build a candidate for ``site`` (audited as ``by``'s); return its name (None: too few
    decisions)."""
    try:
        with db.transaction() as session:
            policy = site_policy(session, current_app.config, site)
            name = build_candidate(session, policy, site=site, by=by).name
    except (CandidateError, UnknownSite) as error:
        log.info("no candidate for site %s: %s", site, error)
        return None
    log.info("built candidate %s for site %s", name, site)
    return name
