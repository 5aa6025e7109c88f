"""The dashboard's commenter page: who they are, their counts, comments with decisions and
reports, the moderators' notes, and the form that changes their status (audited)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request
from pydantic import ValidationError
from werkzeug.wrappers import Response

from service import db
from service.accounts.auth import acting_moderator, login_required
from service.accounts.reach import site_in_reach
from service.commenters.gate import find_commenter
from service.commenters.models import Commenter, Standing
from service.commenters.paths import commenter_url, register, subject
from service.commenters.schemas import StandingChange
from service.commenters.services import change_standing, profile
from service.errors import APIError, validation_message
from service.sites.models import Site

bp = Blueprint("dashboard_commenters", __name__,
               url_prefix="/dashboard/sites/<site>/commenters", template_folder="templates")
register(bp)
bp.add_app_template_global(commenter_url)
BY_QUERY = {"defaults": {"sub": None}}
"""``.../commenters/?sub=..``: the commenters whose sub a browser would resolve away."""


@bp.get("/<subject:sub>")
@bp.get("/", **BY_QUERY)
@login_required
def commenter(site: str, sub: str | None) -> str:
    """The commenter's page."""
    found, who = _commenter(site, sub)
    return render_template("dashboard/commenter.html", site=found,
                           commenter=profile(db.session(), found, who),
                           statuses=[standing.value for standing in Standing])


@bp.post("/<subject:sub>")
@bp.post("/", **BY_QUERY)
@login_required
def change(site: str, sub: str | None) -> Response:
    """Save a new status and note."""
    found, who = _commenter(site, sub)
    try:
        change = StandingChange.model_validate({"status": request.form.get("status", ""),
                                                "note": request.form.get("note", "")})
        with db.transaction() as session:
            change_standing(session, who, change, acting_moderator().name)
    except ValidationError as error:
        flash(f"Nothing was saved: {validation_message(error)[0]}.", "error")
    else:
        flash(f"Saved: {who.name} is {who.status}.", "success")
    return redirect(commenter_url(f"{bp.name}.commenter", found.slug, who.sub), 303)


def _commenter(slug: str, routed: str | None) -> tuple[Site, Commenter]:
    try:
        found = site_in_reach(db.session(), acting_moderator(), slug)
    except APIError as error:
        abort(404, error.message)
    sub = request.args.get("sub", "") if routed is None else subject(routed)
    who = find_commenter(db.session(), found.id, sub) if sub and len(sub) <= 200 else None
    if who is None or who.erased_at is not None:
        abort(404, "No commenter of this site has that sub.")
    return found, who
