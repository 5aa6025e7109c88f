"""CORS for the public API, so that the widget can call it from publishers' pages.

Only a site's allowed origins and the service's own get the CORS headers; any other
page's script is left unable to read the answers. Which site: the one in the path
(``/api/v1/sites/<site>/threads/...``), the site ``default`` on the old paths
(``/api/v1/threads/...``), and any site for ``/api/v1/comments/...`` (a comment's
status, reports and appeals, reached by id from the page that posted it). The origins
are looked up on each cross-origin request because administrators may change them
while the service runs; Flask-CORS takes a fixed list, hence this small hook instead.
"""

from __future__ import annotations

import re

from flask import Flask, Response, current_app, g, request
from sqlalchemy import select

from service import db
from service.sites.models import DEFAULT_SITE_ID, Site
from service.sites.services import origins_of, site_by_id, site_by_slug

PUBLIC_API = re.compile(r"/api/v1/(?:threads/|comments/|sites/(?P<site>[^/]+)/threads/)")
"""Paths of the API that the widget uses; the moderation and sites' admin APIs get no CORS."""
PREFLIGHT_MAX_AGE = 600


def init_app(app: Flask) -> None:
    app.after_request(add_cors_headers)


def add_cors_headers(response: Response) -> Response:
    """Let an allowed origin read the answer, and answer its preflight requests."""
    public = PUBLIC_API.match(request.path)
    if public is None:
        return response
    response.vary.add("Origin")
    origin = request.headers.get("Origin")
    if not origin or not _is_allowed(origin, public):
        return response
    response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Access-Control-Expose-Headers"] = "Location, Retry-After"
    if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
        response.headers["Access-Control-Allow-Methods"] = "GET, POST"
        # Authorization: a signed-in commenter's token (the widget's data-auth-token).
        # X-Author-Token: the author's view of their comment, and their appeal.
        response.headers["Access-Control-Allow-Headers"] = (
            "Content-Type, Authorization, X-Author-Token")
        response.headers["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE)
    return response


def own_origin() -> str:
    """The service's own origin, as the client reached it."""
    return request.host_url.rstrip("/")


def _is_allowed(origin: str, public: re.Match[str]) -> bool:
    if origin == own_origin():
        return True
    return origin.lower() in {entry.rstrip("/").lower() for entry in _origins(public)}


def _origins(public: re.Match[str]) -> list[str]:
    """The allowed origins for the path: its site's, or every site's for a comment.

    The site the view read in this request (``g.site``, the thread views set it) is not
    read again: a widget's every POST and page carries an ``Origin``."""
    session, config = db.session(), current_app.config
    slug, site = public.group("site"), g.get("site")
    if slug is not None:
        if site is None or site.slug != slug:
            site = site_by_slug(session, slug)
        return origins_of(site, config) if site is not None else []
    if request.path.startswith("/api/v1/threads/"):
        if site is None or site.id != DEFAULT_SITE_ID:
            site = site_by_id(session, DEFAULT_SITE_ID)
        return origins_of(site, config)
    return [origin for site in session.scalars(select(Site)) for origin in origins_of(site, config)]
