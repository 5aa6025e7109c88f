"""The audit log: who did what, when, why, and the scores at the time."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from sqlalchemy import or_, select

from service import db
from service.accounts import reach
from service.accounts.audit import Action
from service.accounts.auth import acting_moderator, login_required
from service.accounts.models import AuditEntry
from service.errors import APIError, whole_number

bp = Blueprint("dashboard_audit", __name__, url_prefix="/dashboard")

PAGE_SIZE = 50


@bp.get("/audit")
@login_required
def index() -> str:
    """Newest first, filtered by actor and action, a page at a time (``before`` an id);
    a moderator's view leaves out what happened on sites out of their reach."""
    actor = request.args.get("actor", "").strip()
    action = request.args.get("action", "")
    before = request.args.get("before", "")
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(PAGE_SIZE + 1)
    if actor:
        query = query.where(AuditEntry.actor == actor)
    if action in set(Action):
        query = query.where(AuditEntry.action == action)
    moderator = acting_moderator()
    if reach.reachable_site_ids(moderator) is not None:
        # A moderator reads what happened on their sites, and what belongs to no site.
        site = AuditEntry.details["site"].as_string()
        query = query.where(or_(site.is_(None),
                                site.in_([reached.slug for reached in moderator.sites])))
    if before:
        try:
            query = query.where(AuditEntry.id < whole_number("before", before, 1))
        except APIError as error:
            abort(400, error.message)
    entries = list(db.session().scalars(query))
    older = entries[PAGE_SIZE - 1].id if len(entries) > PAGE_SIZE else None
    return render_template("dashboard/audit.html", entries=entries[:PAGE_SIZE], older=older,
                           actor=actor, action=action, actions=list(Action))
