"""The dashboard's site switcher: which site's comments, queue and settings one sees."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from pydantic import ValidationError
from werkzeug.wrappers import Response

from service import db
from service.accounts.auth import acting_moderator, login_required
from service.accounts.models import Role
from service.accounts.reach import choose_site
from service.errors import APIError, validation_message
from service.sites import admin
from service.sites.schemas import SiteChanges
from service.sites.services import site_by_slug

bp = Blueprint("dashboard_sites", __name__, url_prefix="/dashboard",
               template_folder="templates")


@bp.post("/site")
@login_required
def switch() -> Response:
    """Choose the site (``site``: a slug, or "" for all one reaches), then go back."""
    try:
        site = choose_site(db.session(), acting_moderator(), request.form.get("site", ""))
    except APIError:
        abort(404, "No site has that name.")
    flash(f"Showing {site.name if site else 'all your sites'}.", "info")
    return redirect(_back(), 303)


@bp.post("/settings/site")
@login_required(role=Role.ADMIN)
def save_site() -> Response:
    """Save a site's name, locale, anonymous posting and new-commenter pre-moderation."""
    form = request.form
    session = db.session()
    site = site_by_slug(session, form.get("site", ""))
    if site is None:
        abort(404, "No site has that name.")
    submitted = {"name": form.get("name", ""), "locale": form.get("locale", ""),
                 "anonymous_allowed": form.get("anonymous_allowed") == "on",
                 "policy": {"new_commenter_premoderation": form.get(
                     "new_commenter_premoderation", "")}}
    try:
        changes = SiteChanges.model_validate(submitted)
        with db.transaction() as session:
            changed = admin.change_site(session, site, changes, current_app.config,
                                        by=acting_moderator().name)
    except (ValidationError, admin.SiteError) as error:
        message = (validation_message(error)[0] if isinstance(error, ValidationError)
                   else str(error))
        flash(f"Site and readers: nothing was saved: {message}.", "error")
        return redirect(url_for("dashboard_settings.edit"), 303)
    flash("Site and readers: saved." if changed else "Site and readers: nothing changed.",
          "success" if changed else "info")
    return redirect(url_for("dashboard_settings.edit"), 303)


def _back() -> str:
    target = request.form.get("next", "")
    if target.startswith("/dashboard/") and not target.startswith("//"):
        return target
    return url_for("dashboard.index")
