"""The dashboard's shell: server-rendered pages under ``/dashboard/``.

``init_app`` registers the accounts' pages (front door, login, tokens, audit log) and
gives every page under ``/dashboard`` (every domain's) CSRF checks on its forms and
strict security headers. Pages extend ``dashboard/base.html``; a domain's blueprint
adds its page to the navigation with ``nav_link``, when it is registered::

    nav_link(bp, "Webhooks", "webhooks_dashboard.index", role="admin", order=50)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, Flask, Response, current_app, render_template, request
from flask.sansio.app import App
from flask_wtf.csrf import CSRFError, CSRFProtect

from service import db
from service.accounts import auth, reach
from service.accounts.models import Role
from service.accounts.views import audit_log, home, login, tokens
from service.db import utcnow

PREFIX = "/dashboard"

SECURITY_HEADERS = {
    # No inline script or style anywhere: scripts and styles come from our static files.
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # same-origin, not no-referrer: over HTTPS the CSRF check compares the Referer.
    "Referrer-Policy": "same-origin",
}

csrf = CSRFProtect()


@dataclass(frozen=True)
class NavLink:
    """A link of the dashboard's navigation bar, shown to those who hold ``role``."""

    label: str
    endpoint: str
    role: str = Role.MODERATOR
    order: int = 100


def add_nav_link(app: App, label: str, endpoint: str, role: str = Role.MODERATOR,
                 order: int = 100) -> None:
    """Add a page to the navigation bar, which lists its links by ``order``."""
    links = app.extensions.setdefault("dashboard_nav", [])
    links.append(NavLink(label, endpoint, role, order))
    links.sort(key=lambda link: link.order)


def nav_link(blueprint: Blueprint, label: str, endpoint: str, role: str = Role.MODERATOR,
             order: int = 100) -> None:
    """Add ``blueprint``'s page to the navigation of each app it is registered on."""
    blueprint.record_once(lambda state: add_nav_link(state.app, label, endpoint, role, order))


def init_app(app: Flask) -> None:
    """Register the dashboard, its navigation, CSRF protection and security headers."""
    app.config.update(WTF_CSRF_CHECK_DEFAULT=False, WTF_CSRF_TIME_LIMIT=None)
    csrf.init_app(app)
    for blueprint in (home.bp, login.bp, audit_log.bp, tokens.bp):
        app.register_blueprint(blueprint)
    add_nav_link(app, "Audit log", "dashboard_audit.index", order=20)
    add_nav_link(app, "API tokens", "dashboard_tokens.index", order=30)
    app.before_request(_check_csrf)
    app.after_request(_secure_headers)
    app.register_error_handler(CSRFError, _csrf_refused)
    app.context_processor(_navigation)
    app.add_template_filter(waiting, "waiting")
    app.add_template_filter(moment, "moment")


def waiting(since: datetime | None, now: datetime | None = None) -> str:
    """How long ago ``since`` was, briefly: "45 s", "12 min", "3 h 5 min", "2 d 4 h"."""
    if since is None:
        return ""
    seconds = max(int(((now or utcnow()) - since).total_seconds()), 0)
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if seconds < 60:
        return f"{seconds} s"
    if minutes < 60:
        return f"{minutes} min"
    if hours < 24:
        return f"{hours} h {minutes % 60} min" if minutes % 60 else f"{hours} h"
    return f"{days} d {hours % 24} h" if hours % 24 else f"{days} d"


def moment(value: datetime | None) -> str:
    """A UTC time as shown on the dashboard: ``2026-11-25 08:10 UTC``."""
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


def _in_dashboard() -> bool:
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


def _check_csrf() -> None:
    if _in_dashboard():
        csrf.protect()


def _secure_headers(response: Response) -> Response:
    if _in_dashboard():
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if not request.path.startswith(f"{PREFIX}/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
    return response


def _csrf_refused(error: CSRFError) -> tuple[str, int]:
    return render_template("dashboard/error.html", title="The form has expired",
                           message="This form was not sent from a page of this dashboard in "
                           f"your session ({error.description}). Go back, reload the page "
                           "and try again."), 400


def _navigation() -> dict[str, object]:
    if not _in_dashboard():
        return {}
    moderator = auth.current_moderator()
    links = [link for link in current_app.extensions["dashboard_nav"]
             if moderator and moderator.has_role(link.role)]
    if moderator is None:
        return {"nav_links": links, "moderator": moderator}
    session = db.session()
    return {"nav_links": links, "moderator": moderator,
            "sites_in_reach": reach.sites_in_reach(session, moderator),
            "chosen_site": reach.chosen_site(session, moderator)}
