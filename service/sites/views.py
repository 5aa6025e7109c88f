"""The dashboard's site switcher: which site's comments, queue and settings one sees."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from werkzeug.wrappers import Response

from service import db
from service.accounts.auth import acting_moderator, login_required
from service.accounts.reach import choose_site
from service.errors import APIError

bp = Blueprint("dashboard_sites", __name__, url_prefix="/dashboard")


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


def _back() -> str:
    target = request.form.get("next", "")
    if target.startswith("/dashboard/") and not target.startswith("//"):
        return target
    return url_for("dashboard.index")
