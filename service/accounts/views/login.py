"""Logging in and out of the dashboard."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from service import db
from service.accounts import audit
from service.accounts.auth import (
    acting_moderator,
    current_moderator,
    log_in,
    log_out,
    login_required,
)
from service.accounts.services import authenticate

bp = Blueprint("dashboard_login", __name__, url_prefix="/dashboard")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str | tuple[str, int] | tuple[str, int, dict[str, str]]:
    """The login form; a name is locked for a while after repeated failures."""
    next_page = _local_path(request.values.get("next", ""))
    if request.method == "GET":
        if current_moderator() is not None:
            return redirect(next_page or url_for("dashboard_queue.index"))
        return render_template("dashboard/login.html", next=next_page, name="")
    name = request.form.get("name", "").strip()[:80]
    password = request.form.get("password", "")[:1024]
    if not name or not password:
        flash("Enter your name and password.", "error")
        return render_template("dashboard/login.html", next=next_page, name=name), 400
    with db.transaction() as session:
        attempt = authenticate(session, name, password)
    if attempt.locked_until is not None:
        minutes = max(1, round((attempt.locked_until - db.utcnow()).total_seconds() / 60))
        flash(f"Too many failed logins: {name} is locked for {minutes} more minutes.", "error")
        return (render_template("dashboard/login.html", next=next_page, name=name), 429,
                {"Retry-After": str(minutes * 60)})
    if attempt.moderator is None:
        flash("Wrong name or password.", "error")
        return render_template("dashboard/login.html", next=next_page, name=name)
    log_in(attempt.moderator)
    return redirect(next_page or url_for("dashboard_queue.index"))


@bp.post("/logout")
@login_required
def logout() -> Response:
    """End the session."""
    moderator = acting_moderator()
    with db.transaction() as session:
        audit.record(session, actor=moderator.name, action=audit.Action.LOGOUT)
    log_out()
    flash("You have logged out.", "info")
    return redirect(url_for(".login"))


def _local_path(target: str) -> str:
    """``target`` as a path of this dashboard, or "" when it leads elsewhere."""
    parts = urlsplit(target)
    if parts.netloc and parts.netloc != request.host:
        return ""
    if not parts.path.startswith("/dashboard/") or parts.path.startswith("//"):
        return ""
    return parts.path + (f"?{parts.query}" if parts.query else "")
