"""The scheduled job that builds a candidate from a site's moderator decisions (as
``moderation model adapt`` does), after writing the current model's vectors of what it
learns from (``embedding``); the sweeper queues it (``ADAPT_EVERY_HOURS``), and the
dashboard's button."""

from __future__ import annotations

import logging

from flask import current_app

from service import db
from service.moderation.learning.building import build_candidate
from service.moderation.learning.candidates import CandidateError
from service.moderation.learning.labels import site_policy
from service.moderation.learning.tasks import SCHEDULE_ACTOR
from service.sites.services import UnknownSite
from workers.scoring.embedding import embed_missing

log = logging.getLogger(__name__)


def adapt_site(site: str, by: str = SCHEDULE_ACTOR) -> str | None:
    """Build a candidate for ``site`` (audited as ``by``'s); return its name (None: too few
    decisions)."""
    try:
        embed_missing(site)
        with db.transaction() as session:
            policy = site_policy(session, current_app.config, site)
            name = build_candidate(session, policy, site=site, by=by,
                                   minimum=current_app.config["LEARNING_MIN_DECISIONS"]).name
    except (CandidateError, UnknownSite) as error:
        log.info("no candidate for site %s: %s", site, error)
        return None
    log.info("built candidate %s for site %s", name, site)
    return name
