"""The commenters' moderation API: standing, history and counts, GDPR export and erasure."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from service import db
from service.accounts.auth import acting_moderator, require_token
from service.accounts.models import Role
from service.accounts.reach import site_in_reach
from service.commenters.gate import find_commenter
from service.commenters.models import Commenter
from service.commenters.paths import register, subject
from service.commenters.schemas import StandingChange
from service.commenters.services import change_standing, erase, export, profile
from service.errors import APIError, json_object
from service.sites.models import Site

bp = Blueprint("commenters_api", __name__,
               url_prefix="/api/v1/moderation/sites/<site>/commenters")
register(bp)
EXPORT = "/export"


@bp.before_request
def _sub_ending_in_export() -> Response | None:
    """``GET .../a%2Fexport`` is the commenter ``a/export``, not the export of ``a``: the
    router sees the decoded path, ``subject`` the path as sent."""
    if (request.endpoint == f"{bp.name}.export_commenter" and request.view_args
            and subject(request.view_args["sub"], EXPORT) is None):
        return get_commenter(**request.view_args)
    return None


@bp.get("/<subject:sub>")
@require_token()
def get_commenter(site: str, sub: str) -> Response:
    """The commenter: standing, counts, their comments with decisions and reports, notes."""
    found, commenter = _commenter(site, sub)
    return jsonify(profile(db.session(), found, commenter))


@bp.patch("/<subject:sub>")
@require_token()
def patch_commenter(site: str, sub: str) -> Response:
    """Set the commenter's status (normal, premoderated, trusted, banned) and note; audited."""
    found, commenter = _commenter(site, sub)
    change = StandingChange.model_validate(json_object())
    with db.transaction() as session:
        change_standing(session, commenter, change, acting_moderator().name)
    return jsonify(commenter.as_dict() | {"site": found.slug})


@bp.get("/<subject:sub>/export")
@require_token(role=Role.ADMIN)
def export_commenter(site: str, sub: str) -> Response:
    """The GDPR export: the commenter, their comments and the decisions on them (admins)."""
    found, commenter = _commenter(site, sub, EXPORT)
    response = jsonify(export(db.session(), found, commenter))
    name = f"commenter-{commenter.id}.json"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.delete("/<subject:sub>")
@require_token(role=Role.ADMIN)
def erase_commenter(site: str, sub: str) -> Response:
    """The GDPR erasure: their comments' text and their name go; decisions stay (admins)."""
    found, commenter = _commenter(site, sub)
    with db.transaction() as session:
        erased = erase(session, commenter, acting_moderator().name)
    return jsonify({"site": found.slug, "commenter": commenter.as_dict(),
                    "comments_erased": erased})


def _commenter(site: str, routed: str, suffix: str = "") -> tuple[Site, Commenter]:
    found = site_in_reach(db.session(), acting_moderator(), site)
    sub = subject(routed, suffix)
    commenter = find_commenter(db.session(), found.id, sub) if sub and len(sub) <= 200 else None
    if commenter is None or commenter.erased_at is not None:
        raise APIError(404, "commenter_not_found", "No commenter of this site has that sub.")
    return found, commenter
