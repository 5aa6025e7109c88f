"""The moderation API's reported comments and appeals (bearer token)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from service import db
from service.accounts.auth import acting_moderator, require_token
from service.comments.models import Appeal
from service.comments.reasons import reason_of
from service.errors import json_object
from service.moderation.readers import (
    AppealDecision,
    AppealQuery,
    appeals_queue,
    decide_appeal,
    dismiss_reports,
    find_appeal,
    reported,
)
from service.moderation.scope import Scope, api_scope, comment_in_reach

bp = Blueprint("moderation_readers_api", __name__, url_prefix="/api/v1/moderation")


@bp.get("/reported")
@require_token()
def reported_comments() -> Response:
    """Comments with reports no moderator dismissed, most reported first."""
    return jsonify({"comments": [
        item.comment.public_dict() | {
            "author": item.comment.author, "body": item.comment.body,
            "reasons": item.reasons, "reports": [report.as_dict() for report in item.reports]}
        for item in reported(db.session(), scope=_scope())]})


@bp.post("/comments/<comment_id>/reports/dismissal")
@require_token()
def dismiss(comment_id: str) -> Response:
    """Dismiss a comment's reports: it stays, or is again, published."""
    found = comment_in_reach(comment_id, acting_moderator())
    body = json_object() if request.get_data() else {}
    note = str(body.get("note", ""))[:500]
    with db.transaction() as session:
        dismissed = dismiss_reports(session, found, acting_moderator(), note)
    return jsonify({"comment_id": str(found.id), "dismissed": dismissed,
                    "status": found.status})


@bp.get("/appeals")
@require_token()
def appeals() -> Response:
    """The appeals queue: open appeals (or ``status``), oldest first."""
    query = AppealQuery.model_validate(request.args.to_dict())
    return jsonify({"appeals": [appeal_dict(appeal) for appeal in
                                appeals_queue(db.session(), query, _scope())]})


@bp.post("/appeals/<appeal_id>/decisions")
@require_token()
def decide(appeal_id: str) -> tuple[Response, int]:
    """Uphold or overturn an appeal (201); not by the moderator who decided first (403)."""
    with db.transaction() as session:
        found = find_appeal(session, appeal_id, _scope())
        body = AppealDecision.model_validate(json_object())
        appeal = decide_appeal(session, found, body, acting_moderator())
    return jsonify(appeal_dict(appeal)), 201


def _scope() -> Scope:
    """The sites the request covers: ``?site=``, else every site the moderator reaches."""
    return api_scope(db.session(), acting_moderator(), request.args.get("site"))


def appeal_dict(appeal: Appeal) -> dict[str, Any]:
    """An appeal with its comment and the decision under appeal."""
    comment, decision = appeal.comment, appeal.decision
    return appeal.as_dict() | {
        "comment": comment.public_dict() | {"author": comment.author, "body": comment.body},
        "decision": decision.as_dict() | {"statement": reason_of(decision)},
    }
