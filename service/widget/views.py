"""The widget's script at ``/widget.js``, its strings in other languages, and the demo
article at ``/``."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

import rjsmin
from flask import Blueprint, Response, render_template, request
from werkzeug.wrappers import Response as WerkzeugResponse

bp = Blueprint("widget", __name__, template_folder="templates", static_folder="static",
               static_url_path="/widget/static")

SCRIPT = Path(__file__).parent / "static" / "widget.js"
SCRIPT_MAX_AGE = 300
"""Seconds browsers and CDNs may keep the script before asking again (by ETag)."""
LOCALES = Path(__file__).parent / "static" / "locales"
"""One JSON file per language (``fr.json``): the widget's strings, under the keys of the
English ones in widget.js; served as static files at ``/widget/static/locales/``."""
DEMO_THREAD = "ukraine-peace-deal"
DEMO_CSP = ("default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
            "form-action 'self'; frame-ancestors 'none'")


@bp.get("/")
def article() -> Response:
    """The demo article, with the widget under it."""
    response = Response(render_template("widget/article.html", thread_id=DEMO_THREAD))
    response.headers["Content-Security-Policy"] = DEMO_CSP
    return response


@bp.get("/widget.js")
def script() -> WerkzeugResponse:
    """The widget, minified, cacheable, and loadable from any site."""
    source, etag = minified_script()
    response = Response(source, mimetype="text/javascript")
    response.set_etag(etag)
    response.cache_control.public = True
    response.cache_control.max_age = SCRIPT_MAX_AGE
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response.make_conditional(request)


@bp.after_request
def share_locales(response: Response) -> Response:
    """Let the widget fetch its strings from any publisher's page, and keep them a while.

    They are public and the same for everyone (no cookies, no credentials), hence ``*``.
    """
    if request.endpoint == "widget.static" and (request.view_args or {}).get(
            "filename", "").startswith("locales/"):
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
        response.cache_control.no_cache = None
        response.cache_control.public = True
        response.cache_control.max_age = SCRIPT_MAX_AGE
    return response


def minified_script() -> tuple[bytes, str]:
    """The minified widget and its ETag, made again only when the source file changes."""
    stat = SCRIPT.stat()
    return _minify(stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=1)
def _minify(mtime_ns: int, size: int) -> tuple[bytes, str]:
    del mtime_ns, size  # the cache key: the source file's version
    minified = rjsmin.jsmin(SCRIPT.read_text(encoding="utf-8"), keep_bang_comments=True)
    data = minified.encode("utf-8")
    return data, hashlib.sha256(data).hexdigest()[:32]
