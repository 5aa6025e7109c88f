"""The moderation API's reported comments and appeals (bearer token)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from service import db
from service.accounts.auth import acting_moderator, require_token
from service.apidoc import Tag
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
from service.moderation.responses import (
    AppealInQueue,
    AppealQueue,
    Dismissal,
    ReportedComments,
)
from service.moderation.schemas import SiteQuery
from service.moderation.scope import Scope, api_scope, comment_in_reach

bp = Blueprint("moderation_readers_api", __name__, url_prefix="/api/v1/moderation")
doc = Tag("moderation")
NO_SITE = {404: "No site has that name, or it is out of reach."}


@bp.get("/reported")
@doc(ReportedComments, query=SiteQuery, errors=NO_SITE)
@require_token()
def reported_comments() -> dict[str, Any]:
    """Comments with reports no moderator dismissed, most reported first."""
    return {"comments": [
        item.comment.public_dict() | {
            "author": item.comment.author, "body": item.comment.body,
            "reasons": item.reasons, "reports": [report.as_dict() for report in item.reports]}
        for item in reported(db.session(), scope=_scope())]}


@bp.post("/comments/<comment_id>/reports/dismissal")
@doc(Dismissal, errors={404: "No comment has that id, or it is out of reach.",
                        409: "No reports to dismiss.", 400: "The body is not valid JSON.",
                        415: "The body is not sent as application/json.",
                        422: "The body is not a JSON object."})
@require_token()
def dismiss(comment_id: str) -> dict[str, Any]:
    """Dismiss a comment's reports: it stays, or is again, published."""
    found = comment_in_reach(comment_id, acting_moderator())
    body = json_object() if request.get_data() else {}
    note = str(body.get("note", ""))[:500]
    with db.transaction() as session:
        dismissed = dismiss_reports(session, found, acting_moderator(), note)
    return {"comment_id": str(found.id), "dismissed": dismissed, "status": found.status}


@bp.get("/appeals")
@doc(AppealQueue, query=AppealQuery, errors=NO_SITE | {
    422: "A query parameter is not valid; the message says why."})
@require_token()
def appeals() -> dict[str, Any]:
    """The appeals queue: open appeals (or ``status``), oldest first."""
    query = AppealQuery.model_validate(request.args.to_dict())
    return {"appeals": [appeal_dict(appeal) for appeal in
                        appeals_queue(db.session(), query, _scope())]}


@bp.post("/appeals/<appeal_id>/decisions")
@doc(AppealInQueue, 201, body=AppealDecision, errors={
    403: "You took the decision under appeal.", 404: "No appeal has that id.",
    409: "The appeal is decided already."})
@require_token()
def decide(appeal_id: str) -> tuple[dict[str, Any], int]:
    """Uphold or overturn an appeal (201); not by the moderator who decided first (403)."""
    with db.transaction() as session:
        found = find_appeal(session, appeal_id, _scope())
        body = AppealDecision.model_validate(json_object())
        appeal = decide_appeal(session, found, body, acting_moderator())
    return appeal_dict(appeal), 201


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
