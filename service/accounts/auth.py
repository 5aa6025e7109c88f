"""Who is asking: moderators logged in to the dashboard, or holders of an API token.

Views use one decorator each, and ``current_moderator()`` inside::

    @bp.get("/things")
    @require_token(role="admin")          # an API view: Authorization: Bearer <token>
    def list_things(): ...

    @bp.get("/dashboard/things")
    @login_required(role="moderator")     # a dashboard page: the session cookie
    def things(): ...

An admin may do whatever a moderator may. API views never accept the session
cookie, and dashboard views never accept a token, so the API needs no CSRF token.
Each decorated view keeps its role in ``view.required_role`` (the tests read it).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from flask import Flask, Request, Response, abort, current_app, g, request, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_login import LoginManager, current_user, login_user, logout_user

from service import db
from service.accounts.models import Moderator, Role
from service.accounts.services import end_sessions, token_owner
from service.errors import APIError, error_response

View = TypeVar("View", bound=Callable[..., Any])

LOGIN_VIEW = "dashboard_login.login"

login_manager = LoginManager()
login_manager.login_view = LOGIN_VIEW
login_manager.login_message = "Log in to see that page."
login_manager.login_message_category = "info"


def init_app(app: Flask) -> None:
    """Set up logins and the dashboard's session cookie.

    The session cookie is HttpOnly, SameSite=Lax, Secure whenever the request came
    over HTTPS, and lasts ``DASHBOARD_SESSION_HOURS`` from the login, however busy.
    Behind a TLS-terminating proxy, set ``TRUSTED_PROXIES`` so that the app factory's
    ``ProxyFix`` believes its X-Forwarded-Proto and HTTPS at the proxy counts as HTTPS.
    """
    lifetime = timedelta(hours=app.config["DASHBOARD_SESSION_HOURS"])
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      PERMANENT_SESSION_LIFETIME=lifetime)
    app.session_interface = _SessionInterface()
    login_manager.init_app(app)
    app.before_request(_end_expired_session)


def log_in(moderator: Moderator) -> None:
    """Start a dashboard session for ``moderator`` (a new one: the old is dropped)."""
    session.clear()
    login_user(moderator)
    session.permanent = True
    session["login_at"] = int(time.time())


def log_out(moderator: Moderator | None = None) -> None:
    """End the dashboard session; with ``moderator``, every session of theirs, on the server.

    The moderator's session generation is raised, so that a copy of the cookie made
    before is refused from now on (``_load_moderator``).
    """
    if moderator is not None:
        with db.transaction() as db_session:
            end_sessions(db_session, moderator)
    logout_user()
    session.clear()


def current_moderator() -> Moderator | None:
    """The moderator of this request, by token or by session; None when anonymous."""
    if "moderator" in g:
        return g.moderator
    if current_user.is_authenticated:
        return current_user._get_current_object()
    return None


def acting_moderator() -> Moderator:
    """The moderator of a view behind ``login_required`` or ``require_token``.

    Raises:
        RuntimeError: when there is none (the view lacks its decorator).
    """
    moderator = current_moderator()
    if moderator is None:
        raise RuntimeError("no moderator: the view needs login_required or require_token")
    return moderator


def login_required(role: str | Callable[..., Any] = Role.MODERATOR) -> Any:
    """Decorate a dashboard view: log in first (redirect), and hold ``role`` (else 403).

    Usable bare (``@login_required``) or with a role (``@login_required(role="admin")``).
    """
    if callable(role):
        return login_required()(role)

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(role):
                abort(403, f"This page is for the {role}s.")
            g.moderator = current_user._get_current_object()
            return view(*args, **kwargs)

        wrapped.required_role = role  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def require_token(role: str = Role.MODERATOR) -> Callable[[View], View]:
    """Decorate an API view: 401 without a valid bearer token, 403 without ``role``."""

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not secret.strip():
                return _unauthorized("missing_token", "Send a moderation API token in the "
                                     "header Authorization: Bearer <token>.")
            with db.transaction() as db_session:
                moderator = token_owner(db_session, secret.strip())
            if moderator is None:
                return _unauthorized("invalid_token",
                                     "The token is unknown, expired or revoked.")
            if not moderator.has_role(role):
                raise APIError(403, "forbidden", f"This needs the token of an {role}.")
            g.moderator = moderator
            return view(*args, **kwargs)

        wrapped.required_role = role  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


@login_manager.user_loader
def _load_moderator(key: str) -> Moderator | None:
    """The moderator of a session, if it is of their current generation and they are active."""
    moderator_id, _, generation = key.partition(":")
    if not (moderator_id.isascii() and moderator_id.isdigit() and len(moderator_id) < 19):
        return None
    moderator = db.session().get(Moderator, int(moderator_id))
    if moderator is None or not moderator.is_active or generation != str(
            moderator.session_generation):
        return None
    return moderator


def _unauthorized(code: str, message: str) -> Response:
    response = error_response(401, code, message)
    response.headers["WWW-Authenticate"] = 'Bearer realm="moderation"'
    return response


def _end_expired_session() -> None:
    """Log out a session older than its lifetime, however recently it was used."""
    started = session.get("login_at")
    if started is None:
        return
    lifetime = current_app.permanent_session_lifetime.total_seconds()
    if time.time() - started > lifetime:
        log_out()


class _SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, marked Secure on every HTTPS request."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return super().get_cookie_secure(app) or request.is_secure

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        # Without a cookie (every widget and API request) Flask's own builds the signing
        # serializer first, for nothing: about 30 µs of a POST.
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)
