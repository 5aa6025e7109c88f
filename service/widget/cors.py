"""CORS for the public API, so that the widget can call it from publishers' pages.

Only the sites' allowed origins and the service's own get the CORS headers; any
other page's script is left unable to read the answers. The allowed origins are
looked up on each cross-origin request (``service.sites.allowed_origins``) because
administrators may change them while the service runs; Flask-CORS takes a fixed
list, hence this small hook instead.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, request

from service import db
from service.sites.services import allowed_origins

PUBLIC_API = ("/api/v1/threads/", "/api/v1/comments/")
"""Path prefixes of the API that the widget uses; the moderation API gets no CORS."""
PREFLIGHT_MAX_AGE = 600


def init_app(app: Flask) -> None:
    app.after_request(add_cors_headers)


def add_cors_headers(response: Response) -> Response:
    """Let an allowed origin read the answer, and answer its preflight requests."""
    if not request.path.startswith(PUBLIC_API):
        return response
    response.vary.add("Origin")
    origin = request.headers.get("Origin")
    if not origin or not _is_allowed(origin):
        return response
    response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Access-Control-Expose-Headers"] = "Location, Retry-After"
    if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
        response.headers["Access-Control-Allow-Methods"] = "GET, POST"
        # X-Author-Token: the author's view of their comment, and their appeal.
        response.headers["Access-Control-Allow-Headers"] = "Content-Type, X-Author-Token"
        response.headers["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE)
    return response


def own_origin() -> str:
    """The service's own origin, as the client reached it."""
    return request.host_url.rstrip("/")


def _is_allowed(origin: str) -> bool:
    if origin == own_origin():
        return True
    allowed = allowed_origins(db.session(), current_app.config)
    return origin.lower() in {entry.rstrip("/").lower() for entry in allowed}
