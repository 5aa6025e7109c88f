"""The dashboard's commenter page: who they are, their counts, comments with decisions and
reports, the moderators' notes, and the form that changes their status (audited)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from pydantic import ValidationError
from werkzeug.wrappers import Response

from service import db
from service.accounts.auth import acting_moderator, login_required
from service.accounts.reach import site_in_reach
from service.commenters.gate import find_commenter
from service.commenters.models import Commenter, Standing
from service.commenters.schemas import StandingChange
from service.commenters.services import change_standing, profile
from service.errors import APIError, validation_message
from service.sites.models import Site

bp = Blueprint("dashboard_commenters", __name__,
               url_prefix="/dashboard/sites/<site>/commenters", template_folder="templates")


@bp.get("/<sub>")
@login_required
def commenter(site: str, sub: str) -> str:
    """The commenter's page."""
    found, who = _commenter(site, sub)
    return render_template("dashboard/commenter.html", site=found,
                           commenter=profile(db.session(), found, who),
                           statuses=[standing.value for standing in Standing])


@bp.post("/<sub>")
@login_required
def change(site: str, sub: str) -> Response:
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
    return redirect(url_for(".commenter", site=found.slug, sub=who.sub), 303)


def _commenter(slug: str, sub: str) -> tuple[Site, Commenter]:
    try:
        found = site_in_reach(db.session(), acting_moderator(), slug)
    except APIError as error:
        abort(404, error.message)
    who = find_commenter(db.session(), found.id, sub) if len(sub) <= 200 else None
    if who is None or who.erased_at is not None:
        abort(404, "No commenter of this site has that sub.")
    return found, who
