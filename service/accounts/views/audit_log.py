"""The audit log: who did what, when, why, and the scores at the time."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from sqlalchemy import select

from service import db
from service.accounts.audit import Action
from service.accounts.auth import login_required
from service.accounts.models import AuditEntry
from service.errors import APIError, whole_number

bp = Blueprint("dashboard_audit", __name__, url_prefix="/dashboard")

PAGE_SIZE = 50


@bp.get("/audit")
@login_required
def index() -> str:
    """Newest first, filtered by actor and action, a page at a time (``before`` an id)."""
    actor = request.args.get("actor", "").strip()
    action = request.args.get("action", "")
    before = request.args.get("before", "")
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(PAGE_SIZE + 1)
    if actor:
        query = query.where(AuditEntry.actor == actor)
    if action in set(Action):
        query = query.where(AuditEntry.action == action)
    if before:
        try:
            query = query.where(AuditEntry.id < whole_number("before", before, 1))
        except APIError as error:
            abort(400, error.message)
    entries = list(db.session().scalars(query))
    older = entries[PAGE_SIZE - 1].id if len(entries) > PAGE_SIZE else None
    return render_template("dashboard/audit.html", entries=entries[:PAGE_SIZE], older=older,
                           actor=actor, action=action, actions=list(Action))
