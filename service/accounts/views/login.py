"""Logging in and out of the dashboard."""

from __future__ import annotations

import ipaddress
import math
import time
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.wrappers import Response as FlaskResponse
from flask_limiter import RequestLimit
from flask_limiter.util import get_remote_address
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
from service.limits import limiter

bp = Blueprint("dashboard_login", __name__, url_prefix="/dashboard")


def _client_subnet() -> str:
    """The client's network: its /24 (IPv4) or /56 (IPv6)."""
    address = request.remote_addr or ""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    return str(ipaddress.ip_network(f"{ip}/{24 if ip.version == 4 else 56}", strict=False))


def _throttled(limit: RequestLimit) -> FlaskResponse:
    wait = max(1, math.ceil(limit.reset_at - time.time()))
    flash(f"Too many login attempts from your network; try again in {wait} seconds.", "error")
    page = render_template("dashboard/login.html", next="", name="")
    response = make_response(page, 429)
    response.headers["Retry-After"] = str(wait)
    return response


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATE_LIMIT_LOGIN"], methods=["POST"],
               key_func=get_remote_address, scope="login-address", on_breach=_throttled)
@limiter.limit(lambda: current_app.config["RATE_LIMIT_LOGIN_SUBNET"], methods=["POST"],
               key_func=_client_subnet, scope="login-subnet", on_breach=_throttled)
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
        attempt = authenticate(session, name, password, request.remote_addr or "")
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
    """End the session, and every other session of this moderator, on the server."""
    moderator = acting_moderator()
    with db.transaction() as session:
        audit.record(session, actor=moderator.name, action=audit.Action.LOGOUT)
    log_out(moderator)
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
