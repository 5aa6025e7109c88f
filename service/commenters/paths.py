"""A commenter's ``sub`` as one segment of a URL, whatever it holds.

Publishers' user ids are often URLs (``https://idp.example/users/1``); a ``sub`` may hold
``/``, ``%``, ``..`` or be ``.``. In a URL it is one percent-encoded segment
(``https%3A%2F%2Fidp.example%2Fusers%2F1``). WSGI servers decode ``%2F`` before routing,
so the ``subject`` converter takes the rest of the path, and ``subject`` reads the
segment as the client sent it from the raw request URI (gunicorn's and Werkzeug's
``RAW_URI``), which tells ``a%2Fexport`` (a sub) from ``a/export`` (the export of ``a``).

Browsers resolve the segments ``.`` and ``..`` (even written ``%2E%2E``), so links to
a commenter whose ``sub`` is only dots give it as ``?sub=`` on the collection's path
(``commenter_url``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, unquote, urlencode, urlsplit

from flask import Blueprint, request, url_for
from flask.blueprints import BlueprintSetupState
from werkzeug.routing import BaseConverter

from service.commenters.tokens import MAX_SUB
from service.textcheck import problem

COLLECTION = "/commenters/"


class SubjectConverter(BaseConverter):
    """``<subject:sub>``: the rest of the path, slashes too; built fully percent-encoded."""

    regex = ".+?"
    part_isolating = False

    def to_url(self, value: Any) -> str:
        return quote(str(value), safe="")


def register(bp: Blueprint) -> None:
    """Give the app the ``subject`` converter before ``bp``'s routes are added."""
    def add_converter(state: BlueprintSetupState) -> None:
        state.app.url_map.converters.setdefault("subject", SubjectConverter)

    bp.record_once(add_converter)


def subject(routed: str, suffix: str = "") -> str | None:
    """The ``sub`` that the request's path names, as sent; None when the path does not
    have the shape of the route (``suffix``: what follows the sub, e.g. ``"/export"``).

    Args:
        routed: what the ``subject`` converter matched (used when the server gives no
            raw URI).
    """
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    if raw is None:
        return None if problem(routed, max_length=MAX_SUB) else routed
    path = urlsplit(raw).path
    _, found, rest = path.partition(COLLECTION)
    if not found:
        return None
    if suffix:
        if not rest.endswith(suffix):
            return None
        rest = rest.removesuffix(suffix)
    if "/" in rest or not rest:
        return None
    try:
        sub = unquote(rest, errors="strict")
    except UnicodeDecodeError:
        return None
    return None if problem(sub, max_length=MAX_SUB) else sub


def only_dots(sub: str) -> bool:
    """Whether browsers would resolve ``sub`` as a path segment (``.`` or ``..``)."""
    return sub in {".", ".."}


def commenter_url(endpoint: str, site: str, sub: str) -> str:
    """The address of ``endpoint`` for the commenter ``sub`` that a browser keeps as is."""
    if only_dots(sub):
        return url_for(endpoint, site=site) + "?" + urlencode({"sub": sub})
    return url_for(endpoint, site=site, sub=sub)
